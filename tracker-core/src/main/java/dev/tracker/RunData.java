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
 * @param artifacts artifact paths relative to the run's artifact root, '/'-separated, sorted
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

  /**
   * The latest point of each metric key, as an MLflow server chooses it: the highest step, then
   * the latest timestamp, then the greatest value (NaN counting as 0, as MLflow stores it); of
   * points equal in all three, the first logged.
   */
  public Map<String, Metric> latestMetrics() {
    Map<String, Metric> out = new LinkedHashMap<>();
    for (Metric m : metrics) {
      Metric old = out.get(m.key());
      if (old == null || isLater(m, old)) {
        out.put(m.key(), m);
      }
    }
    return out;
  }

  /** MLflow's SQL store: (step, timestamp, value) greater, with the value as it stores it. */
  private static boolean isLater(Metric a, Metric b) {
    if (a.step() != b.step()) {
      return a.step() > b.step();
    }
    if (a.timestamp() != b.timestamp()) {
      return a.timestamp() > b.timestamp();
    }
    return stored(a.value()) > stored(b.value());
  }

  /** A value as MLflow's SQL store keeps it: NaN as 0, the infinities as the largest doubles. */
  private static double stored(double v) {
    return Double.isNaN(v) ? 0 : Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, v));
  }
}
