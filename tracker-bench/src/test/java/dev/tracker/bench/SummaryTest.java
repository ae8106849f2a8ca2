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

  /** Benchmark 3 with 4 workers, and the realistic loop: figures as a run would give them. */
  private static final String MLFLOW = """
      [
        {"benchmark": "dev.tracker.bench.MlflowComparisonBenchmark.mlflowPerPoint",
         "mode": "ss", "params": {"workers": "4"},
         "primaryMetric": {"score": 52.0, "scoreUnit": "ms/op", "rawData": [[52.0]]}},
        {"benchmark": "dev.tracker.bench.MlflowComparisonBenchmark.mlflowHandBatched",
         "mode": "ss", "params": {"workers": "4"},
         "primaryMetric": {"score": 14000.0, "scoreUnit": "ms/op", "rawData": [[14000.0]]},
         "secondaryMetrics": {"callerMs": {"score": 14000.0, "scoreUnit": "#",
                                           "rawData": [[14000.0]]}}},
        {"benchmark": "dev.tracker.bench.MlflowComparisonBenchmark.trackerPerPoint",
         "mode": "ss", "params": {"workers": "4"},
         "primaryMetric": {"score": 3500.0, "scoreUnit": "ms/op", "rawData": [[3500.0]]},
         "secondaryMetrics": {"callerMs": {"score": 280.0, "scoreUnit": "#",
                                           "rawData": [[280.0]]}}},
        {"benchmark": "dev.tracker.bench.RealisticLoopBenchmark.bareAndTracker", "mode": "ss",
         "primaryMetric": {"score": 8100.0, "scoreUnit": "ms/op", "rawData": [[8100.0]]},
         "secondaryMetrics": {
           "addedPercent": {"score": 2.5, "scoreUnit": "#", "rawData": [[2.0, 2.5, 9.0]]},
           "untilLastStepPercent": {"score": 0.5, "scoreUnit": "#", "rawData": [[0.5]]}}}
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
            .startsWith("[MISSED]").contains("1. logMetric, 1 thread").contains("40.00 ns/op")
            .contains("<= 35 ns/op"))
        .anySatisfy(g -> assertThat(g)
            .startsWith("[MISSED]").contains("8 threads / 1 thread").contains("5.00 x"))
        .anySatisfy(g -> assertThat(g)
            .startsWith("[MISSED]").contains("2. file / BufferedWriter, 1 run")
            .contains("0.70 x"))
        .anySatisfy(g -> assertThat(g)
            .startsWith("[not measured]").contains("3. end to end, hand-batched / Tracker"));
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

  @Test
  void comparesWithMlflowAsRatiosOfOneRunPerWorkerCount() {
    Summary s = Summary.parse(MLFLOW);

    // 280 ms of 14,000: 2 %; 14,000 / 3,500 = 4x; 52 ms x 100,072 requests / 3,500 = 1487x
    assertThat(s.goals()).anySatisfy(g -> assertThat(g).startsWith("[MISSED]")
            .contains("3. caller blocked, Tracker / hand-batched, 4 workers").contains("2.00 %"))
        .anySatisfy(g -> assertThat(g).startsWith("[met]")
            .contains("3. end to end, hand-batched / Tracker, 4 workers").contains("4.00 x")
            .contains(">= 2.5x"))
        .anySatisfy(g -> assertThat(g).startsWith("[met]")
            .contains("3. end to end, per-point (scaled) / Tracker, 4 workers")
            .contains("1487 x"))
        .anySatisfy(g -> assertThat(g).startsWith("[met]") // the median of the pairs
            .contains("3. realistic loop, time Tracker adds, 4 workers").contains("2.50 %"))
        .anySatisfy(g -> assertThat(g).startsWith("[info]")
            .contains("3. realistic loop, until its last step").contains("0.50 %"))
        .anySatisfy(g -> assertThat(g).startsWith("[not measured]")
            .contains("3. end to end, hand-batched / Tracker, 1 worker").contains(">= 1.0x"));
  }

  @Test
  void printsTheCallerTimeOfEachLoop() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Summary.parse(MLFLOW).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    assertThat(bytes.toString(StandardCharsets.UTF_8)).containsPattern(
        "MlflowComparisonBenchmark.trackerPerPoint workers=4 :callerMs +280 .* ms\\n");
  }
}
