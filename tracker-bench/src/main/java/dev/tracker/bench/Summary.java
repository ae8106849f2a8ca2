package dev.tracker.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints what a JMH run measured (its {@code -rf json} file): for each benchmark the median and
 * the spread (lowest and highest iteration) of every figure, then the goals of the issue as
 * ratios of medians measured in that same run, each marked met or missed.
 *
 * <p>Run by {@code tracker-bench/run.sh}: {@code java -cp benchmarks.jar
 * dev.tracker.bench.Summary results.json}.
 */
public final class Summary {
  private final Map<String, Figure> figures = new TreeMap<>();

  /**
   * One figure of one benchmark: every iteration's value.
   *
   * @param name benchmark, params and metric, e.g. {@code FileThroughputBenchmark.tracker runs=8}
   * @param unit the unit JMH gives
   * @param values the iterations' values, of every fork
   */
  record Figure(String name, String unit, double[] values) {
    double median() {
      double[] v = values.clone();
      Arrays.sort(v);
      int n = v.length;
      return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    double min() {
      return Arrays.stream(values).min().orElse(Double.NaN);
    }

    double max() {
      return Arrays.stream(values).max().orElse(Double.NaN);
    }
  }

  /** Reads a JMH JSON result. */
  static Summary parse(String json) {
    Summary s = new Summary();
    for (Object o : read(json)) {
      Map<?, ?> b = (Map<?, ?>) o;
      String bench = shortName((String) b.get("benchmark"));
      Map<?, ?> params = (Map<?, ?>) b.get("params");
      if (params != null) {
        for (Map.Entry<?, ?> p : new TreeMap<>(params).entrySet()) {
          bench += " " + p.getKey() + "=" + p.getValue();
        }
      }
      s.add(bench, (Map<?, ?>) b.get("primaryMetric"));
      Map<?, ?> secondary = (Map<?, ?>) b.get("secondaryMetrics");
      if (secondary != null) {
        for (Map.Entry<?, ?> e : secondary.entrySet()) {
          s.add(bench + " :" + e.getKey(), (Map<?, ?>) e.getValue());
        }
      }
    }
    return s;
  }

  private static List<?> read(String json) {
    try {
      return new ObjectMapper().readValue(json, List.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a JMH JSON result: " + e.getOriginalMessage(), e);
    }
  }

  private void add(String name, Map<?, ?> metric) {
    List<Double> values = new ArrayList<>();
    Object raw = metric.get("rawData");
    if (raw instanceof List<?> forks) {
      for (Object fork : forks) {
        for (Object v : (List<?>) fork) {
          values.add(number(v));
        }
      }
    }
    if (values.isEmpty() && metric.get("score") != null) {
      values.add(number(metric.get("score")));
    }
    String unit = (String) metric.get("scoreUnit");
    // JMH calls every counter's unit "#"; the benchmarks' time counters end in Ms
    if (name.endsWith("Ms") && "#".equals(unit)) {
      unit = "ms";
    }
    figures.put(name, new Figure(name, unit,
        values.stream().mapToDouble(Double::doubleValue).toArray()));
  }

  /** The figure named so, or null. */
  Figure figure(String name) {
    return figures.get(name);
  }

  /** The median of a figure, or NaN when the run did not measure it. */
  double median(String name) {
    Figure f = figures.get(name);
    return f == null ? Double.NaN : f.median();
  }

  /** Prints every figure, then the goals. */
  void print(PrintStream out) {
    out.printf(Locale.ROOT, "%-66s %14s %27s  %s%n", "benchmark", "median", "spread (min .. max)",
        "unit");
    for (Figure f : figures.values()) {
      if (f.name().contains(":") && !interesting(f.name())) {
        continue;
      }
      out.printf(Locale.ROOT, "%-66s %14s %12s .. %-12s  %s%n", f.name(), fmt(f.median()),
          fmt(f.min()), fmt(f.max()), f.unit());
    }
    out.println();
    out.println("Goals (ratios of medians measured in this run):");
    for (String line : goals()) {
      out.println("  " + line);
    }
  }

  /** The issue's goals, each with the measured value and met / missed / not measured. */
  List<String> goals() {
    List<String> out = new ArrayList<>();
    double one = median("LogMetricBenchmark.oneThread");
    double eight = median("LogMetricBenchmark.eightThreads");
    double alloc = median("LogMetricBenchmark.oneThread :gc.alloc.rate.norm");
    out.add(goal("1. logMetric, 1 thread", one, "ns/op", one <= 35, "<= 35 ns/op"));
    out.add(goal("1. logMetric, 8 threads / 1 thread", eight / one, "x", eight / one <= 4.4,
        "~4x (<= 4.4x)"));
    out.add(goal("1. allocated per logMetric", alloc, "B/op", alloc <= 48,
        "the 40 B record and its 4 B slot in the batch (<= 48 B/op)"));
    for (String runs : List.of("1", "8")) {
      double t = median("FileThroughputBenchmark.tracker runs=" + runs);
      double b = median("FileThroughputBenchmark.bufferedWriter runs=" + runs);
      if (runs.equals("1")) {
        out.add(goal("2. file rows/s, 1 run", t, "rows/s", t >= 3_000_000, ">= 3,000,000"));
      } else {
        out.add(goal("2. file rows/s, 8 runs", t, "rows/s", t >= 3_000_000, ">= 3,000,000"));
      }
      out.add(goal("2. file / BufferedWriter, " + runs + (runs.equals("1") ? " run" : " runs"),
          t / b, "x", t / b >= 0.8, ">= 0.8x"));
    }
    for (int workers : new int[] {4, 1}) {
      mlflowComparison(out, workers);
    }
    String paired = "RealisticLoopBenchmark.bareAndTracker :";
    double added = median(paired + "addedPercent");
    out.add(goal("3. realistic loop, time Tracker adds, 4 workers", added, "%", added <= 3,
        "<= 3 %"));
    double untilLastStep = median(paired + "untilLastStepPercent");
    if (!Double.isNaN(untilLastStep)) {
      // not a goal: the part of the above that the loop pays before its run's close
      out.add(String.format(Locale.ROOT, "%-14s %-56s %14s %-7s of the above, before the run's"
          + " close", "[info]", "3. realistic loop, until its last step", fmt(untilLastStep),
          "%"));
    }
    double peak = median("HeapBenchmark.tenMillionPoints :heapPeakMb");
    double live = median("HeapBenchmark.tenMillionPoints :heapAfterGcMb");
    out.add(goal("4. heap high-water, 10M points (pools' peaks, -Xmx64m)", peak, "MB",
        peak <= 64, "<= 64 MB"));
    out.add(goal("4. heap after GC, highest", live, "MB", live <= 64, "<= 64 MB"));
    return out;
  }

  /**
   * Benchmark 3 against the server emulated with {@code workers} workers: the time the logging
   * thread was blocked, and end to end against the hand-batched and the per-point loops (the
   * latter measured per request on a subset, scaled to the whole workload's requests).
   */
  private void mlflowComparison(List<String> out, int workers) {
    String w = " workers=" + workers;
    String bench = "MlflowComparisonBenchmark.";
    double perRequest = median(bench + "mlflowPerPoint" + w);
    double perPoint = perRequest * Workload.perPointRequests(Workload.STEPS);
    double batched = median(bench + "mlflowHandBatched" + w);
    double batchedCaller = median(bench + "mlflowHandBatched" + w + " :callerMs");
    double tracker = median(bench + "trackerPerPoint" + w);
    double trackerCaller = median(bench + "trackerPerPoint" + w + " :callerMs");
    String suffix = ", " + workers + (workers == 1 ? " worker" : " workers");
    double blocked = trackerCaller / batchedCaller * 100;
    out.add(goal("3. caller blocked, Tracker / hand-batched" + suffix, blocked, "%",
        blocked <= 1, "<= 1 %"));
    double minimum = workers == 1 ? 1.0 : 2.5;
    out.add(goal("3. end to end, hand-batched / Tracker" + suffix, batched / tracker, "x",
        batched / tracker >= minimum, ">= " + minimum + "x"));
    out.add(goal("3. end to end, per-point (scaled) / Tracker" + suffix, perPoint / tracker,
        "x", perPoint / tracker >= 50, ">= 50x"));
  }

  private static String goal(String what, double value, String unit, boolean met,
      String target) {
    String status = Double.isNaN(value) ? "not measured" : met ? "met" : "MISSED";
    return String.format(Locale.ROOT, "%-14s %-56s %14s %-7s goal %s", "[" + status + "]", what,
        fmt(value), unit, target);
  }

  private static boolean interesting(String name) {
    return name.endsWith(":gc.alloc.rate.norm") || name.endsWith("Mb")
        || name.endsWith("Ms") || name.endsWith("Percent");
  }

  private static String shortName(String benchmark) {
    String prefix = Summary.class.getPackageName() + ".";
    return benchmark.startsWith(prefix) ? benchmark.substring(prefix.length()) : benchmark;
  }

  private static double number(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    return Double.parseDouble(String.valueOf(v)); // JMH writes "NaN" as a string
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Math.abs(v) >= 100_000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /**
   * Prints the summary of each JMH JSON file named.
   *
   * @param args paths of {@code -rf json} result files
   */
  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: Summary results.json ...");
      System.exit(2);
    }
    StringBuilder all = new StringBuilder("[");
    for (String a : args) {
      String json = Files.readString(Path.of(a), StandardCharsets.UTF_8).trim();
      if (json.length() > 2) {
        all.append(all.length() > 1 ? "," : "").append(json, 1, json.length() - 1);
      }
    }
    parse(all.append(']').toString()).print(System.out);
  }
}
