package dev.tracker.cli;

import dev.tracker.RunData;
import dev.tracker.RunSummary;
import dev.tracker.spi.RunFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --filter} and {@code --sort} of a command, read with core's {@link RunFilter} (the
 * one grammar: MLflow's {@code search_runs}). {@code --sort} is comma-separated order clauses,
 * each {@code KEY [ASC|DESC]} or, shorter, {@code -KEY} for descending ({@code
 * -metrics.accuracy,params.lr}).
 */
final class SortOrder {
  private SortOrder() {}

  /**
   * Parses a filter and a sort.
   *
   * @throws UserException naming the token and its position
   */
  static RunFilter parse(String filter, String sort) {
    List<String> clauses = new ArrayList<>();
    if (sort != null && !sort.isBlank()) {
      for (String part : sort.split(",", -1)) {
        String p = part.strip();
        String field = p.startsWith("-") || p.startsWith("+") ? p.substring(1).strip() : p;
        if (field.isEmpty()) {
          // the parser would quote what is left after the rewrite below (' DESC'), not this
          throw new UserException("bad --sort '" + sort + "': clause " + (clauses.size() + 1)
              + " names no field; expected KEY [ASC|DESC] or -KEY, comma-separated");
        }
        if (p.startsWith("-") || p.startsWith("+")) {
          p = field + (p.startsWith("-") ? " DESC" : " ASC");
        }
        clauses.add(p);
      }
    }
    try {
      RunFilter.parse(filter, List.of());
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage().replaceFirst("^bad filter", "bad --filter"));
    }
    try {
      return RunFilter.parse(filter, clauses);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage().replaceFirst("^bad order_by", "bad --sort"));
    }
  }

  /**
   * The runs that pass {@code filter}, in its order, at most {@code limit}; first checks that
   * every metric, param or tag the order names is held by at least one run (a typo would
   * otherwise leave the order unchanged without a word).
   *
   * @throws UserException naming the key and the keys the runs have
   */
  static List<RunData> select(List<RunData> all, RunFilter filter, Integer limit) {
    requireKnown(filter, all);
    Map<String, RunData> byId = new LinkedHashMap<>();
    List<RunSummary> summaries = new ArrayList<>();
    for (RunData r : all) {
      byId.put(r.info().id(), r);
      summaries.add(RunSummary.of(r));
    }
    List<RunData> out = new ArrayList<>();
    for (RunSummary s : filter.select(summaries)) {
      if (limit != null && out.size() >= limit) {
        break;
      }
      out.add(byId.get(s.id()));
    }
    return out;
  }

  /**
   * Checks that every metric, param or tag the order names is held by at least one of {@code
   * runs}; nothing to check when there are none.
   *
   * @throws UserException naming the key and the keys the runs have
   */
  static void requireKnown(RunFilter filter, List<RunData> runs) {
    if (runs.isEmpty()) {
      return;
    }
    for (String key : filter.orderKeys()) {
      int dot = key.indexOf('.');
      String kind = key.substring(0, dot);
      List<String> known = switch (kind) {
        case "metrics" -> RunViews.metricKeys(runs);
        case "params" -> RunViews.paramKeys(runs);
        case "tags" -> RunViews.tagKeys(runs);
        default -> null;
      };
      if (known != null && !known.contains(key.substring(dot + 1))) {
        throw new UserException("bad --sort: no run has " + key + " (" + kind + ": "
            + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
      }
    }
  }
}
