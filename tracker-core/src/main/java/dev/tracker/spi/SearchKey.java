package dev.tracker.spi;

import dev.tracker.Metric;
import dev.tracker.RunInfo;
import dev.tracker.RunSummary;
import java.util.List;
import java.util.Locale;

/**
 * A value of a run named as in MLflow's search syntax: {@code metrics.KEY} (the latest value),
 * {@code params.KEY}, {@code tags.KEY} or {@code attributes.NAME}.
 *
 * @param kind what kind of value
 * @param key the metric, param or tag key, or the attribute's canonical name
 */
record SearchKey(Kind kind, String key) {
  /** The attributes a filter or an order may name (MLflow's, {@code created} for start_time). */
  static final List<String> ATTRIBUTES =
      List.of("run_id", "run_name", "status", "start_time", "end_time");

  enum Kind {
    METRIC("metrics"), PARAM("params"), TAG("tags"), ATTRIBUTE("attributes");

    final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    /** The kind an identifier's prefix names, as MLflow spells them, or null. */
    static Kind of(String prefix) {
      return switch (prefix.toLowerCase(Locale.ROOT)) {
        case "metrics", "metric" -> METRIC;
        case "params", "param", "parameters", "parameter" -> PARAM;
        case "tags", "tag" -> TAG;
        case "attributes", "attribute", "attr", "run" -> ATTRIBUTE;
        default -> null;
      };
    }
  }

  /** The canonical attribute for {@code name}, or null when MLflow has no such attribute. */
  static String attribute(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.equals("created")) {
      return "start_time";
    }
    return ATTRIBUTES.contains(n) ? n : null;
  }

  /** True when the values of this key are numbers (metrics, start and end time). */
  boolean numeric() {
    return kind == Kind.METRIC
        || (kind == Kind.ATTRIBUTE && (key.equals("start_time") || key.equals("end_time")));
  }

  /**
   * This key's value in {@code run}: a {@code Double} for numeric keys, a {@code String}
   * otherwise, null when the run has none.
   */
  Object value(RunSummary run) {
    RunInfo info = run.info();
    return switch (kind) {
      case METRIC -> {
        Metric m = run.metrics().get(key);
        yield m == null ? null : m.value();
      }
      case PARAM -> run.params().get(key);
      case TAG -> run.tags().get(key);
      case ATTRIBUTE -> switch (key) {
        case "run_id" -> info.id();
        case "run_name" -> info.name();
        case "status" -> info.status().name();
        case "start_time" -> (double) info.startTime();
        default -> info.endTime() > 0 ? (double) info.endTime() : null;
      };
    };
  }

  @Override
  public String toString() {
    return kind.prefix + "." + key;
  }
}
