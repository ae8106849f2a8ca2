package dev.tracker;

import dev.tracker.internal.Validation;

/**
 * A run parameter. Params are write-once: logging the same key with another value is an error.
 *
 * @param key the name, matching {@code [\w./ :-]{1,250}} as a normalized
 *     relative path, not only spaces
 * @param value the value's string form, at most 6000 characters
 */
public record Param(String key, String value) {
  /**
   * Validates key and value.
   *
   * @throws IllegalArgumentException naming the key and the broken rule
   */
  public Param {
    Validation.key("param", key);
    Validation.paramValue(key, value);
  }
}
