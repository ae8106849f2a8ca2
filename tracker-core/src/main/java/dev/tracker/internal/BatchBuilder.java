package dev.tracker.internal;

import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.Tag;
import dev.tracker.spi.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The batch being built; reused, {@link #build()} hands over its content and empties it. */
final class BatchBuilder {
  Metric[] metricsChunk; // a whole chunk handed over as it is
  private Metric[] metrics;
  private int metricCount;
  final List<Param> params = new ArrayList<>();
  final List<Tag> tags = new ArrayList<>();

  int size() {
    return (metricsChunk != null ? metricsChunk.length : metricCount) + params.size()
        + tags.size();
  }

  /** Adds {@code items[from..end)} up to a batch of {@code batchSize}; returns how many. */
  int add(Metric[] items, int from, int end, int batchSize) {
    if (metrics == null) {
      metrics = new Metric[batchSize];
    }
    int k = Math.min(end - from, Math.max(0, batchSize - size()));
    if (k == 0) {
      return 0;
    }
    System.arraycopy(items, from, metrics, metricCount, k);
    metricCount += k;
    return k;
  }

  Batch build() {
    List<Metric> m;
    if (metricsChunk != null) {
      m = Arrays.asList(metricsChunk);
      metricsChunk = null;
    } else if (metricCount == 0) {
      m = List.of();
    } else if (metricCount == metrics.length) {
      m = Arrays.asList(metrics); // handed over: the next batch gets a new array
      metrics = null;
      metricCount = 0;
    } else {
      m = Arrays.asList(Arrays.copyOf(metrics, metricCount)); // `metrics` is reused
      metricCount = 0;
    }
    Batch b = new Batch(m, params.isEmpty() ? List.of() : List.copyOf(params),
        tags.isEmpty() ? List.of() : List.copyOf(tags));
    params.clear();
    tags.clear();
    return b;
  }

  static String describe(Batch b) {
    return b.metrics().size() + " metrics, " + b.params().size() + " params and "
        + b.tags().size() + " tags";
  }
}
