package dev.tracker.internal.system;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/** Reads the system-metrics settings given as text (system properties, environment variables). */
public final class SystemSettings {
  /** The shortest sampling interval accepted. */
  public static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  private SystemSettings() {}

  /**
   * Seconds as a decimal number ("10", "0.5", as MLflow's {@code
   * MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL}) or an ISO-8601 duration ("PT10S"), at least {@link
   * #MIN_INTERVAL}.
   *
   * @param names the setting's names, for the message
   * @throws IllegalArgumentException naming the setting and the value otherwise
   */
  public static Duration parseInterval(String value, String names) {
    String v = value.trim();
    Duration d;
    try {
      if (v.startsWith("P") || v.startsWith("p")) {
        d = Duration.parse(v);
      } else {
        BigDecimal seconds = new BigDecimal(v);
        d = Duration.ofNanos(seconds.movePointRight(9).longValueExact());
      }
    } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(names + " must be a number of seconds (10, 0.5) or an"
          + " ISO-8601 duration (PT10S) but was '" + value + "'");
    }
    return checkInterval(d, names);
  }

  /**
   * Checks an interval.
   *
   * @throws IllegalArgumentException when null or shorter than {@link #MIN_INTERVAL}
   */
  public static Duration checkInterval(Duration interval, String name) {
    if (interval == null || interval.compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException(name + " must be at least " + MIN_INTERVAL.toMillis()
          + " ms but was " + (interval == null ? "null" : interval.toMillis() + " ms"));
    }
    return interval;
  }
}
