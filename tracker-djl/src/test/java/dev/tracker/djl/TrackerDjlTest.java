package dev.tracker.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunData;
import dev.tracker.RunStatus;
import dev.tracker.Seeds;
import dev.tracker.Tracker;
import dev.tracker.djl.example.MlpExample;
import dev.tracker.file.FileBackend;
import dev.tracker.testing.RecordingBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class TrackerDjlTest {
  @TempDir Path root;

  /** Throws from the 5th training batch, as a diverging loss or a bad batch would. */
  private static final class FailingListener extends TrainingListenerAdapter {
    private int batches;

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
      if (++batches == 5) {
        throw new IllegalStateException("boom at batch 5");
      }
    }
  }

  @Test
  void aTrainingThatThrowsEndsFailedWithTheExceptionRecorded() throws Exception {
    AtomicReference<String> id = new AtomicReference<>();
    try (Tracker tracker = Tracker.builder().backend(FileBackend.create(root))
        .shutdownHook(false).standardTags(false).seed(3).build()) {
      assertThatThrownBy(() -> tracker.experiment("djl").run("failing", run -> {
        id.set(run.id());
        DefaultTrainingConfig config = MlpExample.untracked(0.1f);
        TrackerDjl.listener(run).everyNBatches(1).addTo(config);
        config.addTrainingListeners(new FailingListener());
        MlpExample.fit(run, config, 3, 32);
      })).isInstanceOf(IllegalStateException.class).hasMessage("boom at batch 5");
    }
    RunData run = Trainings.read(root, id.get());
    assertThat(run.info().status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.tags()).containsEntry("tracker.failure",
        "java.lang.IllegalStateException: boom at batch 5");
    // what was logged before the failure is kept: the params and the five batches
    assertThat(run.params()).containsEntry("model.parameters", "403");
    assertThat(run.history("train_all_SoftmaxCrossEntropyLoss")).extracting(Metric::step)
        .containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(run.history("train_epoch_SoftmaxCrossEntropyLoss")).isEmpty();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void theTrainingNeverWaitsForTheBackend() throws Exception {
    RecordingBackend backend = new RecordingBackend();
    backend.block();
    String id;
    try (Tracker tracker = Tracker.builder().backend(backend).shutdownHook(false)
        .standardTags(false).seed(5).build()) {
      try (Run run = tracker.experiment("djl").startRun("blocked")) {
        id = run.id();
        assertThat(backend.awaitBlocked(30)).isTrue();
        DefaultTrainingConfig config = MlpExample.untracked(0.1f);
        TrackerDjl.listener(run).everyNBatches(1).saveModel(false).addTo(config);
        // every batch logged while the backend holds its first call
        MlpExample.fit(run, config, 2, 32);
        assertThat(backend.calls()).containsExactly("createExperiment");
        backend.release();
      }
    }
    assertThat(backend.metrics(id)).filteredOn(m -> m.key().equals("train_all_Accuracy"))
        .hasSize(2 * Trainings.BATCHES_PER_EPOCH);
    assertThat(backend.status(id)).isEqualTo(RunStatus.FINISHED);
  }

  @Test
  void theSeedHookSeedsTheEngineFromTheRunsSeeds() {
    RecordingBackend backend = new RecordingBackend();
    String id;
    try (Tracker tracker = Tracker.builder().backend(backend).shutdownHook(false)
        .standardTags(false).seed(42).build();
         Run run = tracker.experiment("djl").startRun("seeded")) {
      id = run.id();
      assertThat(Engine.getInstance().getSeed()).isEqualTo(DjlSeedHook.engineSeed(run.seeds()));
    }
    assertThat(backend.tags(id)).containsEntry("tracker.seed.hooks", "djl");
    // pinned: the upper 31 bits of Seeds.of(42).derive("djl")
    assertThat(DjlSeedHook.engineSeed(Seeds.of(42)))
        .isEqualTo((int) (Seeds.of(42).derive("djl") >>> 33)).isEqualTo(1817152197);
    assertThat(DjlSeedHook.engineSeed(Seeds.of(-1))).isNotNegative();
    assertThat(new DjlSeedHook().isAvailable()).isTrue();
  }

  @Test
  void badSettingsAreRefusedNamingTheRule() {
    try (Tracker tracker = Tracker.noop(); Run run = tracker.experiment("djl").startRun("x")) {
      assertThatThrownBy(() -> TrackerDjl.listener(run).everyNBatches(0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("everyNBatches must be at least 1 but was 0");
      assertThatThrownBy(() -> TrackerDjl.listener(run).addTo(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("training config must not be null");
      assertThatThrownBy(() -> TrackerDjl.track(null, MlpExample.untracked(0.1f)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("run must not be null");
      DefaultTrainingConfig tracked = MlpExample.untracked(0.1f);
      TrackerDjl.track(run, tracked);
      assertThatThrownBy(() -> TrackerDjl.listener(run).everyNBatches(1).addTo(tracked))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the training config has a TrackerTrainingListener recording into run 'x'"
              + " (" + run.id() + ") already; a second one would log every value twice");
      assertThat(tracked.getTrainingListeners()).hasSize(1);
      TrackerTrainingListener listener = TrackerDjl.track(run, MlpExample.untracked(0.1f));
      assertThat(listener.everyNBatches())
          .isEqualTo(TrackerTrainingListener.DEFAULT_EVERY_N_BATCHES);
      assertThat(listener.saveModel()).isTrue();
    }
  }

  @Test
  void aListenerTracksOneTrainer() {
    try (Tracker tracker = Tracker.noop(); Run run = tracker.experiment("djl").startRun("x");
         Model model = Model.newInstance("mlp")) {
      model.setBlock(MlpExample.block());
      DefaultTrainingConfig config = MlpExample.untracked(0.1f);
      TrackerDjl.track(run, config);
      model.newTrainer(config).close();
      assertThatThrownBy(() -> model.newTrainer(config))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("a TrackerTrainingListener tracks one training, and this one has begun "
              + "already; add a new one (TrackerDjl.track) for each trainer");
    }
  }

  @Test
  void evaluatorNamesBecomeValidKeys() {
    assertThat(MetricKeys.keyPart("Accuracy")).isEqualTo("Accuracy");
    assertThat(MetricKeys.keyPart("top-3 acc%/é")).isEqualTo("top-3 acc_/é");
    // a decomposed accent, a Devanagari vowel sign and a joiner: marks MLflow refuses in keys
    assertThat(MetricKeys.keyPart("e\u0301 \u0939\u093f x\u200dy m\u00b2"))
        .isEqualTo("e_ \u0939_ x_y m\u00b2");
    assertThat(MetricKeys.keyPart(" ")).isEqualTo("evaluator");
    assertThat(MetricKeys.keyPart("x".repeat(300))).hasSize(250 - "validate_epoch_".length());
  }

  @Test
  void evaluatorNamesBecomeNormalizedPaths() {
    assertThat(MetricKeys.keyPart("top//k/")).isEqualTo("top/k");
    assertThat(MetricKeys.keyPart("/a/./b/../c")).isEqualTo("a/_/b/_/c");
    assertThat(MetricKeys.keyPart("//")).isEqualTo("evaluator");
    assertThat(MetricKeys.keyPart("a/".repeat(200))).doesNotEndWith("/");
  }

  @Test
  void evaluatorsNamedAlikeGetKeysOfTheirOwn() {
    Loss loss = Loss.l2Loss("loss");
    List<Evaluator> evaluators = List.of(new Accuracy("acc%"), new Accuracy("acc$"),
        new Accuracy("loss"), new Accuracy("epoch_acc_"), new Accuracy("acc//"), loss);
    List<MetricKeys> keys = MetricKeys.of(evaluators, loss);

    assertThat(keys).extracting(MetricKeys::trainEpoch).containsExactly("train_epoch_acc_",
        // epoch_acc_'s train_epoch_acc_ and train_epoch_acc__2 are the first two's epoch keys
        "train_epoch_acc__2", "train_epoch_loss_2", "train_epoch_epoch_acc__3",
        "train_epoch_acc", "train_epoch_loss");
    // the loss keeps train_loss; DJL's own names are kept for reading DJL's values
    assertThat(keys.get(5).trainFinal()).isEqualTo(TrackerTrainingListener.TRAIN_LOSS);
    assertThat(keys.get(1).djlTrain()).isEqualTo("train_acc$");
    List<String> all = keys.stream().flatMap(k -> Stream.of(k.trainBatch(), k.trainEpoch(),
        k.validateEpoch(), k.trainFinal(), k.validateFinal())).toList();
    assertThat(all).doesNotHaveDuplicates()
        .doesNotContain(TrackerTrainingListener.EPOCH_TIME, TrackerTrainingListener.EPOCHS)
        .allSatisfy(k -> new Metric(k, 0, 0, 0)); // a valid key: the record checks it
  }

  @Test
  void aParamTheRunHoldsAlreadyNeitherStopsTheTrainingNorTheOtherParams() {
    RecordingBackend backend = new RecordingBackend();
    String id;
    try (Tracker tracker = Tracker.builder().backend(backend).shutdownHook(false)
        .standardTags(false).seed(1).build();
         Run run = tracker.experiment("djl").startRun("x");
         Model model = Model.newInstance("mlp")) {
      id = run.id();
      run.logParam("optimizer", "my-sgd");
      model.setBlock(MlpExample.block());
      DefaultTrainingConfig config = MlpExample.untracked(0.1f);
      TrackerDjl.track(run, config);
      model.newTrainer(config).close();
    }
    assertThat(backend.params(id)).containsEntry("optimizer", "my-sgd")
        .containsEntry("loss", "SoftmaxCrossEntropyLoss")
        .containsEntry("optimizer.learningRate", "0.1");
  }

  @Test
  void anOptimizersNumbersAreItsSettings() {
    Optimizer adam = Optimizer.adam()
        .optLearningRateTracker(ai.djl.training.tracker.Tracker.fixed(0.003f))
        .optBeta1(0.8f).optWeightDecays(0.01f).build();
    assertThat(TrainingParams.optimizerSettings(adam))
        .containsEntry("optimizer.learningRateTracker", "FixedTracker")
        .containsEntry("optimizer.learningRate", 0.003f)
        .containsEntry("optimizer.beta1", 0.8f)
        .containsEntry("optimizer.beta2", 0.999f)
        .containsEntry("optimizer.weightDecays", 0.01f)
        .doesNotContainKeys("optimizer.numUpdate", "optimizer.updateCounts");
  }
}
