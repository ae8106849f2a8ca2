package dev.tracker.cli;

import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** What several commands show of runs. */
final class RunViews {
  private RunViews() {}

  /** The first 8 characters of a run id, as tables show it. */
  static String shortId(String id) {
    return id.length() > 8 ? id.substring(0, 8) : id;
  }

  /** The param keys of the runs, in order of first appearance. */
  static List<String> paramKeys(List<RunData> runs) {
    return keys(runs, RunData::params);
  }

  /** The tag keys of the runs, in order of first appearance. */
  static List<String> tagKeys(List<RunData> runs) {
    return keys(runs, RunData::tags);
  }

  private static List<String> keys(List<RunData> runs, Function<RunData, Map<String, ?>> of) {
    Set<String> keys = new LinkedHashSet<>();
    for (RunData r : runs) {
      keys.addAll(of.apply(r).keySet());
    }
    return new ArrayList<>(keys);
  }

  /** The metric keys of the runs, in order of first appearance. */
  static List<String> metricKeys(List<RunData> runs) {
    Set<String> keys = new LinkedHashSet<>();
    for (RunData r : runs) {
      for (Metric m : r.metrics()) {
        keys.add(m.key());
      }
    }
    return new ArrayList<>(keys);
  }

  /** A run in a listing, and how many of its ancestors are listed above it. */
  record Row(RunData run, int depth) {}

  /**
   * The runs with each child right under its parent (and its siblings, in their order in {@code
   * runs}); a run whose parent is not in {@code runs} stays where it is.
   */
  static List<Row> tree(List<RunData> runs) {
    Map<String, RunData> byId = new LinkedHashMap<>();
    runs.forEach(r -> byId.put(r.info().id(), r));
    Map<String, List<RunData>> children = new LinkedHashMap<>();
    List<RunData> roots = new ArrayList<>();
    for (RunData r : runs) {
      String parent = r.info().parentRunId();
      if (parent != null && byId.containsKey(parent) && !parent.equals(r.info().id())) {
        children.computeIfAbsent(parent, k -> new ArrayList<>()).add(r);
      } else {
        roots.add(r);
      }
    }
    List<Row> out = new ArrayList<>();
    Set<String> placed = new HashSet<>();
    for (RunData r : roots) {
      place(r, 0, children, placed, out);
    }
    // runs in a cycle of parents have no root: they come last, as listed
    for (RunData r : runs) {
      place(r, 0, children, placed, out);
    }
    return out;
  }

  private static void place(RunData run, int depth, Map<String, List<RunData>> children,
      Set<String> placed, List<Row> out) {
    if (!placed.add(run.info().id())) {
      return;
    }
    out.add(new Row(run, depth));
    for (RunData child : children.getOrDefault(run.info().id(), List.of())) {
      place(child, depth + 1, children, placed, out);
    }
  }

  /** A run's name, after a mark per level below a listed parent ("└ fold-1"). */
  static String treeName(String name, int depth, boolean unicode) {
    if (depth == 0) {
      return String.valueOf(name);
    }
    return "  ".repeat(depth - 1) + (unicode ? "└ " : "- ") + name;
  }

  /** The run's fields every listing shows, for JSON: id, name, experiment, status, times. */
  static Map<String, Object> infoJson(RunInfo info) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", info.id());
    m.put("name", info.name());
    m.put("experiment", info.experimentName());
    m.put("status", info.status().name());
    m.put("start_time", Values.iso(info.startTime()));
    m.put("end_time", Values.iso(info.endTime()));
    m.put("duration_ms", info.durationMillis() >= 0 ? info.durationMillis() : null);
    return m;
  }

  /** Last, min, max and count of each metric of a run. */
  record MetricSummary(String key, double last, long lastStep, double min, double max,
      int count) {}

  /** A summary per metric key, in order of first appearance. */
  static List<MetricSummary> summaries(RunData run) {
    Map<String, Metric> latest = run.latestMetrics();
    List<MetricSummary> out = new ArrayList<>();
    for (String key : latest.keySet()) {
      double min = Double.NaN;
      double max = Double.NaN;
      int count = 0;
      for (Metric m : run.history(key)) {
        count++;
        double v = m.value();
        if (!Double.isNaN(v)) {
          min = Double.isNaN(min) ? v : Math.min(min, v);
          max = Double.isNaN(max) ? v : Math.max(max, v);
        }
      }
      Metric last = latest.get(key);
      out.add(new MetricSummary(key, last.value(), last.step(), min, max, count));
    }
    return out;
  }
}
