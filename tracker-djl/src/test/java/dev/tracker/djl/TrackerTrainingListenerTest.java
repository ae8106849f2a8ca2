package dev.tracker.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.metric.Metric;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.listener.TrainingListener;
import dev.tracker.RunStatus;
import dev.tracker.Seeds;
import dev.tracker.djl.Trainings.Trained;
import dev.tracker.djl.example.MlpExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackerTrainingListenerTest {
  private static final String LOSS = "SoftmaxCrossEntropyLoss";
  private static final List<String> EVALUATORS = List.of("Accuracy", LOSS);

  @TempDir Path root;

  /** The example's config with the tracker logging every 10th batch. */
  private static DefaultTrainingConfig everyTenthBatch(dev.tracker.Run run) {
    DefaultTrainingConfig config = MlpExample.untracked(0.1f)
        .addTrainingListeners(TrainingListener.Defaults.basic());
    TrackerDjl.listener(run).everyNBatches(10).addTo(config);
    return config;
  }

  @Test
  void aTrainingRecordsItsParams() throws Exception {
    Trained t = Trainings.train(root, 7, TrackerTrainingListenerTest::everyTenthBatch);

    assertThat(t.run().params()).containsOnly(
        entry("seed", "7"),
        // the DJL line under test: 0.36.0 by default, -Ddjl.version=... for the others
        entry("djl.version", Engine.getDjlVersion()),
        entry("djl.engine", "PyTorch"),
        entry("djl.engine.version", Engine.getInstance().getVersion()),
        entry("djl.seed", String.valueOf(DjlSeedHook.engineSeed(Seeds.of(7)))),
        entry("model.name", "mlp"),
        entry("model.block", "SequentialBlock"),
        entry("loss", LOSS),
        entry("evaluators", "Accuracy"),
        entry("devices", "cpu()"),
        entry("optimizer", "Sgd"),
        entry("optimizer.learningRateTracker", "FixedTracker"),
        entry("optimizer.learningRate", "0.1"),
        entry("optimizer.momentum", "0.0"),
        entry("optimizer.rescaleGrad", "1.0"),
        entry("optimizer.clipGrad", "-1.0"),
        entry("optimizer.weightDecays", "0.0"),
        entry("optimizer.beginNumUpdate", "0"),
        // 4x16 + 16, 16x16 + 16, 16x3 + 3
        entry("model.parameters", "403"),
        entry("initializer", "XavierInitializer,Initializer.ZEROS"),
        entry("batch_size", "32"));
    assertThat(Engine.getDjlVersion()).isEqualTo(System.getProperty("djl.version.tested"));
    assertThat(t.run().tags()).containsEntry("tracker.seed.hooks", "djl");
    assertThat(t.run().info().status()).isEqualTo(RunStatus.FINISHED);
    assertThat(Files.readString(t.runDir().resolve("artifacts/djl/summary.txt")))
        .startsWith("SequentialBlock(32, 4) {").contains("Linear(32, 16) -> (32, 3)");
  }

  @Test
  void everyTenthBatchAndEveryEpochAreLoggedWithDjlsNamesAndValues() throws Exception {
    Trained t = Trainings.train(root, 7, TrackerTrainingListenerTest::everyTenthBatch);
    List<Long> batches = List.of(0L, 10L, 20L, 30L, 40L);
    List<Long> epochs = List.of(0L, 1L, 2L);
    for (String e : EVALUATORS) {
      assertThat(t.steps("train_all_" + e)).as(e).isEqualTo(batches);
      assertThat(t.steps("train_epoch_" + e)).as(e).isEqualTo(epochs);
      assertThat(t.steps("validate_epoch_" + e)).as(e).isEqualTo(epochs);
      // the values DJL's own EvaluatorTrainingListener computed, batch by batch and per epoch
      List<Metric> djlBatches = t.result().metrics().getMetric("train_all_" + e);
      assertThat(djlBatches).hasSize(45);
      assertThat(floats(t.values("train_all_" + e))).as(e).isEqualTo(batches.stream()
          .map(s -> djlBatches.get(s.intValue()).getValue().floatValue()).toList());
      assertThat(floats(t.values("train_epoch_" + e))).as(e).isEqualTo(djl(t, "train_epoch_" + e));
      assertThat(floats(t.values("validate_epoch_" + e))).as(e)
          .isEqualTo(djl(t, "validate_epoch_" + e));
      // the final values: DJL's TrainingResult
      assertThat(t.history("train_" + e)).singleElement().satisfies(m -> {
        assertThat(m.step()).isEqualTo(2);
        assertThat(m.value()).isEqualTo(t.result().training().getTrainEvaluation(e).doubleValue());
      });
      assertThat(t.history("validate_" + e)).singleElement().satisfies(m -> assertThat(m.value())
          .isEqualTo(t.result().training().getValidateEvaluation(e).doubleValue()));
    }
    assertThat(t.values("train_loss"))
        .containsExactly(t.result().training().getTrainLoss().doubleValue());
    assertThat(t.values("validate_loss"))
        .containsExactly(t.result().training().getValidateLoss().doubleValue());
    assertThat(t.steps(TrackerTrainingListener.EPOCH_TIME)).isEqualTo(epochs);
    assertThat(t.values(TrackerTrainingListener.EPOCH_TIME)).allMatch(ms -> ms > 0);
    assertThat(t.values(TrackerTrainingListener.EPOCHS)).containsExactly(3.0);
    // the network learnt
    assertThat(t.result().training().getValidateEvaluation("Accuracy")).isGreaterThan(0.9f);
  }

  @Test
  void byDefaultEveryHundredthBatchIsLogged() throws Exception {
    Trained t = Trainings.train(root, 7);
    assertThat(t.steps("train_all_" + LOSS)).containsExactly(0L);
    assertThat(TrackerTrainingListener.DEFAULT_EVERY_N_BATCHES).isEqualTo(100);
  }

  @Test
  void theSavedModelLoadsBackAndPredictsTheSame() throws Exception {
    Trained t = Trainings.train(root, 7);
    Path dir = t.runDir().resolve("artifacts").resolve(TrackerTrainingListener.MODEL_ARTIFACT);
    try (Model model = Model.newInstance("mlp")) {
      model.setBlock(MlpExample.block());
      model.load(dir);
      assertThat(MlpExample.predict(model, model.getNDManager()))
          .containsExactly(t.result().probe());
    }
    assertThat(t.result().probe()).hasSize(9).doesNotContain(0f);
  }

  @Test
  void theModelIsNotSavedWhenTurnedOff() throws Exception {
    Trained t = Trainings.train(root, 7, run -> {
      DefaultTrainingConfig config = MlpExample.untracked(0.1f);
      TrackerDjl.listener(run).saveModel(false).addTo(config);
      return config;
    });
    assertThat(t.run().artifacts()).contains("djl/summary.txt")
        .noneMatch(a -> a.startsWith("model"));
    assertThat(t.run().info().status()).isEqualTo(RunStatus.FINISHED);
  }

  @Test
  void theValuesDoNotDependOnWhereTheListenerIsInTheConfig() throws Exception {
    // DJL's EvaluatorTrainingListener before the tracker's (the example), after it, or none
    Trained after = Trainings.train(root.resolve("a"), 11);
    Trained before = Trainings.train(root.resolve("b"), 11, run -> {
      DefaultTrainingConfig config = MlpExample.untracked(0.1f);
      TrackerDjl.track(run, config);
      return config.addTrainingListeners(TrainingListener.Defaults.basic());
    });
    Trained none = Trainings.train(root.resolve("c"), 11, run -> {
      DefaultTrainingConfig config = MlpExample.untracked(0.1f);
      TrackerDjl.track(run, config);
      return config;
    });
    Map<String, List<Double>> expected = valuesByKey(after);
    assertThat(expected).containsKeys("train_epoch_Accuracy", "validate_epoch_" + LOSS,
        "train_all_" + LOSS, "train_loss");
    assertThat(valuesByKey(before)).isEqualTo(expected);
    assertThat(valuesByKey(none)).isEqualTo(expected);
  }

  @Test
  void theSameRootSeedGivesTheSameValuesAndAnotherSeedOthers() throws Exception {
    Map<String, List<Double>> first = valuesByKey(Trainings.train(root.resolve("1"), 1234,
        TrackerTrainingListenerTest::everyTenthBatch));
    Map<String, List<Double>> second = valuesByKey(Trainings.train(root.resolve("2"), 1234,
        TrackerTrainingListenerTest::everyTenthBatch));
    Map<String, List<Double>> other = valuesByKey(Trainings.train(root.resolve("3"), 99,
        TrackerTrainingListenerTest::everyTenthBatch));
    assertThat(first).hasSize(13).isEqualTo(second);
    for (String key : first.keySet()) {
      if (!key.equals(TrackerTrainingListener.EPOCHS)) {
        assertThat(other.get(key)).as(key).isNotEqualTo(first.get(key));
      }
    }
  }

  /** Every metric's values in step order, but the epochs' wall times. */
  private static Map<String, List<Double>> valuesByKey(Trained t) {
    return t.run().metrics().stream()
        .filter(m -> !m.key().equals(TrackerTrainingListener.EPOCH_TIME))
        .collect(java.util.stream.Collectors.groupingBy(dev.tracker.Metric::key,
            java.util.TreeMap::new, java.util.stream.Collectors.mapping(
                dev.tracker.Metric::value, java.util.stream.Collectors.toList())));
  }

  /** DJL's values in the trainer's Metrics, as floats: DJL keeps them as text. */
  private static List<Float> djl(Trained t, String name) {
    List<Metric> list = t.result().metrics().getMetric(name);
    return IntStream.range(0, list.size())
        .mapToObj(i -> list.get(i).getValue().floatValue()).toList();
  }

  private static List<Float> floats(List<Double> values) {
    return values.stream().map(Double::floatValue).toList();
  }
}
