package dev.tracker.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.ModelRegistry;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.examples.ChampionLoop.Challenge;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The champion loop against a registry in a temporary runs folder, with planted champions. */
class ChampionLoopTest {
  private static final Iris IRIS = Iris.load();

  @TempDir Path root;

  private Tracker tracker() {
    return Tracker.builder().uri("file:" + root).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).seed(7).build();
  }

  /** A run that logged a model and {@code accuracy}, registered and made the champion. */
  private String plantChampion(Tracker tracker, double accuracy) {
    try (Run run = tracker.experiment("planted").startRun("champion")) {
      run.logMetric(ChampionLoop.METRIC, accuracy, 0);
      run.logText("weights", "model/weights.csv");
      ModelRegistry models = tracker.models();
      models.setAlias("iris", ChampionLoop.ALIAS, models.register("iris", run, "model").version());
      return run.id();
    }
  }

  private static String f(double accuracy) {
    return String.format(Locale.ROOT, "%.4f", accuracy);
  }

  @Test
  void theFirstModelBecomesTheChampion() {
    try (Tracker tracker = tracker(); Run run = tracker.experiment("e").startRun("first")) {
      double accuracy = IrisTraining.train(run, IRIS,
          new IrisTraining.Config(0.1, 20, 16, 1e-4, 0.2)).testAccuracy();
      Challenge c = ChampionLoop.challenge(run, "iris", "model").requireNoWorseBy(0.05);
      assertThat(c.accuracy()).isEqualTo(accuracy);
      assertThat(c.promoted()).isTrue();
      assertThat(c.champion()).isNull();
      assertThat(tracker.models().get("iris", "champion").runId()).isEqualTo(run.id());
      assertThat(c.describe()).isEqualTo("model iris/1 from run " + run.id() + " has accuracy "
          + f(c.accuracy()) + " and is the first champion");
    }
  }

  @Test
  void aBetterModelTakesTheAliasAndOneSlightlyWorseDoesNot() {
    try (Tracker tracker = tracker()) {
      String planted = plantChampion(tracker, 0.5);
      try (Run better = tracker.experiment("e").startRun("better")) {
        better.logText("w", "model/weights.csv");
        better.logMetric(ChampionLoop.METRIC, 0.9, 0);
        Challenge c = ChampionLoop.challenge(better, "iris", "model");
        assertThat(c.promoted()).isTrue();
        assertThat(c.describe()).isEqualTo("model iris/2 from run " + better.id()
            + " has accuracy 0.9000 and replaces champion iris/1 from run " + planted
            + " (accuracy 0.5000)");
      }
      try (Run worse = tracker.experiment("e").startRun("worse")) {
        worse.logText("w", "model/weights.csv");
        worse.logMetric(ChampionLoop.METRIC, 0.88, 0);
        Challenge c = ChampionLoop.challenge(worse, "iris", "model").requireNoWorseBy(0.05);
        assertThat(c.promoted()).isFalse();
        assertThat(c.challenger().version()).isEqualTo(3);
      }
      assertThat(tracker.models().get("iris", "champion").version()).isEqualTo(2);
    }
  }

  @Test
  void aModelWorseThanTheChampionByMoreThanTheToleranceFailsNamingBothRuns() {
    try (Tracker tracker = tracker()) {
      String planted = plantChampion(tracker, 0.99);
      try (Run run = tracker.experiment("e").startRun("weak")) {
        // one epoch at a tiny learning rate: little better than guessing
        double accuracy = IrisTraining.train(run, IRIS,
            new IrisTraining.Config(1e-4, 1, 16, 0, 0.2)).testAccuracy();
        assertThat(accuracy).isLessThan(0.94);
        assertThatThrownBy(() -> ChampionLoop.challenge(run, "iris", "model")
            .requireNoWorseBy(0.05))
            .isExactlyInstanceOf(AssertionError.class)
            .hasMessage("model iris/2 from run " + run.id() + " has accuracy " + f(accuracy)
                + ", worse than champion iris/1 from run " + planted + " (accuracy 0.9900),"
                + " by more than 0.05");
        assertThat(tracker.models().get("iris", "champion").runId()).isEqualTo(planted);
        assertThat(tracker.models().get("iris", "2").runId()).isEqualTo(run.id());
      }
    }
  }
}
