package dev.tracker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SummaryTest {
  private static final String JMH = """
      [
        {"benchmark": "dev.tracker.bench.LogMetricBenchmark.oneThread", "mode": "avgt",
         "primaryMetric": {"score": 40.0, "scoreUnit": "ns/op",
                           "rawData": [[30.0, 50.0, 40.0], [41.0, 39.0]]},
         "secondaryMetrics": {"gc.alloc.rate.norm": {"score": 44.1, "scoreUnit": "B/op",
                                                     "rawData": [[44.1], [44.1]]},
                              "gc.count": {"score": 3, "scoreUnit": "counts",
                                           "rawData": [[1], [2]]}}},
        {"benchmark": "dev.tracker.bench.LogMetricBenchmark.eightThreads", "mode": "avgt",
         "primaryMetric": {"score": 200.0, "scoreUnit": "ns/op", "rawData": [[200.0]]}},
        {"benchmark": "dev.tracker.bench.FileThroughputBenchmark.tracker", "mode": "thrpt",
         "params": {"runs": "1"},
         "primaryMetric": {"score": 3.5E6, "scoreUnit": "ops/s", "rawData": [[3.4E6, 3.6E6]]}},
        {"benchmark": "dev.tracker.bench.FileThroughputBenchmark.bufferedWriter", "mode": "thrpt",
         "params": {"runs": "1"},
         "primaryMetric": {"score": 5.0E6, "scoreUnit": "ops/s", "rawData": [[5.0E6]]}}
      ]
      """;

  @Test
  void takesTheMedianAndSpreadOfEveryIterationOfEveryFork() {
    Summary.Figure f = Summary.parse(JMH).figure("LogMetricBenchmark.oneThread");

    assertThat(f.median()).isEqualTo(40.0);
    assertThat(f.min()).isEqualTo(30.0);
    assertThat(f.max()).isEqualTo(50.0);
    assertThat(f.unit()).isEqualTo("ns/op");
  }

  @Test
  void averagesTheMiddleTwoOfAnEvenCount() {
    assertThat(Summary.parse(JMH).median("FileThroughputBenchmark.tracker runs=1"))
        .isEqualTo(3.5E6);
  }

  @Test
  void namesParamsAndSecondaryFigures() {
    Summary s = Summary.parse(JMH);

    assertThat(s.median("LogMetricBenchmark.oneThread :gc.alloc.rate.norm")).isEqualTo(44.1);
    assertThat(s.median("FileThroughputBenchmark.bufferedWriter runs=1")).isEqualTo(5.0E6);
  }

  @Test
  void marksEachGoalMetMissedOrNotMeasuredFromRatiosOfMedians() {
    Summary s = Summary.parse(JMH);

    assertThat(s.goals()).anySatisfy(g -> assertThat(g)
            .startsWith("[met]").contains("1. logMetric, 1 thread").contains("40.00 ns/op"))
        .anySatisfy(g -> assertThat(g)
            .startsWith("[MISSED]").contains("8 threads / 1 thread").contains("5.00 x"))
        .anySatisfy(g -> assertThat(g)
            .startsWith("[MISSED]").contains("2. file / BufferedWriter, 1 run")
            .contains("0.70 x"))
        .anySatisfy(g -> assertThat(g)
            .startsWith("[not measured]").contains("3. MLflow per-point / Tracker"));
  }

  @Test
  void printsFiguresThenGoals() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Summary.parse(JMH).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("LogMetricBenchmark.oneThread :gc.alloc.rate.norm")
        .doesNotContain(":gc.count")
        .contains("FileThroughputBenchmark.tracker runs=1").contains("3,500,000")
        .contains("Goals (ratios of medians measured in this run):");
  }
}
