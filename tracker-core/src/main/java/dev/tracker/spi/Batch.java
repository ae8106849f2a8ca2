package dev.tracker.spi;

import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.Tag;
import java.util.List;

/**
 * Records of one run handed to a backend together, in the order they were logged per kind.
 *
 * <p>The lists are not copied: the pipeline hands over lists it no longer touches, and a backend
 * must not modify them.
 *
 * @param metrics metric points
 * @param params params (never two with the same key)
 * @param tags tags (the last of several with the same key wins)
 */
public record Batch(List<Metric> metrics, List<Param> params, List<Tag> tags) {
  /** Replaces null lists by empty ones. */
  public Batch {
    metrics = metrics == null ? List.of() : metrics;
    params = params == null ? List.of() : params;
    tags = tags == null ? List.of() : tags;
  }

  /** A batch of metric points only. */
  public static Batch ofMetrics(List<Metric> metrics) {
    return new Batch(metrics, List.of(), List.of());
  }

  /** The number of records. */
  public int size() {
    return metrics.size() + params.size() + tags.size();
  }

  /**
   * The batch without its first {@code n} records, counted metrics first, then params, then tags
   * (what is left to send when the first {@code n} were delivered).
   */
  public Batch skip(int n) {
    if (n <= 0) {
      return this;
    }
    int m = Math.min(n, metrics.size());
    int p = Math.min(n - m, params.size());
    int t = Math.min(n - m - p, tags.size());
    return new Batch(metrics.subList(m, metrics.size()), params.subList(p, params.size()),
        tags.subList(t, tags.size()));
  }

  /** True when the batch holds no record. */
  public boolean isEmpty() {
    return size() == 0;
  }
}
