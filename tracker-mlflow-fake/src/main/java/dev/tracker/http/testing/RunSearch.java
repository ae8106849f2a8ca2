package dev.tracker.http.testing;

import dev.tracker.http.testing.FakeMlflowServer.Point;
import dev.tracker.http.testing.Store.RunState;
import dev.tracker.http.testing.Wire.Failure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server side of {@code runs/search}: MLflow's {@code SearchUtils} filter and {@code order_by}
 * grammar, evaluated as MLflow's SQL store does (see {@code mlflow-observed.md}). Written for the
 * fake on its own: the client's evaluator is what the fake checks, so the fake never uses it.
 */
final class RunSearch {
  // sqlparse's literals: a doubled quote, "\\" and an escaped quote do not end the text, which
  // MLflow keeps as written, outer quotes stripped (plain runs taken at once: no deep nesting);
  // an unquoted key is a name (sqlparse reads '-' and '/' as operators, ':' as punctuation)
  private static final String SINGLE = "'(?:[^'\\\\]++|''|\\\\\\\\|\\\\'|\\\\)*'";
  private static final String DOUBLE = "\"(?:[^\"\\\\]++|\"\"|\\\\\\\\|\\\\\"|\\\\)*\"";
  private static final Pattern TOKEN = Pattern.compile("\\s*(?:"
      + "(?<ident>[A-Za-z_]+)\\.(?<key>`(?:[^`]++|``)*`|" + DOUBLE + "|[\\w.]+)"
      + "|(?<str>" + SINGLE + "|" + DOUBLE + ")"
      + "|(?<num>[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)"
      + "|(?<op>!=|<=|>=|=|<|>)"
      + "|(?<punct>[(),])"
      + "|(?<word>[A-Za-z_]+))");
  private static final List<String> STRING_COMPARATORS = List.of("=", "!=", "LIKE", "ILIKE");
  private static final List<String> NUMERIC_COMPARATORS =
      List.of("=", "!=", ">", ">=", "<", "<=");
  private static final List<String> ATTRIBUTES =
      List.of("run_id", "run_name", "status", "start_time", "end_time", "created");

  private record Token(String kind, String text) {}

  private record Key(String type, String name) {
    boolean numeric() {
      return type.equals("metric") || (type.equals("attribute")
          && (name.equals("start_time") || name.equals("end_time")));
    }
  }

  private record Clause(Key key, String comparator, Object value) {}

  private RunSearch() {}

  /** The runs of {@code runs} that pass {@code filter}, ordered by {@code orderBy}. */
  static List<RunState> search(List<RunState> runs, String filter, List<String> orderBy) {
    List<Clause> clauses = filter == null || filter.isBlank() ? List.of() : parse(filter);
    List<RunState> out = new ArrayList<>();
    for (RunState r : runs) {
      if (clauses.stream().allMatch(c -> matches(c, value(r, c.key())))) {
        out.add(r);
      }
    }
    Comparator<RunState> order = (a, b) -> 0;
    boolean startTime = false;
    for (String clause : orderBy) {
      List<Token> t = tokens(clause);
      if (t.isEmpty() || !t.get(0).kind.equals("ident") || t.size() > 2
          || (t.size() == 2 && !t.get(1).text.matches("(?i)ASC|DESC"))) {
        throw invalid("Invalid order_by clause '" + clause + "'. Could not be parsed.");
      }
      Key key = key(t.get(0).text);
      boolean asc = t.size() == 1 || t.get(1).text.equalsIgnoreCase("ASC");
      startTime |= key.equals(new Key("attribute", "start_time"));
      order = order.thenComparing((a, b) -> compare(value(a, key), value(b, key), asc));
    }
    if (!startTime) {
      order = order.thenComparing((a, b) -> Long.compare(b.startTime, a.startTime));
    }
    out.sort(order.thenComparing(r -> r.id));
    return out;
  }

  private static List<Clause> parse(String filter) {
    List<Token> t = tokens(filter);
    List<Clause> out = new ArrayList<>();
    int i = 0;
    while (true) {
      if (i + 1 >= t.size() || !t.get(i).kind.equals("ident")) {
        throw invalid("Invalid filter '" + filter + "'. Could not be parsed.");
      }
      Key key = key(t.get(i).text);
      String comparator = t.get(i + 1).text.toUpperCase(Locale.ROOT);
      i += 2;
      if (comparator.equals("NOT") && i < t.size() && t.get(i).text.equalsIgnoreCase("IN")) {
        comparator = "NOT IN";
        i++;
      }
      if (comparator.endsWith("IN")) {
        if (!key.equals(new Key("attribute", "run_id"))) {
          throw invalid("Invalid comparator '" + comparator + "' not one of '"
              + python(key.numeric() ? NUMERIC_COMPARATORS : STRING_COMPARATORS) + "'");
        }
        List<String> ids = new ArrayList<>();
        if (i >= t.size() || !t.get(i).text.equals("(")) {
          throw invalid("While parsing a list in the query, expected a non-empty list of string"
              + " values, but got ill-formed list.");
        }
        i++;
        while (i < t.size() && t.get(i).kind.equals("str")) {
          ids.add(unquote(t.get(i).text));
          i++;
          if (i < t.size() && t.get(i).text.equals(",")) {
            i++;
          }
        }
        if (i >= t.size() || !t.get(i).text.equals(")") || ids.isEmpty()) {
          throw invalid("While parsing a list in the query, expected a non-empty list of string"
              + " values, but got ill-formed list.");
        }
        i++;
        out.add(new Clause(key, comparator, ids));
      } else {
        List<String> allowed = key.numeric() ? NUMERIC_COMPARATORS : STRING_COMPARATORS;
        if (!allowed.contains(comparator)) {
          throw invalid("Invalid comparator '" + t.get(i - 1).text + "' not one of '"
              + python(allowed) + "'");
        }
        Token v = i < t.size() ? t.get(i) : new Token("end", "");
        if (key.numeric() && !v.kind.equals("num")) {
          throw invalid("Expected numeric value type for " + key.type + ". Found " + v.text);
        }
        if (!key.numeric() && !v.kind.equals("str")) {
          throw invalid("Parameter value is either not quoted or unidentified quote types used"
              + " for string value " + v.text + ". Use either single or double quotes.");
        }
        i++;
        out.add(new Clause(key, comparator, key.numeric() ? (Object) Double.valueOf(v.text)
            : unquote(v.text)));
      }
      if (i == t.size()) {
        return out;
      }
      if (!t.get(i).text.equalsIgnoreCase("and")) {
        throw invalid("Invalid clause(s) in filter string: '" + t.get(i).text + "'");
      }
      i++;
    }
  }

  private static List<Token> tokens(String text) {
    List<Token> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    int at = 0;
    while (at < text.length() && !text.substring(at).isBlank()) {
      if (!m.find(at) || m.start() != at) {
        throw invalid("Invalid filter '" + text + "'. Could not be parsed.");
      }
      for (String kind : List.of("ident", "str", "num", "op", "punct", "word")) {
        if (m.group(kind) != null) {
          out.add(new Token(kind, kind.equals("ident") ? m.group().strip() : m.group(kind)));
        }
      }
      at = m.end();
    }
    return out;
  }

  private static Key key(String identifier) {
    int dot = identifier.indexOf('.');
    String type = switch (identifier.substring(0, dot).toLowerCase(Locale.ROOT)) {
      case "metric", "metrics" -> "metric";
      case "param", "params", "parameter", "parameters" -> "parameter";
      case "tag", "tags" -> "tag";
      case "attribute", "attributes", "attr", "run" -> "attribute";
      default -> throw invalid("Invalid entity type '" + identifier.substring(0, dot)
          + "'. Valid values are ['metric', 'parameter', 'tag', 'attribute']");
    };
    String name = identifier.substring(dot + 1);
    if (name.startsWith("`") || name.startsWith("\"")) {
      name = name.substring(1, name.length() - 1);
    }
    if (type.equals("attribute")) {
      if (!ATTRIBUTES.contains(name)) {
        throw invalid("Invalid attribute key '" + name + "' specified. Valid keys are '"
            + ATTRIBUTES + "'");
      }
      name = name.equals("created") ? "start_time" : name;
    }
    return new Key(type, name);
  }

  /** A set as Python prints it, as MLflow's messages show: {'=', '!='}. */
  private static String python(List<String> items) {
    return "{'" + String.join("', '", items) + "'}";
  }

  private static String unquote(String quoted) {
    return quoted.substring(1, quoted.length() - 1);
  }

  /** The value a key names in a run (metrics: the latest point's), or null. */
  private static Object value(RunState r, Key key) {
    switch (key.type) {
      case "metric": {
        Point latest = null;
        for (Point p : r.metrics) {
          if (p.key().equals(key.name) && (latest == null || RunState.isLater(p, latest))) {
            latest = p;
          }
        }
        return latest == null ? null : latest.value();
      }
      case "parameter":
        return r.params.get(key.name);
      case "tag":
        return r.tags.get(key.name);
      default:
        return switch (key.name) {
          case "run_id" -> r.id;
          case "run_name" -> r.name;
          case "status" -> r.status;
          case "start_time" -> (double) r.startTime;
          default -> r.endTime == 0 ? null : (double) r.endTime;
        };
    }
  }

  @SuppressWarnings("unchecked")
  private static boolean matches(Clause c, Object v) {
    if (v == null || (v instanceof Double d && d.isNaN())) {
      return false;
    }
    if (v instanceof Double d) {
      double x = d;
      double y = (Double) c.value;
      return switch (c.comparator) {
        case "=" -> x == y;
        case "!=" -> x != y;
        case "<" -> x < y;
        case "<=" -> x <= y;
        case ">" -> x > y;
        default -> x >= y;
      };
    }
    String s = (String) v;
    return switch (c.comparator) {
      case "=" -> s.equals(c.value);
      case "!=" -> !s.equals(c.value);
      case "IN" -> ((List<String>) c.value).contains(s);
      case "NOT IN" -> !((List<String>) c.value).contains(s);
      default -> likeRegex((String) c.value, c.comparator.equals("ILIKE")).matcher(s).matches();
    };
  }

  static Pattern likeRegex(String like, boolean ignoreCase) {
    StringBuilder re = new StringBuilder();
    for (char ch : like.toCharArray()) {
      re.append(ch == '%' ? ".*" : ch == '_' ? "." : Pattern.quote(String.valueOf(ch)));
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL
        | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
  }

  /** SQL's order: NULL (missing) after NaN after numbers, whatever the direction. */
  private static int compare(Object a, Object b, boolean asc) {
    int ra = a == null ? 2 : a instanceof Double d && d.isNaN() ? 1 : 0;
    int rb = b == null ? 2 : b instanceof Double d && d.isNaN() ? 1 : 0;
    if (ra != 0 || rb != 0) {
      return Integer.compare(ra, rb);
    }
    // text in code point order, as SQLite's BINARY collation (UTF-8 bytes) orders it
    int c = a instanceof Double x ? Double.compare(x, (Double) b)
        : Arrays.compare(((String) a).codePoints().toArray(), ((String) b).codePoints().toArray());
    return asc ? c : -c;
  }

  private static Failure invalid(String message) {
    return new Failure(400, "INVALID_PARAMETER_VALUE", message);
  }
}
