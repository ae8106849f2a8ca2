package dev.tracker.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and string quoting, so that the in-process MLflow server parses
 * every request body the way a real server does without adding a JSON library to this module.
 *
 * <p>Objects become {@code Map<String, Object>} (in order), arrays {@code List<Object>}, strings
 * {@code String}, integers that fit a {@code long} {@code Long}, other numbers {@code Double},
 * and {@code true}, {@code false}, {@code null} themselves.
 */
final class Json {
  private final String s;
  private int i;

  private Json(String s) {
    this.s = s;
  }

  /**
   * Parses one JSON value filling the whole text.
   *
   * @throws IllegalArgumentException naming the offset and what was expected
   */
  static Object parse(String text) {
    Json p = new Json(text);
    p.skipSpace();
    Object v = p.value();
    p.skipSpace();
    if (p.i != text.length()) {
      throw p.error("end of input");
    }
    return v;
  }

  /** {@code value} as a JSON string literal, quotes included. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int k = 0; k < value.length(); k++) {
      char c = value.charAt(k);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private Object value() {
    if (i >= s.length()) {
      throw error("a value");
    }
    char c = s.charAt(i);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("a value");
    }
  }

  private Map<String, Object> object() {
    Map<String, Object> map = new LinkedHashMap<>();
    i++; // {
    skipSpace();
    if (peek() == '}') {
      i++;
      return map;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("a string key");
      }
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      map.put(key, value());
      skipSpace();
      char c = peek();
      i++;
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        i--;
        throw error("',' or '}'");
      }
    }
  }

  private List<Object> array() {
    List<Object> list = new ArrayList<>();
    i++; // [
    skipSpace();
    if (peek() == ']') {
      i++;
      return list;
    }
    while (true) {
      skipSpace();
      list.add(value());
      skipSpace();
      char c = peek();
      i++;
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        i--;
        throw error("',' or ']'");
      }
    }
  }

  private String string() {
    i++; // opening quote
    StringBuilder out = null;
    int start = i;
    while (true) {
      if (i >= s.length()) {
        throw error("a closing '\"'");
      }
      char c = s.charAt(i);
      if (c == '"') {
        String tail = s.substring(start, i++);
        return out == null ? tail : out.append(tail).toString();
      }
      if (c < 0x20) {
        throw error("no raw control character in a string");
      }
      if (c != '\\') {
        i++;
        continue;
      }
      if (out == null) {
        out = new StringBuilder();
      }
      out.append(s, start, i);
      i++;
      if (i >= s.length()) {
        throw error("an escape");
      }
      char e = s.charAt(i++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) {
            throw error("four hex digits");
          }
          try {
            out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          } catch (NumberFormatException x) {
            throw error("four hex digits");
          }
          i += 4;
        }
        default -> {
          i--;
          throw error("a valid escape");
        }
      }
      start = i;
    }
  }

  private Object number() {
    int start = i;
    if (peek() == '-') {
      i++;
    }
    boolean integral = true;
    int digits = skipDigits();
    if (digits == 0) {
      throw error("a digit");
    }
    if (peek() == '.') {
      i++;
      integral = false;
      if (skipDigits() == 0) {
        throw error("a digit after '.'");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      i++;
      integral = false;
      if (peek() == '+' || peek() == '-') {
        i++;
      }
      if (skipDigits() == 0) {
        throw error("a digit in the exponent");
      }
    }
    String text = s.substring(start, i);
    if (integral && digits <= 18) {
      return Long.parseLong(text);
    }
    return Double.parseDouble(text);
  }

  private int skipDigits() {
    int n = 0;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
      n++;
    }
    return n;
  }

  private Object literal(String word, Object value) {
    if (!s.startsWith(word, i)) {
      throw error("'" + word + "'");
    }
    i += word.length();
    return value;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("'" + c + "'");
    }
    i++;
  }

  private char peek() {
    return i < s.length() ? s.charAt(i) : '\0';
  }

  private void skipSpace() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      i++;
    }
  }

  private IllegalArgumentException error(String expected) {
    String found = i >= s.length() ? "end of input" : "'" + s.charAt(i) + "'";
    return new IllegalArgumentException(
        "Expected " + expected + " at offset " + i + " but was " + found);
  }
}
