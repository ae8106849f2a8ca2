package dev.tracker.internal.system;

import dev.tracker.internal.Validation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The values one sampling round found: metric keys without the {@code system/} prefix, and tags. */
final class Sample {
  private final Map<String, Double> metrics = new LinkedHashMap<>();
  private final Map<String, String> tags = new LinkedHashMap<>();

  /** Adds a metric; values that are not finite (a division by zero somewhere) are left out. */
  void metric(String key, double value) {
    if (Double.isFinite(value)) {
      metrics.put(key, value);
    }
  }

  /** Adds a tag (set on the run only when its value changes), cut to what a run accepts. */
  void tag(String key, String value) {
    if (value != null && !value.isBlank()) {
      tags.put(key, Validation.cut(value, Validation.MAX_TAG_VALUE_LENGTH));
    }
  }

  Map<String, Double> metrics() {
    return Collections.unmodifiableMap(metrics);
  }

  Map<String, String> tags() {
    return Collections.unmodifiableMap(tags);
  }

  /** Rounds to one decimal, as MLflow logs its system metrics. */
  static double round1(double value) {
    return Math.round(value * 10.0) / 10.0;
  }

  /** Bytes as megabytes of 10^6 bytes (MLflow's unit), to one decimal. */
  static double megabytes(double bytes) {
    return round1(bytes / 1e6);
  }

  /** {@code part} as a percentage of {@code whole}, to one decimal; NaN when whole is not positive. */
  static double percent(double part, double whole) {
    return whole > 0 ? round1(part / whole * 100.0) : Double.NaN;
  }
}
