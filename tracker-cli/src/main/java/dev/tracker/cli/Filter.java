package dev.tracker.cli;

import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A run filter in MLflow's search syntax, with {@code or} and parentheses added:
 *
 * <pre>
 * metrics.accuracy &gt; 0.9 and (params.lr = 0.1 or tags.stage = 'final')
 * attributes.status != 'FAILED'
 * </pre>
 *
 * <p>A comparison is a field ({@code metrics.KEY}: the last value, {@code params.KEY}, {@code
 * tags.KEY}, {@code attributes.NAME}), an operator ({@code = != < <= > >=}) and a number or a
 * quoted string. A number compares numerically (a param or tag that is not a number never
 * matches); a string compares as text. A run without the field never matches. {@code and} binds
 * tighter than {@code or}; keywords are case-insensitive; a key with other characters is quoted
 * with backticks or double quotes ({@code metrics.`val loss`}).
 */
final class Filter {
  /** The filter every run passes. */
  static final Filter ALL = new Filter("", (run, latest) -> true);

  private interface Node {
    boolean test(RunData run, Map<String, Metric> latest);
  }

  private final String text;
  private final Node root;

  private Filter(String text, Node root) {
    this.text = text;
    this.root = root;
  }

  /**
   * Parses a filter.
   *
   * @param option the option the text came from, for messages ("--filter")
   * @throws UserException naming the position (1-based) and what was expected
   */
  static Filter parse(String text, String option) {
    if (text == null || text.isBlank()) {
      return ALL;
    }
    Parser p = new Parser(Lexer.tokens(text, option), option);
    return new Filter(text, p.parse());
  }

  /** True when {@code run} passes. */
  boolean test(RunData run) {
    return root.test(run, run.latestMetrics());
  }

  @Override
  public String toString() {
    return text;
  }

  // ------------------------------------------------------------------------------------ lexer

  enum Type { FIELD, WORD, NUMBER, STRING, OP, AND, OR, LPAREN, RPAREN, END }

  /**
   * A token.
   *
   * @param pos its 1-based position in the text
   * @param raw its text as written
   */
  record Token(Type type, int pos, String raw, Field field, Object literal) {
    String describe() {
      return type == Type.END ? "the end" : type == Type.STRING ? raw : "'" + raw + "'";
    }
  }

  /** Turns a filter (or a sort key) into tokens. */
  static final class Lexer {
    private final String s;
    private final String option;
    private int i;

    private Lexer(String s, String option) {
      this.s = s;
      this.option = option;
    }

    static List<Token> tokens(String text, String option) {
      Lexer lx = new Lexer(text, option);
      List<Token> out = new ArrayList<>();
      Token t;
      do {
        t = lx.next();
        out.add(t);
      } while (t.type != Type.END);
      return out;
    }

    UserException error(int pos, String message) {
      return new UserException("bad " + option + " at position " + pos + ": " + message);
    }

    private Token next() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      int start = i;
      if (i >= s.length()) {
        return new Token(Type.END, i + 1, "", null, null);
      }
      char c = s.charAt(i);
      if (c == '(' || c == ')') {
        i++;
        return new Token(c == '(' ? Type.LPAREN : Type.RPAREN, start + 1, String.valueOf(c),
            null, null);
      }
      if ("=!<>".indexOf(c) >= 0) {
        return operator(start);
      }
      if (c == '\'' || c == '"') {
        String value = quoted(c);
        return new Token(Type.STRING, start + 1, s.substring(start, i), null, value);
      }
      if (Character.isDigit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < s.length()
          && (Character.isDigit(s.charAt(i + 1)) || s.charAt(i + 1) == '.'))) {
        return number(start);
      }
      if (Character.isLetter(c) || c == '_') {
        return word(start);
      }
      throw error(start + 1, "unexpected character '" + c + "'");
    }

    private Token operator(int start) {
      String two = s.startsWith("==", i) || s.startsWith("!=", i) || s.startsWith("<=", i)
          || s.startsWith(">=", i) || s.startsWith("<>", i) ? s.substring(i, i + 2) : null;
      String op = two != null ? two : s.substring(i, i + 1);
      if (op.equals("!")) {
        throw error(start + 1, "unexpected character '!' (did you mean '!='?)");
      }
      i += op.length();
      String canonical = op.equals("==") ? "=" : op.equals("<>") ? "!=" : op;
      return new Token(Type.OP, start + 1, op, null, canonical);
    }

    private String quoted(char quote) {
      int start = i;
      StringBuilder sb = new StringBuilder();
      i++;
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '\\' && i < s.length()) {
          sb.append(s.charAt(i++));
        } else if (c == quote) {
          return sb.toString();
        } else {
          sb.append(c);
        }
      }
      throw error(start + 1, "the quote " + quote + " is never closed");
    }

    private Token number(int start) {
      java.util.regex.Matcher m = NUMBER.matcher(s).region(i, s.length());
      if (!m.lookingAt()) {
        throw error(start + 1, "bad number");
      }
      i = m.end();
      if (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_'
          || s.charAt(i) == '.')) {
        int end = i;
        while (end < s.length() && !Character.isWhitespace(s.charAt(end))
            && "()=!<>".indexOf(s.charAt(end)) < 0) {
          end++;
        }
        throw error(start + 1, "'" + s.substring(start, end)
            + "' is not a number; quote text: '" + s.substring(start, end) + "'");
      }
      String raw = s.substring(start, i);
      return new Token(Type.NUMBER, start + 1, raw, null, Double.parseDouble(raw));
    }

    private Token word(int start) {
      while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
        i++;
      }
      String word = s.substring(start, i);
      if (i < s.length() && s.charAt(i) == '.') {
        Field.Kind kind = Field.Kind.of(word);
        if (kind == null) {
          throw error(start + 1, "unknown field kind '" + word
              + "'; expected metrics., params., tags. or attributes.");
        }
        i++;
        int keyStart = i;
        String key;
        if (i < s.length() && (s.charAt(i) == '`' || s.charAt(i) == '"')) {
          key = quoted(s.charAt(i));
        } else {
          while (i < s.length() && isKeyChar(s.charAt(i))) {
            i++;
          }
          key = s.substring(keyStart, i);
        }
        if (key.isEmpty()) {
          throw error(keyStart + 1, "expected a key after '" + word + ".'");
        }
        if (kind == Field.Kind.ATTRIBUTE) {
          String attribute = Field.attribute(key);
          if (attribute == null) {
            throw error(keyStart + 1, "unknown attribute '" + key + "'; attributes are "
                + String.join(", ", Field.ATTRIBUTES));
          }
          key = attribute;
        }
        return new Token(Type.FIELD, start + 1, s.substring(start, i), new Field(kind, key),
            null);
      }
      switch (word.toLowerCase(Locale.ROOT)) {
        case "and":
          return new Token(Type.AND, start + 1, word, null, null);
        case "or":
          return new Token(Type.OR, start + 1, word, null, null);
        default:
          return new Token(Type.WORD, start + 1, word, null, null);
      }
    }

    private static boolean isKeyChar(char c) {
      return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '/' || c == ':'
          || c == '-';
    }

    private static final java.util.regex.Pattern NUMBER =
        java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  }

  // ----------------------------------------------------------------------------------- parser

  private static final class Parser {
    private static final String STATUSES = Arrays.stream(RunStatus.values())
        .map(Enum::name).collect(Collectors.joining(", "));
    private final List<Token> tokens;
    private final String option;
    private int at;

    Parser(List<Token> tokens, String option) {
      this.tokens = tokens;
      this.option = option;
    }

    Node parse() {
      Node n = or();
      Token t = peek();
      if (t.type != Type.END) {
        throw error(t, t.type == Type.RPAREN ? "')' without a matching '('"
            : "expected 'and', 'or' or the end but found " + t.describe());
      }
      return n;
    }

    private Node or() {
      Node left = and();
      while (peek().type == Type.OR) {
        at++;
        Node l = left;
        Node r = and();
        left = (run, latest) -> l.test(run, latest) || r.test(run, latest);
      }
      return left;
    }

    private Node and() {
      Node left = primary();
      while (peek().type == Type.AND) {
        at++;
        Node l = left;
        Node r = primary();
        left = (run, latest) -> l.test(run, latest) && r.test(run, latest);
      }
      return left;
    }

    private Node primary() {
      Token t = next();
      if (t.type == Type.LPAREN) {
        Node n = or();
        Token close = next();
        if (close.type != Type.RPAREN) {
          throw error(close, "expected ')' to close the '(' at position " + t.pos
              + " but found " + close.describe());
        }
        return n;
      }
      if (t.type != Type.FIELD) {
        throw error(t, "expected metrics.KEY, params.KEY, tags.KEY, attributes.NAME or '('"
            + " but found " + t.describe());
      }
      Field field = t.field;
      Token op = next();
      if (op.type != Type.OP) {
        throw error(op, "expected one of = != < <= > >= after " + t.raw + " but found "
            + op.describe());
      }
      Token lit = next();
      if (lit.type != Type.NUMBER && lit.type != Type.STRING) {
        throw error(lit, "expected a number or a quoted string after " + t.raw + " " + op.raw
            + " but found " + lit.describe());
      }
      Object value = lit.literal;
      if (lit.type == Type.STRING && field.numeric()) {
        throw error(lit, field + " is a number and cannot be compared with the text "
            + lit.describe());
      }
      if (field.kind() == Field.Kind.ATTRIBUTE && field.key().equals("status")) {
        String status = String.valueOf(value).toUpperCase(Locale.ROOT);
        if (lit.type != Type.STRING || Arrays.stream(RunStatus.values())
            .noneMatch(st -> st.name().equals(status))) {
          throw error(lit, "attributes.status is one of " + STATUSES + " but was "
              + lit.describe());
        }
        value = status;
      }
      return comparison(field, (String) op.literal, value);
    }

    private static Node comparison(Field field, String op, Object literal) {
      return (run, latest) -> {
        Object v = field.value(run, latest);
        if (v == null) {
          return false;
        }
        if (literal instanceof Double d) {
          Double x = v instanceof Double dv ? dv : Values.toDouble((String) v);
          if (x == null) {
            return false;
          }
          switch (op) {
            case "=": return x.doubleValue() == d;
            case "!=": return x.doubleValue() != d;
            case "<": return x < d;
            case "<=": return x <= d;
            case ">": return x > d;
            default: return x >= d;
          }
        }
        int c = ((String) v).compareTo((String) literal);
        switch (op) {
          case "=": return c == 0;
          case "!=": return c != 0;
          case "<": return c < 0;
          case "<=": return c <= 0;
          case ">": return c > 0;
          default: return c >= 0;
        }
      };
    }

    private Token peek() {
      return tokens.get(at);
    }

    private Token next() {
      Token t = tokens.get(at);
      if (t.type != Type.END) {
        at++;
      }
      return t;
    }

    private UserException error(Token t, String message) {
      return new UserException("bad " + option + " at position " + t.pos + ": " + message);
    }
  }
}
