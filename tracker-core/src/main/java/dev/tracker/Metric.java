package dev.tracker;

import dev.tracker.internal.Validation;

/**
 * One metric point: a value of a key at a step and a time.
 *
 * <p>Any {@code double} is a valid value: NaN and the infinities are recorded as such, since a
 * NaN loss is what a user needs to see.
 *
 * @param key the metric's name, matching {@code [\w./ :-]{1,250}} as a normalized
 *     relative path, not only spaces
 * @param value the value
 * @param timestamp milliseconds since the epoch, at least 0 (MLflow refuses earlier times)
 * @param step the step (MLflow's default is 0)
 */
public record Metric(String key, double value, long timestamp, long step) {
  /**
   * Validates the key and the timestamp.
   *
   * @throws IllegalArgumentException when the key breaks the rule or the timestamp is before the
   *     epoch, naming key and rule
   */
  public Metric {
    Validation.key("metric", key);
    Validation.timestamp(key, timestamp);
  }
}
