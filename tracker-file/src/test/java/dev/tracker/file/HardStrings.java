package dev.tracker.file;

import java.util.List;

/**
 * Strings that YAML readers take for something else when written plain, or that only an escape
 * carries: every one must read back as exactly itself, from SnakeYAML, PyYAML and the backend.
 */
final class HardStrings {
  /** Values that a YAML 1.1 or 1.2 reader resolves to another type, or that need quotes. */
  static final List<String> TYPED_WHEN_PLAIN = List.of(
      "=", "<<", "~", "", "null", "Null", "NULL",
      "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off",
      "OFF", "True", "TRUE", "False", "FALSE",
      "0x1f", "0x_1F", "-0x1f", "0o17", "0b101", "0b1_0", "0777", "+12", "-0", "1_000",
      "1:20", "-190:20:30", "1:20.5", "1_0.5", ".5", "1.", "1e3", "1.5e3", "1.0e+3", "6.8523015e+5",
      ".nan", ".NaN", ".NAN", ".inf", "-.inf", "+.INF", "NaN", "nan", "Infinity", "-Infinity",
      "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
      "2002-1-2 1:02:03", "!", "&", "*", "a: b", "- x", "#x", "'q'", "\"dq\"", "@at", "`bt",
      "%p", "|", ">", "? q", "...", "---", "[1]", "{a: 1}", "trailing ", " leading", "é",
      "ünï: \"x\"", "loss🔥");

  /** Values holding control characters or line breaks (C0, C1, DEL, NEL, U+2028, BOM, …). */
  static final List<String> CONTROL = List.of(
      "\0", "a\0b", "\u001b[31mred\u001b[0m", "\u0007bell", "\u007f", "\u0080", "\u0085",
      "a\u0085b", "\u009f", "\r", "a\r\nb", "line1\nline2", "\ttab", "tab\t", "a\u2028b",
      "a\u2029b", "\ufeffbom", "x\ufffe", "\u0001\u0002\u0003\u0004\u0005\u0006\u0008\u000b\u000c"
          + "\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a"
          + "\u001c\u001d\u001e\u001f");

  /** Valid keys that a YAML 1.1 reader takes for another type when written plain. */
  static final List<String> TYPED_KEYS = List.of(
      "yes", "no", "on", "off", "null", "true", "y", "1", "1.5", "1:20", "0x1f", "1_000",
      "2001-12-14", ".inf", ".nan", "NaN");

  private HardStrings() {}

  /** Every value under a key of its own ("v0", "v1", …), then each typed key as its own value. */
  static java.util.Map<String, String> asParams() {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    List<String> values = values();
    for (int i = 0; i < values.size(); i++) {
      out.put("v" + i, values.get(i));
    }
    for (String key : TYPED_KEYS) {
      out.put(key, key);
    }
    return out;
  }

  /** Every value of both lists. */
  static List<String> values() {
    return java.util.stream.Stream.concat(TYPED_WHEN_PLAIN.stream(), CONTROL.stream()).toList();
  }
}
