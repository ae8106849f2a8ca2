package dev.tracker.http.testing;

import static dev.tracker.http.testing.Wire.pyRepr;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tracker.http.testing.Wire.Failure;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * MLflow 3.6's checks of metric, param and tag keys and values ({@code mlflow/utils/
 * validation.py}), with its messages: a key of alphanumerics (Python's Unicode {@code \w}),
 * {@code / . - :} and spaces that a path normalization leaves unchanged, at most 250 characters;
 * param values beyond 6000 and tag values beyond 8000 characters cut to that length, as the
 * server does by default ({@code MLFLOW_TRUNCATE_LONG_VALUES}). Lengths count code points, as
 * Python's {@code len} does.
 */
final class Validation {
  static final int MAX_KEY_LENGTH = 250;
  static final int MAX_PARAM_VALUE_LENGTH = 6000;
  static final int MAX_TAG_VALUE_LENGTH = 8000;

  private static final String BAD_CHARACTERS = "Names may only contain alphanumerics,"
      + " underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).";

  private Validation() {}

  /**
   * Checks a metric key ({@code _validate_metric_name}, then the length); {@code path} is where
   * it was in the request: "name" for log-metric, "metrics[3].name" for log-batch.
   */
  static void metricKey(String key, String path) {
    name(key, path);
    length("Metric name", key, MAX_KEY_LENGTH);
  }

  /** Checks a param key; {@code prefix} is "" for log-parameter, "params[3]" for log-batch. */
  static void paramKey(String key, String prefix) {
    name(key, at(prefix, "key"));
    length("Param key", key, MAX_KEY_LENGTH);
  }

  /** Checks a tag key; {@code prefix} is "" for set-tag, "tags[3]" for log-batch. */
  static void tagKey(String key, String prefix) {
    name(key, at(prefix, "key"));
    length(at(prefix, "key"), key, MAX_KEY_LENGTH);
  }

  /** A value cut to {@code max} code points, as the server stores it. */
  static String truncated(String value, int max) {
    return value == null || value.codePointCount(0, value.length()) <= max ? value
        : value.substring(0, value.offsetByCodePoints(0, max));
  }

  /** A metric timestamp, which must not be negative. */
  static void timestamp(String key, double value, long timestamp, String prefix) {
    if (timestamp < 0) {
      throw invalid(invalidValue(at(prefix, "timestamp"), Long.toString(timestamp), "metric '"
          + key + "' (value=" + pyFloat(value) + "). Timestamp must be a nonnegative long"
          + " (64-bit integer) "));
    }
  }

  private static void name(String key, String path) {
    if (!validChars(key)) {
      throw invalid(invalidValue(path, json(key), BAD_CHARACTERS));
    }
    String norm = normpath(key);
    if (!norm.equals(key) || norm.equals(".") || norm.startsWith("..") || norm.startsWith("/")) {
      throw invalid(invalidValue(path, json(key), "Names may be treated as files in certain"
          + " cases, and must not resolve to other names when treated as such. This name would"
          + " resolve to " + pyRepr(norm)));
    }
  }

  private static void length(String what, String value, int max) {
    if (value.codePointCount(0, value.length()) > max) {
      throw invalid("'" + what + "' exceeds the maximum length of " + max + " characters");
    }
  }

  /** {@code ^[/\w.\- :]*$} with Python's Unicode {@code \w}. */
  private static boolean validChars(String key) {
    return key.codePoints().allMatch(c -> c == '/' || c == '.' || c == '-' || c == ' '
        || c == ':' || word(c));
  }

  /** Python's Unicode {@code \w}: str.isalnum() (letters and numbers, not marks) or '_'. */
  static boolean word(int c) {
    return c == '_' || Character.isLetterOrDigit(c)
        || Character.getType(c) == Character.LETTER_NUMBER
        || Character.getType(c) == Character.OTHER_NUMBER;
  }

  /** A registered model alias ({@code _validate_model_alias_name}). */
  static void alias(String alias) {
    if (!alias.codePoints().allMatch(c -> c == '-' || word(c))) {
      throw invalid("Invalid alias name: '" + alias + "'. Names may only contain alphanumerics,"
          + " underscores (_), and dashes (-).");
    }
    length("Registered model alias name", alias, 255);
    if (alias.equalsIgnoreCase("latest")) {
      throw invalid("'latest' alias name (case insensitive) is reserved.");
    }
    if (alias.length() > 1 && (alias.charAt(0) == 'v' || alias.charAt(0) == 'V')
        && alias.substring(1).codePoints().allMatch(Character::isDigit)) {
      throw invalid("Version alias name '" + alias + "' is reserved.");
    }
  }

  /** Python's {@code posixpath.normpath}. */
  static String normpath(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    int initial = path.startsWith("/") ? (path.startsWith("//") && !path.startsWith("///") ? 2
        : 1) : 0;
    Deque<String> parts = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (!part.equals("..") || (initial == 0 && (parts.isEmpty()
          || parts.peekLast().equals("..")))) {
        parts.addLast(part);
      } else if (!parts.isEmpty()) {
        parts.removeLast();
      }
    }
    String out = "/".repeat(initial) + String.join("/", parts);
    return out.isEmpty() ? "." : out;
  }

  /** {@code invalid_value}: the value as json.dumps writes it. */
  private static String invalidValue(String path, String dumped, String message) {
    return "Invalid value " + dumped + " for parameter '" + path + "' supplied: " + message;
  }

  /** A string as Python's json.dumps writes it: non-ASCII characters as \\uXXXX escapes. */
  static String json(String s) {
    String quoted;
    try {
      quoted = Wire.JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder b = new StringBuilder();
    for (char c : quoted.toCharArray()) {
      b.append(c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return b.toString();
  }

  private static String pyFloat(double v) {
    return Double.isNaN(v) ? "nan" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf")
        : Double.toString(v);
  }

  private static String at(String prefix, String field) {
    return prefix.isEmpty() ? field : prefix + "." + field;
  }

  private static Failure invalid(String message) {
    return new Failure(400, "INVALID_PARAMETER_VALUE", message);
  }
}
