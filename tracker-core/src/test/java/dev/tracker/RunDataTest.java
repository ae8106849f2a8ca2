package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunDataTest {
  private static final RunInfo INFO = new RunInfo("0123456789abcdef0123456789abcdef", "r", "1",
      "e", RunStatus.FINISHED, 1, 2, null);

  private static double latest(Metric... points) {
    return new RunData(INFO, Map.of(), Map.of(), List.of(points), List.of()).latestMetrics()
        .get("m").value();
  }

  @Test
  void theLatestPointIsTheHighestStepThenTheLatestTimestamp() {
    assertThat(latest(new Metric("m", 0.9, 9, 1), new Metric("m", 0.1, 1, 2))).isEqualTo(0.1);
    assertThat(latest(new Metric("m", 0.9, 4, 1), new Metric("m", 0.1, 5, 1))).isEqualTo(0.1);
    assertThat(latest(new Metric("m", 0.1, 5, 1), new Metric("m", 0.9, 4, 1))).isEqualTo(0.1);
  }

  /** MLflow's SQL store: the greatest (step, timestamp, value), NaN stored and compared as 0. */
  @Test
  void pointsAtTheSameStepAndTimeAreOrderedByValueAsMlflowDoes() {
    assertThat(latest(new Metric("m", 0.9, 5, 1), new Metric("m", 0.2, 5, 1))).isEqualTo(0.9);
    assertThat(latest(new Metric("m", 0.2, 5, 1), new Metric("m", 0.9, 5, 1))).isEqualTo(0.9);
    assertThat(latest(new Metric("m", Double.NaN, 5, 1), new Metric("m", -0.5, 5, 1))).isNaN();
    assertThat(latest(new Metric("m", -0.5, 5, 1), new Metric("m", Double.NaN, 5, 1))).isNaN();
    assertThat(latest(new Metric("m", Double.NaN, 5, 1), new Metric("m", 0.3, 5, 1)))
        .isEqualTo(0.3);
    // a tie (NaN is 0) keeps the first
    assertThat(latest(new Metric("m", 0.0, 5, 1), new Metric("m", Double.NaN, 5, 1)))
        .isEqualTo(0.0);
  }
}
