package dev.tracker;

import dev.tracker.internal.Validation;
import dev.tracker.internal.system.SystemSettings;
import dev.tracker.spi.BackendConfig;
import dev.tracker.spi.Backends;
import dev.tracker.spi.Secrets;
import dev.tracker.spi.TrackingBackend;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Checks a {@link Tracker.Builder}'s settings and fills in those not given: system property,
 * then environment variable, then MLflow's variable, then the default.
 */
final class TrackerSettings {
  private TrackerSettings() {}

  /**
   * Checks and completes {@code b} in place.
   *
   * @throws IllegalArgumentException when a setting is invalid, naming it
   */
  static void resolve(Tracker.Builder b) {
    if (b.batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1 but was " + b.batchSize);
    }
    if (b.queueCapacity < 1) {
      throw new IllegalArgumentException(
          "queueCapacity must be at least 1 but was " + b.queueCapacity);
    }
    if (b.flushInterval == null || b.flushInterval.isNegative() || b.flushInterval.isZero()) {
      throw new IllegalArgumentException(
          "flushInterval must be positive but was " + b.flushInterval);
    }
    if (b.closeTimeout == null || b.closeTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "closeTimeout must not be negative but was " + b.closeTimeout);
    }
    if (b.uploadsInFlight == null) {
      String s = setting(b, "tracker.uploadsInFlight", "TRACKER_UPLOADS_IN_FLIGHT", null, null);
      try {
        b.uploadsInFlight = s == null ? Tracker.DEFAULT_UPLOADS_IN_FLIGHT : Integer.parseInt(s);
      } catch (NumberFormatException e) {
        b.uploadsInFlight = 0; // below
      }
      if (b.uploadsInFlight < 1 || b.uploadsInFlight > 64) {
        throw new IllegalArgumentException("tracker.uploadsInFlight / TRACKER_UPLOADS_IN_FLIGHT"
            + " must be an integer from 1 to 64 but was '" + s + "'");
      }
    }
    if (b.uploadsInFlight < 1 || b.uploadsInFlight > 64) {
      throw new IllegalArgumentException("uploadsInFlight must be from 1 to 64 but was "
          + b.uploadsInFlight);
    }
    String uriName = "Tracker.builder().uri(..)";
    if (b.uri == null) {
      uriName = source(b, "tracker.uri", "TRACKER_URI", "MLFLOW_TRACKING_URI");
      // null when none is configured: the backend is told that the URI is the default
      b.uri = setting(b, "tracker.uri", "TRACKER_URI", "MLFLOW_TRACKING_URI", null);
    }
    if (b.backend == null && b.uri != null) {
      b.uri = checkUri(b.uri, uriName).toString();
    }
    if (b.experiment == null) {
      b.experiment = setting(b, "tracker.experiment", "TRACKER_EXPERIMENT",
          "MLFLOW_EXPERIMENT_NAME", Tracker.DEFAULT_EXPERIMENT);
    }
    checkExperimentName(b.experiment);
    if (b.seed == null) {
      String s = setting(b, "tracker.seed", "TRACKER_SEED", null, null);
      if (s != null) {
        try {
          b.seed = Long.parseLong(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "tracker.seed / TRACKER_SEED must be a long integer but was '" + s + "'");
        }
      }
    }
    if (b.resumeRun == null) {
      b.resumeRun = setting(b, "tracker.runId", "MLFLOW_RUN_ID", null, null);
    }
    if (b.systemMetrics == null) {
      b.systemMetrics = BackendConfig.parseFlag(setting(b, "tracker.systemMetrics",
          "TRACKER_SYSTEM_METRICS", "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "false"),
          "tracker.systemMetrics / TRACKER_SYSTEM_METRICS / MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING");
    }
    if (b.systemMetricsInterval == null) {
      String s = setting(b, "tracker.systemMetricsInterval", "TRACKER_SYSTEM_METRICS_INTERVAL",
          "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", null);
      b.systemMetricsInterval = s == null ? Tracker.DEFAULT_SYSTEM_METRICS_INTERVAL
          : SystemSettings.parseInterval(s, "tracker.systemMetricsInterval /"
              + " TRACKER_SYSTEM_METRICS_INTERVAL / MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL");
    } else {
      SystemSettings.checkInterval(b.systemMetricsInterval, "systemMetricsInterval");
    }
  }

  private static String setting(Tracker.Builder b, String property, String env,
      String fallbackEnv, String dflt) {
    String v = b.systemProperties.apply(property);
    if (v == null || v.isBlank()) {
      v = b.environment.apply(env);
    }
    if ((v == null || v.isBlank()) && fallbackEnv != null) {
      v = b.environment.apply(fallbackEnv);
    }
    return v == null || v.isBlank() ? dflt : v.trim();
  }

  /** Which setting {@link #setting} takes its value from, when one has a value. */
  private static String source(Tracker.Builder b, String property, String env,
      String fallbackEnv) {
    String v = b.systemProperties.apply(property);
    if (v != null && !v.isBlank()) {
      return property;
    }
    v = b.environment.apply(env);
    return v != null && !v.isBlank() ? env : fallbackEnv;
  }

  /**
   * The tracking URI {@code text} (given by the setting {@code name}) parsed. A path or {@code
   * file:} URI holding characters a URI must escape ({@code ./my runs}) is taken as the path it
   * names, as MLflow takes it.
   *
   * @throws IllegalArgumentException naming the setting when it is no URI, or names one of
   *     MLflow's database stores, which only an MLflow server opens
   */
  static URI checkUri(String text, String name) {
    String t = text.strip();
    URI uri;
    try {
      uri = new URI(t);
    } catch (URISyntaxException e) {
      uri = quotedPath(t);
      if (uri == null) {
        throw new IllegalArgumentException(name + " must be a URI such as file:./runs or"
            + " http://host:5000 but was '" + Secrets.redactUri(t) + "'");
      }
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    for (String db : DATABASE_SCHEMES) { // MLflow's DATABASE_ENGINES, with a driver: mysql+pymysql
      if (scheme.startsWith(db)) {
        throw new IllegalArgumentException(name + " must be a tracking server's URL"
            + " (http://host:5000) or a folder (file:./runs) but was '" + Secrets.redactUri(t)
            + "', a database that only an MLflow server opens: start one with `mlflow server"
            + " --backend-store-uri <that URI>` and set " + name + " to its URL");
      }
    }
    return uri;
  }

  private static final List<String> DATABASE_SCHEMES =
      List.of("sqlite", "postgresql", "mysql", "mssql");

  /** A bare path or {@code file:} URI with its illegal characters quoted; else null. */
  private static URI quotedPath(String text) {
    try {
      if (text.regionMatches(true, 0, "file:", 0, 5)) {
        return new URI("file", text.substring(5), null);
      }
      if (!text.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")) {
        return new URI(null, null, text, null);
      }
    } catch (URISyntaxException e) {
      // not a path either
    }
    return null;
  }

  /**
   * The backend {@code b} names ({@link Tracker.Builder#backend}), or the one on the class path
   * for its resolved URI, checked to be writable.
   *
   * @throws TrackerException when no backend serves the URI, or the backend cannot start
   */
  static TrackingBackend backend(Tracker.Builder b) {
    if (b.backend != null) {
      return b.backend;
    }
    URI parsed = URI.create(b.uri != null ? b.uri : Tracker.DEFAULT_URI); // checked by resolve
    return Backends.checkWritable(Backends.create(BackendConfig.builder().uri(parsed)
        .defaultUri(b.uri == null).systemProperties(b.systemProperties)
        .environment(b.environment).clock(b.clock).build()));
  }

  /** The name, checked against the rules for experiment names. */
  static String checkExperimentName(String name) {
    return Validation.experimentName(name);
  }
}
