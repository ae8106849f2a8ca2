package dev.tracker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A run as a search returns it: its info, params, tags and the latest value of each metric.
 *
 * @param info the run's info (id, name, experiment, status, times, parent)
 * @param params params by key
 * @param tags tags by key
 * @param metrics the latest point of each metric by key: the point with the highest step, then
 *     the latest timestamp, then the greatest value (what filters and orders on {@code
 *     metrics.KEY} use; see {@link RunData#latestMetrics()})
 * @param inputs the data sets the run used, in the order first logged
 */
public record RunSummary(
    RunInfo info, Map<String, String> params, Map<String, String> tags,
    Map<String, Metric> metrics, List<DatasetInput> inputs) {
  /** Copies the collections so the record stays immutable. */
  public RunSummary {
    Objects.requireNonNull(info, "info");
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    inputs = List.copyOf(inputs);
  }

  /** A run that used no data set (or whose backend does not record them). */
  public RunSummary(RunInfo info, Map<String, String> params, Map<String, String> tags,
      Map<String, Metric> metrics) {
    this(info, params, tags, metrics, List.of());
  }

  /** The summary of a run read whole: its latest metrics. */
  public static RunSummary of(RunData run) {
    return new RunSummary(run.info(), run.params(), run.tags(), run.latestMetrics(),
        run.inputs());
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
