package dev.tracker.cli;

import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import java.util.ArrayList;
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
