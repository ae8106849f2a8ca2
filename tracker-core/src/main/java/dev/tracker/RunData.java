package dev.tracker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything recorded for a run, as read back from a backend.
 *
 * @param info the run's info
 * @param params params by key, in logging order where the backend keeps it
 * @param tags tags by key
 * @param metrics every metric point, in logging order per key
 * @param artifacts artifact paths relative to the run's artifact root, '/'-separated
 * @param inputs the data sets the run used, in the order first logged
 */
public record RunData(
    RunInfo info,
    Map<String, String> params,
    Map<String, String> tags,
    List<Metric> metrics,
    List<String> artifacts,
    List<DatasetInput> inputs) {
  /** Copies the collections so the record stays immutable. */
  public RunData {
    Objects.requireNonNull(info, "info");
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    tags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    metrics = List.copyOf(metrics);
    artifacts = List.copyOf(artifacts);
    inputs = List.copyOf(inputs);
  }

  /** A run that used no data set (or whose backend does not record them). */
  public RunData(RunInfo info, Map<String, String> params, Map<String, String> tags,
      List<Metric> metrics, List<String> artifacts) {
    this(info, params, tags, metrics, artifacts, List.of());
  }

  /** The points of one metric, in logging order. */
  public List<Metric> history(String key) {
    List<Metric> out = new ArrayList<>();
    for (Metric m : metrics) {
      if (m.key().equals(key)) {
        out.add(m);
      }
    }
    return out;
  }

  /** The last value logged for each metric key (the point with the highest step, then latest). */
  public Map<String, Metric> latestMetrics() {
    Map<String, Metric> out = new LinkedHashMap<>();
    for (Metric m : metrics) {
      Metric old = out.get(m.key());
      if (old == null || m.step() > old.step()
          || (m.step() == old.step() && m.timestamp() >= old.timestamp())) {
        out.put(m.key(), m);
      }
    }
    return out;
  }
}
