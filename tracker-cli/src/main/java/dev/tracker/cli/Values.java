package dev.tracker.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How numbers, times and durations are written. */
final class Values {
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
  private static final DateTimeFormatter LOCAL_SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private Values() {}

  /** A number for people: at most {@code digits} significant digits, no trailing zeros. */
  static String number(double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return nonFinite(v);
    }
    if (v == 0) {
      return "0";
    }
    BigDecimal d = new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN))
        .stripTrailingZeros();
    int exponent = d.precision() - d.scale() - 1;
    if (exponent < -5 || exponent >= 15) {
      return d.toString().replace("E+", "e+").replace("E-", "e-");
    }
    return d.toPlainString();
  }

  /**
   * Text safe to print to a terminal: line breaks and tabs become spaces, other control
   * characters (which could move the cursor or recolour the terminal) and the characters that
   * reorder text (bidirectional overrides, line and paragraph separators) are written as Java's
   * unicode escapes (ESC as a backslash, then u001b). Null stays null.
   */
  static String printable(String s) {
    if (s == null) {
      return null;
    }
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean space = c == '\n' || c == '\r' || c == '\t';
      boolean escape = !space && (Character.isISOControl(c) || (c >= 0x2028 && c <= 0x202e)
          || (c >= 0x2066 && c <= 0x2069));
      if ((space || escape) && sb == null) {
        sb = new StringBuilder(s.length() + 8).append(s, 0, i);
      }
      if (space) {
        sb.append(' ');
      } else if (escape) {
        sb.append(String.format("\\u%04x", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  /**
   * A message for the terminal: each line {@link #printable}, the line breaks kept. Messages
   * quote what runs hold (names, ids, a YAML file's bad line), which must not reach the terminal
   * as control sequences.
   */
  static String printableMessage(String s) {
    if (s == null) {
      return null;
    }
    return Arrays.stream(s.split("\n", -1)).map(Values::printable)
        .collect(Collectors.joining("\n"));
  }

  /** A number for tables: 6 significant digits. */
  static String number(double v) {
    return number(v, 6);
  }

  /** A signed difference for tables: "+0.1", "-2", "0". */
  static String change(double delta) {
    String s = number(delta);
    return delta > 0 ? "+" + s : s;
  }

  /**
   * A number for scripts: the shortest text that reads back as the same double ("50" for 50.0),
   * and "NaN", "Infinity", "-Infinity".
   */
  static String exact(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return nonFinite(v);
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  private static String nonFinite(double v) {
    return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  }

  /** True when {@code s} reads as a number ("0.1", "-3", "1e-5", "NaN"). */
  static boolean isNumber(String s) {
    return toDouble(s) != null;
  }

  /** The double {@code s} reads as, or null. */
  static Double toDouble(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    String t = s.trim();
    switch (t) {
      case "NaN":
        return Double.NaN;
      case "Infinity":
      case "+Infinity":
        return Double.POSITIVE_INFINITY;
      case "-Infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    // Double.parseDouble also takes "0x1p3", "1d", " 1": params like those are text
    if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
      return null;
    }
    return Double.parseDouble(t);
  }

  /** A time for tables, to the minute, in {@code zone}; "-" for 0 (unknown). */
  static String time(long millis, ZoneId zone) {
    return millis <= 0 ? "-" : LOCAL.format(Instant.ofEpochMilli(millis).atZone(zone));
  }

  /** A time for details, to the second, in {@code zone}; "-" for 0 (unknown). */
  static String timeSeconds(long millis, ZoneId zone) {
    return millis <= 0 ? "-" : LOCAL_SECONDS.format(Instant.ofEpochMilli(millis).atZone(zone));
  }

  /** A time for scripts: ISO-8601 in UTC, or null for 0 (unknown). */
  static String iso(long millis) {
    return millis <= 0 ? null : Instant.ofEpochMilli(millis).toString();
  }

  /** A duration for tables: "420ms", "2.5s", "12s", "3m05s", "2h03m", "3d04h"; "-" if unknown. */
  static String duration(long millis) {
    if (millis < 0) {
      return "-";
    }
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis < 10_000) {
      return number(Math.round(millis / 100.0) / 10.0) + "s";
    }
    long s = Math.round(millis / 1000.0);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
    }
    return String.format("%dd%02dh", s / 86_400, s % 86_400 / 3600);
  }
}
