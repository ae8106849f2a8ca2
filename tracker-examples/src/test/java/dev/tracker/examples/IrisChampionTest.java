package dev.tracker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.ModelRegistry;
import dev.tracker.Run;
import dev.tracker.examples.ChampionLoop.Challenge;
import dev.tracker.junit.Seed;
import dev.tracker.junit.Tracked;
import org.junit.jupiter.api.Test;

/**
 * The champion loop as a test: train the Iris model, register it as the next version of model
 * "iris", move the alias "champion" to it only if it beats the champion, and fail, naming both
 * runs, if it is worse than the champion by more than {@value #TOLERANCE}. In the build the runs
 * and the registry are the project's {@code runs} folder ({@code junit-platform.properties}): the
 * first build's model becomes the champion, later builds challenge it.
 */
@Tracked(experiment = "iris-champion")
@Seed(2024)
class IrisChampionTest {
  /** How much worse than the champion a new model may be. */
  static final double TOLERANCE = 0.05;
  static final String MODEL = "iris";

  private static final Iris IRIS = Iris.load();

  @Test
  void aNewModelIsNoWorseThanTheChampion(Run run) {
    IrisTraining.Result result =
        IrisTraining.train(run, IRIS, new IrisTraining.Config(0.1, 100, 16, 1e-4, 0.2));
    Challenge challenge = ChampionLoop.challenge(run, MODEL, "model")
        .requireNoWorseBy(TOLERANCE);
    assertThat(challenge.accuracy()).isEqualTo(result.testAccuracy());
    ModelRegistry models = run.experiment().tracker().models();
    assertThat(models.get(MODEL, ChampionLoop.ALIAS).version()).isEqualTo(challenge.promoted()
        ? challenge.challenger().version() : challenge.champion().version());
    assertThat(challenge.challenger().runId()).isEqualTo(run.id());
  }
}
