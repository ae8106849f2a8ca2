package dev.tracker.spi;

import dev.tracker.RunSummary;
import dev.tracker.internal.DatasetDigests;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A run search in MLflow's {@code search_runs} syntax, parsed once and evaluated locally with
 * the semantics a real MLflow server shows; a backend that searches on a server sends {@link
 * #filter()} and {@link #orderBy()} as they were given.
 *
 * <pre>{@code
 * RunFilter f = RunFilter.parse(
 *     "metrics.accuracy > 0.9 and params.lr = '0.1' and tags.`data set` LIKE 'iris%'",
 *     List.of("metrics.accuracy DESC"));
 * List<RunSummary> best = f.select(runs);
 * }</pre>
 *
 * <ul>
 *   <li>A filter is comparisons joined by {@code and} ({@code or} and parentheses are refused).
 *       A key with characters other than letters, digits, {@code _} and {@code .} (a space,
 *       {@code - / :}) is written in backquotes, as MLflow requires: {@code metrics.`val loss` <
 *       0.3}, {@code metrics.`train/loss` < 0.3}.
 *   <li>{@code metrics.KEY} is the run's latest value of the metric (highest step, then latest
 *       timestamp, then greatest value: {@link dev.tracker.RunData#latestMetrics()}) and
 *       compares with {@code = != < <= > >=} and a number; so do {@code attributes.start_time}
 *       and {@code attributes.end_time}.
 *   <li>{@code params.KEY}, {@code tags.KEY}, {@code attributes.run_name}, {@code .status} and
 *       {@code .run_id} compare as strings with {@code = != LIKE ILIKE} and a quoted string;
 *       {@code LIKE} matches {@code %} and {@code _} case-sensitively, {@code ILIKE} ignoring
 *       case. {@code attributes.run_id} also takes {@code IN ('id1', 'id2')} and {@code NOT IN}.
 *   <li>A quoted string is kept as written, as MLflow keeps it: there are no escapes ({@code
 *       'C:\data'} is {@code C:\data}, {@code 'O\'Brien'} is {@code O\'Brien}), and a value
 *       holding a single quote is written in double quotes: {@code params.owner = "O'Brien"}.
 *   <li>A run without the key never matches, {@code !=} included; a NaN value matches nothing.
 *   <li>Order clauses are {@code KEY [ASC|DESC]}. Runs without the key come last in both
 *       directions; NaN comes after every number and before missing values. Ties, and a search
 *       with no order, go newest {@code start_time} first, then by run id.
 * </ul>
 *
 * Instances are immutable and thread-safe.
 */
public final class RunFilter {
  private static final FilterParser.OrderKey NEWEST_FIRST = new FilterParser.OrderKey(
      new SearchKey(SearchKey.Kind.ATTRIBUTE, "start_time"), false);
  private static final FilterParser.OrderKey BY_ID = new FilterParser.OrderKey(
      new SearchKey(SearchKey.Kind.ATTRIBUTE, "run_id"), true);

  /** The search every run passes, newest first. */
  public static final RunFilter ALL = parse("", List.of());

  private final String filter;
  private final List<String> orderBy;
  private final List<FilterParser.Comparison> comparisons;
  private final List<String> orderKeys;
  private final Comparator<RunSummary> order;

  private RunFilter(String filter, List<String> orderBy, List<String> orderKeys,
      List<FilterParser.Comparison> comparisons, Comparator<RunSummary> order) {
    this.filter = filter;
    this.orderBy = orderBy;
    this.orderKeys = orderKeys;
    this.comparisons = comparisons;
    this.order = order;
  }

  /**
   * Parses a filter and order clauses.
   *
   * @param filter comparisons joined by {@code and}; null or blank for every run
   * @param orderBy clauses such as {@code "metrics.accuracy DESC"}; empty for newest first
   * @throws IllegalArgumentException naming the token and its 1-based position, as in {@code bad
   *     filter at position 17: 'or' is not supported; comparisons join with 'and' only}
   */
  public static RunFilter parse(String filter, List<String> orderBy) {
    String text = filter == null ? "" : filter.strip();
    List<FilterParser.Comparison> comparisons = FilterParser.filter(text);
    List<FilterParser.OrderKey> keys = new ArrayList<>();
    List<String> named = new ArrayList<>();
    // a null clause is a mistake FilterParser names, not a NullPointerException from a copy
    for (String clause : new ArrayList<>(Objects.requireNonNull(orderBy, "orderBy"))) {
      keys.add(FilterParser.orderBy(clause));
      named.add(keys.get(keys.size() - 1).key().toString());
    }
    if (keys.stream().noneMatch(k -> k.key().equals(NEWEST_FIRST.key()))) {
      keys.add(NEWEST_FIRST);
    }
    keys.add(BY_ID);
    Comparator<RunSummary> order = (a, b) -> 0;
    for (FilterParser.OrderKey k : keys) {
      order = order.thenComparing((a, b) -> compare(k, k.key().value(a), k.key().value(b)));
    }
    return new RunFilter(text, List.copyOf(orderBy), List.copyOf(named), comparisons, order);
  }

  /** The filter as given (stripped), empty for every run. */
  public String filter() {
    return filter;
  }

  /** The order clauses as given. */
  public List<String> orderBy() {
    return orderBy;
  }

  /**
   * The keys the order clauses name, canonical ({@code metrics.val loss}, {@code
   * attributes.start_time}), in order: for tools that check a key is known before ordering.
   */
  public List<String> orderKeys() {
    return orderKeys;
  }

  /** True when {@code run} passes the filter. */
  public boolean test(RunSummary run) {
    for (FilterParser.Comparison c : comparisons) {
      if (!matches(c, c.key().value(run))) {
        return false;
      }
    }
    return true;
  }

  /** The order the clauses give, then newest first, then by run id. */
  public Comparator<RunSummary> comparator() {
    return order;
  }

  /** The runs that pass, in order: a new list. */
  public List<RunSummary> select(Collection<RunSummary> runs) {
    List<RunSummary> out = new ArrayList<>();
    for (RunSummary r : runs) {
      if (test(r)) {
        out.add(r);
      }
    }
    out.sort(order);
    return out;
  }

  @Override
  public String toString() {
    return "RunFilter{filter=" + filter + ", orderBy=" + orderBy + "}";
  }

  @SuppressWarnings("unchecked")
  private static boolean matches(FilterParser.Comparison c, Object v) {
    if (v == null) {
      return false;
    }
    if (v instanceof Double x) {
      double d = (Double) c.value();
      if (x.isNaN()) {
        return false;
      }
      return switch (c.op()) {
        case "=" -> x == d;
        case "!=" -> x != d;
        case "<" -> x < d;
        case "<=" -> x <= d;
        case ">" -> x > d;
        default -> x >= d;
      };
    }
    String s = (String) v;
    return switch (c.op()) {
      case "=" -> s.equals(c.value());
      case "!=" -> !s.equals(c.value());
      case "LIKE" -> like((String) c.value(), 0).matcher(s).matches();
      case "ILIKE" -> like((String) c.value(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
          .matcher(s).matches();
      case "IN" -> ((List<String>) c.value()).contains(s);
      default -> !((List<String>) c.value()).contains(s);
    };
  }

  /** SQL's LIKE pattern as a regular expression: {@code %} any run, {@code _} one character. */
  private static Pattern like(String pattern, int flags) {
    StringBuilder re = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char ch : pattern.toCharArray()) {
      if (ch == '%' || ch == '_') {
        re.append(Pattern.quote(literal.toString())).append(ch == '%' ? ".*" : ".");
        literal.setLength(0);
      } else {
        literal.append(ch);
      }
    }
    re.append(Pattern.quote(literal.toString()));
    return Pattern.compile(re.toString(), flags | Pattern.DOTALL);
  }

  /** Missing last in both directions; NaN after the numbers, before missing, in both. */
  private static int compare(FilterParser.OrderKey k, Object a, Object b) {
    int ra = rank(a);
    int rb = rank(b);
    if (ra != rb || ra != 0) {
      return Integer.compare(ra, rb);
    }
    int c = a instanceof Double da ? Double.compare(da, (Double) b)
        // in code point order, as MLflow's SQLite store orders text (UTF-8 bytes)
        : DatasetDigests.compareCodePoints((String) a, (String) b);
    return k.ascending() ? c : -c;
  }

  private static int rank(Object v) {
    return v == null ? 2 : v instanceof Double d && d.isNaN() ? 1 : 0;
  }
}
