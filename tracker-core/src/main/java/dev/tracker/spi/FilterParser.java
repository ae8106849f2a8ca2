package dev.tracker.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads MLflow's {@code search_runs} syntax: a filter (comparisons joined by {@code and}) and
 * {@code order_by} clauses. Every mistake is an {@link IllegalArgumentException} that names the
 * token and its 1-based position.
 */
final class FilterParser {
  /** A comparison of a filter; {@code value} is a Double, a String or a list of Strings. */
  record Comparison(SearchKey key, String op, Object value) {}

  /** One {@code order_by} clause. */
  record OrderKey(SearchKey key, boolean ascending) {}

  private enum Type { KEY, WORD, NUMBER, STRING, OP, LPAREN, RPAREN, COMMA, END }

  private record Token(Type type, int pos, String raw, Object value) {
    String describe() {
      return type == Type.END ? "the end" : "'" + raw + "'";
    }

    boolean is(String word) {
      return type == Type.WORD && raw.equalsIgnoreCase(word);
    }
  }

  private static final Pattern NUMBER =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern SINGLE_QUOTED =
      Pattern.compile("'(?:[^'\\\\]++|''|\\\\\\\\|\\\\'|\\\\)*'");
  private static final Pattern DOUBLE_QUOTED =
      Pattern.compile("\"(?:[^\"\\\\]++|\"\"|\\\\\\\\|\\\\\"|\\\\)*\"");
  private static final Pattern BACKQUOTED = Pattern.compile("`(?:[^`]++|``)*`");
  private static final Set<String> TEXT_OPS = Set.of("=", "!=", "LIKE", "ILIKE");
  private static final Set<String> NUMBER_OPS = Set.of("=", "!=", "<", "<=", ">", ">=");
  // MLflow's run statuses: a server may hold SCHEDULED runs, which Tracker never makes
  private static final List<String> STATUSES =
      List.of("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED");

  private final String text;
  private final String label;
  private final List<Token> tokens = new ArrayList<>();
  private int i;
  private int at;

  private FilterParser(String text, String label) {
    this.text = text;
    this.label = label;
    Token t;
    do {
      t = next();
      tokens.add(t);
    } while (t.type != Type.END);
  }

  /** The comparisons of a filter; none for a blank one. */
  static List<Comparison> filter(String text) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    return new FilterParser(text, "filter").comparisons();
  }

  /** One {@code order_by} clause: a key, then {@code ASC} (the default) or {@code DESC}. */
  static OrderKey orderBy(String clause) {
    FilterParser p = new FilterParser(clause == null ? "" : clause, "order_by '" + clause + "'");
    Token t = p.take();
    if (t.type != Type.KEY) {
      throw p.error(t, "expected metrics.KEY, params.KEY, tags.KEY or attributes.NAME but found "
          + t.describe());
    }
    Token dir = p.take();
    boolean ascending = true;
    if (dir.is("ASC") || dir.is("DESC")) {
      ascending = dir.is("ASC");
      dir = p.take();
    }
    if (dir.type != Type.END) {
      throw p.error(dir, "expected ASC, DESC or the end but found " + dir.describe());
    }
    return new OrderKey((SearchKey) t.value, ascending);
  }

  // ------------------------------------------------------------------------------- parser

  private List<Comparison> comparisons() {
    List<Comparison> out = new ArrayList<>();
    while (true) {
      out.add(comparison());
      Token t = take();
      if (t.type == Type.END) {
        return List.copyOf(out);
      }
      if (t.is("or")) {
        throw error(t, "'" + t.raw + "' is not supported; comparisons join with 'and' only");
      }
      if (!t.is("and")) {
        throw error(t, "expected 'and' or the end but found " + t.describe());
      }
    }
  }

  private Comparison comparison() {
    Token k = take();
    if (k.type != Type.KEY) {
      throw error(k, "expected metrics.KEY, params.KEY, tags.KEY or attributes.NAME but found "
          + k.describe());
    }
    SearchKey key = (SearchKey) k.value;
    Token o = take();
    String op;
    if (o.type == Type.OP) {
      op = o.raw;
    } else if (o.is("LIKE") || o.is("ILIKE") || o.is("IN")) {
      op = o.raw.toUpperCase(Locale.ROOT);
    } else if (o.is("NOT") && tokens.get(at).is("IN")) {
      take();
      op = "NOT IN";
    } else {
      throw error(o, "expected a comparator after " + k.raw + " but found " + o.describe());
    }
    boolean runId = key.kind() == SearchKey.Kind.ATTRIBUTE && key.key().equals("run_id");
    if (op.endsWith("IN")) {
      if (!runId) {
        throw error(o, "'" + op + "' compares attributes.run_id only, not " + key);
      }
      return new Comparison(key, op, list());
    }
    Set<String> allowed = key.numeric() ? NUMBER_OPS : TEXT_OPS;
    if (!allowed.contains(op)) {
      throw error(o, "invalid comparator '" + op + "' for " + key + ": not one of "
          + ordered(allowed));
    }
    Token v = take();
    if (key.numeric() && v.type != Type.NUMBER) {
      throw error(v, "expected a number after " + k.raw + " " + op + " but found "
          + v.describe());
    }
    if (!key.numeric() && v.type != Type.STRING) {
      throw error(v, "expected a quoted string after " + k.raw + " " + op + " but found "
          + v.describe());
    }
    if (key.kind() == SearchKey.Kind.ATTRIBUTE && key.key().equals("status")
        && (op.equals("=") || op.equals("!=")) && !STATUSES.contains(v.value)) {
      throw error(v, "attributes.status is one of " + String.join(", ", STATUSES) + " but was "
          + v.describe());
    }
    return new Comparison(key, op, v.value);
  }

  private List<String> list() {
    Token open = take();
    if (open.type != Type.LPAREN) {
      throw error(open, "expected '(' but found " + open.describe());
    }
    List<String> values = new ArrayList<>();
    while (true) {
      Token v = take();
      if (v.type != Type.STRING) {
        throw error(v, "expected a quoted run id but found " + v.describe());
      }
      values.add((String) v.value);
      Token sep = take();
      if (sep.type == Type.RPAREN) {
        return List.copyOf(values);
      }
      if (sep.type != Type.COMMA) {
        throw error(sep, "expected ',' or ')' but found " + sep.describe());
      }
    }
  }

  private static String ordered(Set<String> ops) {
    List<String> all = List.of("=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE");
    return all.stream().filter(ops::contains).map(s -> "'" + s + "'")
        .collect(Collectors.joining(", "));
  }

  private Token take() {
    Token t = tokens.get(at);
    if (t.type != Type.END) {
      at++;
    }
    return t;
  }

  private IllegalArgumentException error(Token t, String message) {
    return error(t.pos, message);
  }

  private IllegalArgumentException error(int pos, String message) {
    return new IllegalArgumentException("bad " + label + " at position " + pos + ": " + message);
  }

  // -------------------------------------------------------------------------------- lexer

  private Token next() {
    while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    int start = i;
    if (i >= text.length()) {
      return new Token(Type.END, i + 1, "", null);
    }
    char c = text.charAt(i);
    if (c == '(' || c == ')' || c == ',') {
      i++;
      return new Token(c == '(' ? Type.LPAREN : c == ')' ? Type.RPAREN : Type.COMMA,
          start + 1, String.valueOf(c), null);
    }
    if ("=!<>".indexOf(c) >= 0) {
      String op = text.startsWith("!=", i) || text.startsWith("<=", i)
          || text.startsWith(">=", i) ? text.substring(i, i + 2) : text.substring(i, i + 1);
      if (op.equals("!")) {
        throw error(start + 1, "unexpected character '!' (did you mean '!='?)");
      }
      i += op.length();
      return new Token(Type.OP, start + 1, op, null);
    }
    if (c == '\'' || c == '"') {
      String value = quoted(c);
      return new Token(Type.STRING, start + 1, text.substring(start, i), value);
    }
    if (Character.isDigit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < text.length()
        && (Character.isDigit(text.charAt(i + 1)) || text.charAt(i + 1) == '.'))) {
      Matcher m = NUMBER.matcher(text).region(i, text.length());
      if (!m.lookingAt()) {
        throw error(start + 1, "bad number");
      }
      i = m.end();
      String raw = text.substring(start, i);
      return new Token(Type.NUMBER, start + 1, raw, Double.parseDouble(raw));
    }
    if (Character.isLetter(c) || c == '_' || c == '`') {
      return word(start);
    }
    throw error(start + 1, "unexpected character '" + c + "'");
  }

  /**
   * A quoted text from {@code i}, as MLflow reads it: its grammar (sqlparse's literals) does not
   * end a text at a doubled quote, {@code \\} or an escaped quote, and MLflow strips the outer
   * quotes only, so the text is kept as written: {@code 'a\'b'} is {@code a\'b}, and a value
   * holding a single quote is written in double quotes. The literal's pattern is sqlparse's, with
   * runs of plain characters taken at once so that a long value does not nest the regex deeply.
   */
  private String quoted(char quote) {
    Matcher m = (quote == '\'' ? SINGLE_QUOTED : quote == '"' ? DOUBLE_QUOTED : BACKQUOTED)
        .matcher(text).region(i, text.length());
    if (!m.lookingAt()) {
      throw error(i + 1, "the quote " + quote + " is never closed");
    }
    i = m.end();
    return text.substring(m.start() + 1, m.end() - 1);
  }

  private Token word(int start) {
    if (text.charAt(i) == '`') {
      throw error(start + 1, "expected metrics., params., tags. or attributes. before '`'");
    }
    while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i))
        || text.charAt(i) == '_')) {
      i++;
    }
    String word = text.substring(start, i);
    if (i >= text.length() || text.charAt(i) != '.') {
      return new Token(Type.WORD, start + 1, word, null);
    }
    SearchKey.Kind kind = SearchKey.Kind.of(word);
    if (kind == null) {
      throw error(start + 1, "unknown identifier type '" + word
          + "'; expected metrics., params., tags. or attributes.");
    }
    i++;
    int keyStart = i;
    String key;
    if (i < text.length() && (text.charAt(i) == '`' || text.charAt(i) == '"')) {
      key = quoted(text.charAt(i));
    } else {
      while (i < text.length() && isKeyChar(text.charAt(i))) {
        i++;
      }
      key = text.substring(keyStart, i);
      // MLflow's grammar (sqlparse) reads '-' and '/' as operators and ':' as punctuation, so
      // the server refuses such a key unquoted: refused here too, with the fix
      for (char c : key.toCharArray()) {
        if (c == '-' || c == '/' || c == ':') {
          throw error(keyStart + 1, "the key '" + key + "' holds '" + c + "', which MLflow"
              + " reads as an operator; write it in backquotes: " + word + ".`" + key + "`");
        }
      }
    }
    if (key.isEmpty()) {
      throw error(keyStart + 1, "expected a key after '" + word + ".'");
    }
    if (kind == SearchKey.Kind.ATTRIBUTE) {
      String attribute = SearchKey.attribute(key);
      if (attribute == null) {
        throw error(keyStart + 1, "unknown attribute '" + key + "'; attributes are "
            + String.join(", ", SearchKey.ATTRIBUTES));
      }
      key = attribute;
    }
    return new Token(Type.KEY, start + 1, text.substring(start, i), new SearchKey(kind, key));
  }

  private static boolean isKeyChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '/' || c == ':'
        || c == '-';
  }
}
