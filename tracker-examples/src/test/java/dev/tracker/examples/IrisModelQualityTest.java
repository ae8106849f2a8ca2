package dev.tracker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Run;
import dev.tracker.junit.Seed;
import dev.tracker.junit.Tracked;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model quality as JUnit tests, each a tracked run: the runs go where {@code
 * junit-platform.properties} says (the project's {@code runs} folder, next to the demo's), each
 * with its own seed derived from the class's {@code @Seed} and the test's id, so a failure can be
 * rerun exactly.
 */
@Tracked(experiment = "iris-quality")
@Seed(2024)
class IrisModelQualityTest {
  private static final Iris IRIS = Iris.load();

  @Test
  void softmaxRegressionReachesEightyPercentOnHeldOutFlowers(Run run) {
    IrisTraining.Result result =
        IrisTraining.train(run, IRIS, new IrisTraining.Config(0.1, 100, 16, 1e-4, 0.2));
    assertThat(result.testAccuracy()).isGreaterThanOrEqualTo(0.8);
  }

  /** One parent run, one child run per learning rate. */
  @ParameterizedTest(name = "lr={0}")
  @ValueSource(doubles = {0.1, 0.2})
  void everyLearningRateLearns(double learningRate, Run run) {
    IrisTraining.Result result =
        IrisTraining.train(run, IRIS, new IrisTraining.Config(learningRate, 100, 16, 1e-4, 0.2));
    assertThat(result.testAccuracy()).isGreaterThanOrEqualTo(0.8);
    assertThat(result.trainLoss()).isLessThan(Math.log(3)); // better than guessing
  }
}
