package dev.tracker.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MLflow's validation rules, applied on the caller's thread so that a run valid here is valid on
 * any MLflow server. Every message names what was checked, the rule, and the value given.
 */
public final class Validation {
  /** MLflow's maximum length of a metric, param or tag key. */
  public static final int MAX_KEY_LENGTH = 250;
  /** MLflow's maximum length of a param value. */
  public static final int MAX_PARAM_VALUE_LENGTH = 6000;
  /** MLflow's maximum length of a tag value. */
  public static final int MAX_TAG_VALUE_LENGTH = 8000;

  /** The most characters of an experiment name (MLflow's limit). */
  public static final int MAX_EXPERIMENT_NAME_LENGTH = 500;
  /** What MLflow's artifact proxy percent-decodes (Python's {@code unquote}). */
  private static final Pattern PERCENT_ESCAPE = Pattern.compile("%[0-9A-Fa-f]{2}");

  /** The key rule as written in messages (MLflow's, with Python's Unicode {@code \w}). */
  public static final String KEY_RULE = "[\\w./ :-]{1,250}";


  // Keys are few and logged many times: remember the valid ones so the hot path is a map lookup.
  private static final int MAX_CACHED_KEYS = 65_536;
  private static final ConcurrentHashMap<String, Boolean> VALID_KEYS = new ConcurrentHashMap<>();

  private Validation() {}

  /**
   * Checks a metric, param or tag key.
   *
   * @param kind what the key names, for the message: "metric", "param" or "tag"
   * @throws IllegalArgumentException naming the key and the rule it breaks
   */
  public static String key(String kind, String key) {
    if (key != null && VALID_KEYS.containsKey(key)) {
      return key;
    }
    String problem = keyProblem(key);
    if (problem != null) {
      throw new IllegalArgumentException(kind + " key " + problem);
    }
    if (VALID_KEYS.size() < MAX_CACHED_KEYS) {
      VALID_KEYS.put(key, Boolean.TRUE);
    }
    return key;
  }

  /** Returns why {@code key} is not a valid key ("must ... but was ..."), or null when it is. */
  static String keyProblem(String key) {
    if (key == null) {
      return "must not be null";
    }
    if (key.isEmpty()) {
      return "must match " + KEY_RULE + " but was empty";
    }
    if (key.isBlank()) {
      // MLflow takes "   ", but no UI or file reader shows such a key usably: a mistake
      return "must not be blank but was '" + key + "'";
    }
    if (length(key) > MAX_KEY_LENGTH) {
      return "must be at most " + MAX_KEY_LENGTH + " characters but was " + length(key)
          + " characters ('" + abbreviate(key) + "')";
    }
    int bad = badKeyChar(key);
    if (bad >= 0) {
      int c = key.codePointAt(bad);
      int type = Character.getType(c);
      return "must match " + KEY_RULE + " but was '" + printable(key) + "'"
          + (type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
              || type == Character.ENCLOSING_MARK ? String.format(" (U+%04X %s at index %d is a"
              + " combining mark, which is not a word character to MLflow)", c,
              Character.getName(c), bad) : "");
    }
    String pathProblem = relativePathProblem(key);
    if (pathProblem != null) {
      return "must be a normalized relative path (" + pathProblem + ") but was '" + key + "'";
    }
    return null;
  }

  /**
   * The index of the first character that is not in {@code [\w./ :-]} with Python's {@code \w}
   * (letters, numbers and '_', as {@code str.isalnum()}), which MLflow's server applies; -1 when
   * there is none. Java's Unicode {@code \w} would also take combining marks (an accent written
   * apart, Indic and Thai vowel signs), joiners and connector punctuation, which MLflow refuses.
   */
  private static int badKeyChar(String key) {
    for (int i = 0; i < key.length(); i += Character.charCount(key.codePointAt(i))) {
      int c = key.codePointAt(i);
      boolean ok = c == '/' || c == '.' || c == '-' || c == ' ' || c == ':' || c == '_'
          || Character.isLetter(c) || switch (Character.getType(c)) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER,
                Character.OTHER_NUMBER -> true;
            default -> false;
          };
      if (!ok) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Checks a relative, normalized path: no empty, "." or ".." segment, no leading or trailing
   * '/'. Used for keys (MLflow stores metrics under them) and for artifact paths.
   *
   * @return what is wrong, or null when the path is fine
   */
  public static String relativePathProblem(String path) {
    if (path.startsWith("/")) {
      return "no leading '/'";
    }
    if (path.endsWith("/")) {
      return "no trailing '/'";
    }
    if (path.contains("//")) {
      return "no doubled '/'";
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..")) {
        return "no '..' segment";
      }
      if (segment.equals(".")) {
        return "no '.' segment";
      }
    }
    return null;
  }

  /**
   * Checks a metric timestamp: milliseconds since the epoch, not before it (MLflow's servers refuse
   * negative timestamps, so a run valid here stays valid there).
   *
   * @throws IllegalArgumentException naming the metric key and the rule
   */
  public static long timestamp(String key, long timestampMillis) {
    if (timestampMillis < 0) {
      throw new IllegalArgumentException("metric '" + key + "' timestamp must be at least 0"
          + " (milliseconds since the epoch) but was " + timestampMillis);
    }
    return timestampMillis;
  }

  /**
   * Checks a param value: not null, at most {@link #MAX_PARAM_VALUE_LENGTH} characters, well-formed
   * UTF-16 (see {@link #wellFormed}). Control characters are allowed, as MLflow stores them.
   */
  public static String paramValue(String key, String value) {
    if (value == null) {
      throw new IllegalArgumentException("param '" + key + "' value must not be null");
    }
    if (length(value) > MAX_PARAM_VALUE_LENGTH) {
      throw new IllegalArgumentException("param '" + key + "' value must be at most "
          + MAX_PARAM_VALUE_LENGTH + " characters but was " + length(value) + " characters");
    }
    return wellFormed("param '" + key + "' value", value);
  }

  /**
   * Checks a tag value: not null, at most {@link #MAX_TAG_VALUE_LENGTH} characters, well-formed
   * UTF-16 (see {@link #wellFormed}). Control characters are allowed, as MLflow stores them.
   */
  public static String tagValue(String key, String value) {
    if (value == null) {
      throw new IllegalArgumentException("tag '" + key + "' value must not be null");
    }
    if (length(value) > MAX_TAG_VALUE_LENGTH) {
      throw new IllegalArgumentException("tag '" + key + "' value must be at most "
          + MAX_TAG_VALUE_LENGTH + " characters but was " + length(value) + " characters");
    }
    return wellFormed("tag '" + key + "' value", value);
  }

  /**
   * Checks that a string is well-formed UTF-16: no lone surrogate (half of a character outside
   * the Basic Multilingual Plane, such as an emoji cut by {@code substring}), which no file or
   * server can store as UTF-8.
   *
   * @param what names the string in the message, e.g. "param 'note' value"
   * @throws IllegalArgumentException naming it, the surrogate and its index
   */
  public static String wellFormed(String what, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(what + " must be well-formed UTF-16 but has a lone"
            + " surrogate " + String.format("\\u%04x", (int) c) + " at index " + i
            + " (half of a character such as an emoji, cut in two)");
      }
    }
    return s;
  }

  /**
   * Checks an experiment name as MLflow does: not null, not blank, at most {@value
   * #MAX_EXPERIMENT_NAME_LENGTH} characters; and well-formed UTF-16. Any other name is valid,
   * {@code /Users/me/exp}, control characters and emoji included; backends map it to what they
   * store.
   *
   * @throws IllegalArgumentException naming the rule and the name
   */
  public static String experimentName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("experiment name must not be null");
    }
    if (name.isBlank()) {
      throw new IllegalArgumentException("experiment name must not be blank");
    }
    if (name.length() > MAX_EXPERIMENT_NAME_LENGTH) {
      throw new IllegalArgumentException("experiment name must be at most "
          + MAX_EXPERIMENT_NAME_LENGTH + " characters but was " + name.length() + " characters");
    }
    return wellFormed("experiment name", name);
  }

  /**
   * Checks an artifact path where it is logged: {@link #relativeArtifactPath}, and stored under
   * that very name by an MLflow server, whose artifact proxy ({@code validate_path_is_safe})
   * refuses a '#' and percent-decodes the path until it stops changing, dropping an empty query or
   * parameters: no '#', no percent-escape such as {@code %2e}, no trailing '?' or ';'. The file
   * backend takes the same paths, so that a run logged to files can be synced to a server.
   *
   * @param what names the argument in the message, e.g. "artifact path"
   */
  public static String artifactPath(String what, String path) {
    String normalized = relativeArtifactPath(what, path);
    String proxy = proxyProblem(normalized);
    if (proxy != null) {
      throw new IllegalArgumentException(what + " must be a name an MLflow server stores as it is"
          + " (" + proxy + ") but was '" + printable(path) + "'");
    }
    return normalized;
  }

  /**
   * Checks that an artifact path stays inside the run's artifacts: relative and normalized (no
   * '..', '.' or empty segment, no drive or NUL; '\' is taken for '/'). What a backend checks
   * where it stores or opens a path.
   *
   * @param what names the argument in the message, e.g. "artifact path"
   */
  public static String relativeArtifactPath(String what, String path) {
    if (path == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (path.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    String normalized = path.replace('\\', '/');
    String problem = relativePathProblem(normalized);
    if (problem != null || normalized.indexOf(':') == 1 || normalized.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " must be a relative path inside the run's"
          + " artifacts (" + (problem == null ? "no drive or NUL" : problem) + ") but was '"
          + printable(path) + "'");
    }
    return normalized;
  }

  private static String proxyProblem(String path) {
    if (path.indexOf('#') >= 0) {
      return "no '#', which it refuses";
    }
    Matcher escape = PERCENT_ESCAPE.matcher(path);
    if (escape.find()) {
      return "no percent-escape such as '" + escape.group() + "', which it decodes";
    }
    if (path.endsWith("?") || path.endsWith(";")) {
      return "no trailing '?' or ';', which it drops";
    }
    return null;
  }

  /**
   * Cuts {@code s} to at most {@code max} characters, never between the two halves of a character
   * such as an emoji (a lone half is refused by {@link #wellFormed}).
   */
  public static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    return s.substring(0, Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max);
  }

  private static String abbreviate(String key) {
    return cut(key, 20) + "…";
  }

  /**
   * The length MLflow's limits count: Python's {@code len()}, in characters (code points), so an
   * emoji counts once, not as its two UTF-16 halves. Cheap when no limit is near.
   */
  private static int length(String s) {
    return s.length() <= MAX_KEY_LENGTH ? s.length() : s.codePointCount(0, s.length());
  }

  /** Shows control characters and surrogates as \\uXXXX so a message never carries raw ones. */
  static String printable(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
      } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
