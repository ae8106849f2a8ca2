package dev.tracker.cli;

import java.util.Collection;
import java.util.Map;

/**
 * A small JSON writer for the {@code --format json} output: maps, lists, strings, numbers,
 * booleans and null, pretty-printed with two spaces. Non-finite numbers are written as the strings
 * "NaN", "Infinity" and "-Infinity", as MLflow's REST API writes them.
 */
final class Json {
  private final StringBuilder out = new StringBuilder();

  private Json() {}

  /** The JSON text of {@code value}, ending with a newline. */
  static String write(Object value) {
    Json json = new Json();
    json.value(value, 0);
    return json.out.append('\n').toString();
  }

  private void value(Object v, int indent) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      string(s);
    } else if (v instanceof Boolean b) {
      out.append(b);
    } else if (v instanceof Double d) {
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        string(Values.exact(d));
      } else {
        out.append(Values.exact(d));
      }
    } else if (v instanceof Float f) {
      value(f.doubleValue(), indent);
    } else if (v instanceof Number n) {
      out.append(n.longValue());
    } else if (v instanceof Map<?, ?> m) {
      object(m, indent);
    } else if (v instanceof Collection<?> c) {
      array(c, indent);
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
    }
  }

  private void object(Map<?, ?> m, int indent) {
    if (m.isEmpty()) {
      out.append("{}");
      return;
    }
    out.append('{');
    String sep = "\n";
    for (Map.Entry<?, ?> e : m.entrySet()) {
      out.append(sep);
      indent(indent + 1);
      string(String.valueOf(e.getKey()));
      out.append(": ");
      value(e.getValue(), indent + 1);
      sep = ",\n";
    }
    out.append('\n');
    indent(indent);
    out.append('}');
  }

  private void array(Collection<?> c, int indent) {
    if (c.isEmpty()) {
      out.append("[]");
      return;
    }
    out.append('[');
    String sep = "\n";
    for (Object o : c) {
      out.append(sep);
      indent(indent + 1);
      value(o, indent + 1);
      sep = ",\n";
    }
    out.append('\n');
    indent(indent);
    out.append(']');
  }

  private void indent(int n) {
    out.append("  ".repeat(n));
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
