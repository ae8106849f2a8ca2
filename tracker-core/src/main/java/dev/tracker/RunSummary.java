package dev.tracker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A run as a search returns it: its info, params, tags and the latest value of each metric.
 *
 * @param info the run's info (id, name, experiment, status, times, parent)
 * @param params params by key
 * @param tags tags by key
 * @param metrics the latest point of each metric by key: the point with the highest step, then
 *     the latest timestamp (what filters and orders on {@code metrics.KEY} use)
 */
public record RunSummary(
    RunInfo info, Map<String, String> params, Map<String, String> tags,
    Map<String, Metric> metrics) {
  /** Copies the maps so the record stays immutable. */
  public RunSummary {
    Objects.requireNonNull(info, "info");
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  /** The summary of a run read whole: its latest metrics. */
  public static RunSummary of(RunData run) {
    return new RunSummary(run.info(), run.params(), run.tags(), run.latestMetrics());
  }

  /** The run's id. */
  public String id() {
    return info.id();
  }

  /** The parent run's id, or null for a top-level run. */
  public String parentRunId() {
    return info.parentRunId();
  }
}
