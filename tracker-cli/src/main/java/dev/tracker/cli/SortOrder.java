package dev.tracker.cli;

import dev.tracker.Metric;
import dev.tracker.RunData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order of listed runs: comma-separated fields, each ascending or, with a leading {@code -},
 * descending ({@code -metrics.accuracy,params.lr}). Numbers sort as numbers; runs without the
 * value come last either way. The default is newest first.
 */
final class SortOrder {
  private record Key(Field field, boolean descending) {}

  /** Newest first. */
  static final SortOrder NEWEST_FIRST =
      new SortOrder(List.of(new Key(new Field(Field.Kind.ATTRIBUTE, "start_time"), true)),
          "--sort");

  private final List<Key> keys;
  private final String option;

  private SortOrder(List<Key> keys, String option) {
    this.keys = keys;
    this.option = option;
  }

  /**
   * Parses a sort order.
   *
   * @throws UserException naming the position of what is wrong
   */
  static SortOrder parse(String text, String option) {
    if (text == null || text.isBlank()) {
      return NEWEST_FIRST;
    }
    List<Key> keys = new ArrayList<>();
    int offset = 0;
    for (String part : text.split(",", -1)) {
      int lead = 0;
      while (lead < part.length() && Character.isWhitespace(part.charAt(lead))) {
        lead++;
      }
      boolean descending = false;
      int skip = lead;
      if (skip < part.length() && (part.charAt(skip) == '-' || part.charAt(skip) == '+')) {
        descending = part.charAt(skip) == '-';
        skip++;
      }
      List<Filter.Token> tokens = Filter.Lexer.tokens(" ".repeat(offset + skip)
          + part.substring(skip), option);
      Filter.Token t = tokens.get(0);
      if (t.type() != Filter.Type.FIELD) {
        throw new UserException("bad " + option + " at position " + t.pos()
            + ": expected [-]metrics.KEY, [-]params.KEY, [-]tags.KEY or [-]attributes.NAME"
            + " but found " + t.describe());
      }
      Filter.Token after = tokens.get(1);
      if (after.type() != Filter.Type.END) {
        throw new UserException("bad " + option + " at position " + after.pos()
            + ": expected ',' or the end but found " + after.describe());
      }
      keys.add(new Key(t.field(), descending));
      offset += part.length() + 1;
    }
    return new SortOrder(List.copyOf(keys), option);
  }

  /**
   * Checks that every metric, param or tag this order names is held by at least one of {@code
   * runs} (a typo would otherwise leave the order unchanged without a word); nothing to check
   * when there are no runs.
   *
   * @throws UserException naming the field and the keys the runs have
   */
  void requireKnown(List<RunData> runs) {
    if (runs.isEmpty()) {
      return;
    }
    for (Key k : keys) {
      Field.Kind kind = k.field.kind();
      if (kind == Field.Kind.ATTRIBUTE) {
        continue;
      }
      List<String> known = switch (kind) {
        case METRIC -> RunViews.metricKeys(runs);
        case PARAM -> RunViews.paramKeys(runs);
        default -> RunViews.tagKeys(runs);
      };
      if (!known.contains(k.field.key())) {
        throw new UserException("bad " + option + ": no run has " + k.field + " ("
            + kind.prefix + ": " + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
      }
    }
  }

  /** {@code runs} sorted, a new list; equal runs keep their order. */
  List<RunData> sort(List<RunData> runs) {
    Map<RunData, Map<String, Metric>> latest = new IdentityHashMap<>();
    for (RunData r : runs) {
      latest.put(r, r.latestMetrics());
    }
    Comparator<RunData> order = (a, b) -> 0;
    for (Key k : keys) {
      order = order.thenComparing((a, b) -> compare(k, k.field.value(a, latest.get(a)),
          k.field.value(b, latest.get(b))));
    }
    List<RunData> out = new ArrayList<>(runs);
    out.sort(order);
    return out;
  }

  private static int compare(Key k, Object a, Object b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : 1) : -1;
    }
    Double da = a instanceof Double d ? d : Values.toDouble((String) a);
    Double db = b instanceof Double d ? d : Values.toDouble((String) b);
    if (da != null && db != null && (da.isNaN() || db.isNaN())) {
      // a NaN has no place in an order: after the numbers, like a missing value
      return da.isNaN() ? (db.isNaN() ? 0 : 1) : -1;
    }
    int c = da != null && db != null ? Double.compare(da, db)
        : String.valueOf(a).compareTo(String.valueOf(b));
    return k.descending ? -c : c;
  }
}
