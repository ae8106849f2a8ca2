package dev.tracker.cli;

import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A value of a run named as in MLflow's search syntax: {@code metrics.KEY} (the last value),
 * {@code params.KEY}, {@code tags.KEY} or {@code attributes.NAME}.
 *
 * @param kind what kind of value
 * @param key the metric, param or tag key, or the attribute name
 */
record Field(Kind kind, String key) {
  /** The attributes a filter or sort may name. */
  static final List<String> ATTRIBUTES =
      List.of("id", "name", "status", "experiment", "start_time", "end_time", "duration");

  enum Kind {
    METRIC("metrics"), PARAM("params"), TAG("tags"), ATTRIBUTE("attributes");

    final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    /** The kind a prefix names ("metrics", "metric", "params", …), or null. */
    static Kind of(String prefix) {
      switch (prefix.toLowerCase(Locale.ROOT)) {
        case "metrics":
        case "metric":
          return METRIC;
        case "params":
        case "param":
        case "parameters":
          return PARAM;
        case "tags":
        case "tag":
          return TAG;
        case "attributes":
        case "attribute":
        case "attr":
        case "run":
          return ATTRIBUTE;
        default:
          return null;
      }
    }
  }

  /**
   * The canonical attribute name for {@code name} (aliases {@code run_id}, {@code run_name}), or
   * null when there is none.
   */
  static String attribute(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    switch (n) {
      case "run_id":
        return "id";
      case "run_name":
        return "name";
      case "experiment_name":
        return "experiment";
      default:
        return ATTRIBUTES.contains(n) ? n : null;
    }
  }

  /** True when the values of this field are numbers. */
  boolean numeric() {
    return kind == Kind.METRIC || (kind == Kind.ATTRIBUTE
        && (key.equals("start_time") || key.equals("end_time") || key.equals("duration")));
  }

  /**
   * The value of this field in {@code run}: a {@code Double} for numeric fields, a {@code String}
   * otherwise, null when the run has none.
   */
  Object value(RunData run, Map<String, Metric> latest) {
    switch (kind) {
      case METRIC: {
        Metric m = latest.get(key);
        return m == null ? null : m.value();
      }
      case PARAM:
        return run.params().get(key);
      case TAG:
        return run.tags().get(key);
      default:
        return attributeValue(run.info());
    }
  }

  private Object attributeValue(RunInfo info) {
    switch (key) {
      case "id":
        return info.id();
      case "name":
        return info.name();
      case "status":
        return info.status().name();
      case "experiment":
        return info.experimentName();
      case "start_time":
        return info.startTime() > 0 ? (double) info.startTime() : null;
      case "end_time":
        return info.endTime() > 0 ? (double) info.endTime() : null;
      case "duration":
        return info.durationMillis() >= 0 ? (double) info.durationMillis() : null;
      default:
        throw new IllegalStateException("unknown attribute " + key);
    }
  }

  @Override
  public String toString() {
    return kind.prefix + "." + key;
  }
}
