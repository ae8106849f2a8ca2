package dev.tracker;

import dev.tracker.internal.Validation;

/**
 * A run tag. Unlike params, tags may be set again with another value; the last one wins.
 *
 * @param key the name, matching {@code [\w./ :-]{1,250}} as a normalized
 *     relative path, not only spaces
 * @param value the value, at most 8000 characters
 */
public record Tag(String key, String value) {
  /**
   * Validates key and value.
   *
   * @throws IllegalArgumentException naming the key and the broken rule
   */
  public Tag {
    Validation.key("tag", key);
    Validation.tagValue(key, value);
  }
}
