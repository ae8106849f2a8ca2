package dev.tracker.cli;

import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.spi.RunFilter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tracker runs}: one row per run, one column per param and per metric's last value. */
@Command(name = "runs", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Lists runs: short id, name, status, start, duration, then one column per"
        + " param and per metric (its last value). A child run is listed under its parent.",
        "Columns that do not fit the terminal are left out with a note, in this order: params"
        + " the same in every run (listed under the table), start, experiment, the other params,"
        + " metrics (widest first), duration, status; id and name always stay. Use --format csv"
        + " or json for everything."})
final class RunsCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin
  SourceOptions source;

  @Option(names = {"-e", "--experiment"}, paramLabel = "NAME",
      description = "Only the runs of this experiment (default: every experiment).")
  String experiment;

  @Option(names = "--filter", paramLabel = "EXPR",
      description = "Only runs matching, in MLflow's search syntax, e.g. \"metrics.accuracy >"
          + " 0.9 and params.lr = '0.1'\": metrics.KEY (latest value) with = != < <= > >=;"
          + " params.KEY, tags.KEY, attributes.{run_name,status,run_id} with = != LIKE ILIKE;"
          + " attributes.{start_time,end_time}; attributes.run_id IN ('..'); joined by and.")
  String filter;

  @Option(names = "--sort", paramLabel = "FIELDS",
      description = "Comma-separated keys, each 'KEY [ASC|DESC]' or '-KEY' for descending,"
          + " e.g. -metrics.accuracy (default: newest first; runs without the key last).")
  String sort;

  @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "At most N runs.")
  Integer limit;

  RunsCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    RunFilter f = SortOrder.parse(filter, sort);
    if (limit != null && limit < 1) {
      throw new UserException("--limit must be at least 1 but was " + limit);
    }
    List<RunData> runs;
    RunStore.Listing listing;
    String where;
    try (RunStore store = cli.open(source.uri)) {
      where = store.describe();
      listing = store.select(experiment, f, limit);
      runs = listing.runs();
    }
    if (runs.isEmpty() && source.format == Format.TABLE) {
      cli.err.println("no runs in " + where + (experiment == null ? "" : " experiment '"
          + experiment + "'") + (f.filter().isEmpty() ? "" : " match the filter"));
    } else {
      cli.out.print(render(runs, source.format, cli));
      cli.out.flush();
    }
    listing.reportUnreadable(cli.err, "tracker runs");
    return listing.unreadable().isEmpty() ? TrackerCli.OK : TrackerCli.DATA_ERROR;
  }

  static String render(List<RunData> runs, Format format, Cli cli) {
    List<Integer> depths = new ArrayList<>();
    if (format == Format.TABLE) {
      // children under their parent
      List<RunViews.Row> rows = RunViews.tree(runs);
      runs = rows.stream().map(RunViews.Row::run).toList();
      rows.forEach(r -> depths.add(r.depth()));
    }
    List<String> params = RunViews.paramKeys(runs);
    List<String> metrics = RunViews.metricKeys(runs);
    List<Map<String, Metric>> latest = new ArrayList<>();
    for (RunData r : runs) {
      latest.add(r.latestMetrics());
    }
    switch (format) {
      case JSON:
        return json(runs, latest);
      case CSV:
        return csv(runs, latest, params, metrics);
      default:
        return table(runs, depths, latest, params, metrics, cli);
    }
  }

  private static String json(List<RunData> runs, List<Map<String, Metric>> latest) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      RunData r = runs.get(i);
      Map<String, Object> m = RunViews.infoJson(r.info());
      m.put("params", r.params());
      Map<String, Object> values = new LinkedHashMap<>();
      for (Metric metric : latest.get(i).values()) {
        values.put(metric.key(), metric.value());
      }
      m.put("metrics", values);
      out.add(m);
    }
    return Json.write(out);
  }

  private static String csv(List<RunData> runs, List<Map<String, Metric>> latest,
      List<String> params, List<String> metrics) {
    Csv csv = new Csv();
    List<String> header = new ArrayList<>(List.of("id", "name", "experiment", "status",
        "start_time", "end_time", "duration_ms"));
    params.forEach(p -> header.add("params." + p));
    metrics.forEach(m -> header.add("metrics." + m));
    csv.row(header);
    for (int i = 0; i < runs.size(); i++) {
      RunInfo info = runs.get(i).info();
      List<String> row = new ArrayList<>(List.of(info.id(), info.name(),
          String.valueOf(info.experimentName()), info.status().name()));
      row.add(Values.iso(info.startTime()));
      row.add(Values.iso(info.endTime()));
      row.add(info.durationMillis() >= 0 ? Long.toString(info.durationMillis()) : null);
      for (String p : params) {
        row.add(runs.get(i).params().get(p));
      }
      for (String k : metrics) {
        Metric m = latest.get(i).get(k);
        row.add(m == null ? null : Values.exact(m.value()));
      }
      csv.row(row);
    }
    return csv.toString();
  }

  /**
   * Columns go in the order the help gives when the table is too wide: same-valued params,
   * start, experiment, params, metrics, duration, status; id and name stay.
   */
  private static String table(List<RunData> runs, List<Integer> depths,
      List<Map<String, Metric>> latest, List<String> params, List<String> metrics, Cli cli) {
    TextTable t = new TextTable(cli.ellipsis).maxCell(32);
    List<String> ids = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> experiments = new ArrayList<>();
    List<String> statuses = new ArrayList<>();
    List<String> starts = new ArrayList<>();
    List<String> durations = new ArrayList<>();
    Set<String> distinctExperiments = new HashSet<>();
    for (int i = 0; i < runs.size(); i++) {
      RunInfo info = runs.get(i).info();
      ids.add(RunViews.shortId(info.id()));
      names.add(RunViews.treeName(info.name(), depths.get(i), cli.ellipsis.equals("…")));
      experiments.add(info.experimentName());
      distinctExperiments.add(info.experimentName());
      statuses.add(info.status().name());
      starts.add(Values.time(info.startTime(), cli.zone));
      durations.add(Values.duration(info.durationMillis()));
    }
    t.column("id", TextTable.KEEP, TextTable.Align.LEFT, ids);
    t.column("name", TextTable.KEEP, TextTable.Align.LEFT, names);
    if (distinctExperiments.size() > 1) {
      t.column("experiment", 35, TextTable.Align.LEFT, experiments);
    }
    t.column("status", 70, TextTable.Align.LEFT, statuses);
    t.column("start", 30, TextTable.Align.LEFT, starts);
    t.column("duration", 50, TextTable.Align.RIGHT, durations);
    Set<String> both = new HashSet<>(params);
    both.retainAll(metrics);
    Map<String, String> constant = new LinkedHashMap<>();
    for (String p : params) {
      List<String> cells = new ArrayList<>();
      Set<String> distinct = new HashSet<>();
      for (RunData r : runs) {
        String v = r.params().get(p);
        cells.add(v == null ? "-" : v);
        distinct.add(v);
      }
      String header = both.contains(p) ? "params." + p : p;
      // params that are the same in every run say least about the differences: they go first,
      // and are then listed under the table with their value
      boolean same = distinct.size() == 1 && runs.size() > 1;
      if (same) {
        constant.put(header, cells.get(0));
      }
      t.column(header, same ? 10 : 40, TextTable.Align.AUTO, cells);
    }
    for (String k : metrics) {
      List<String> cells = new ArrayList<>();
      for (Map<String, Metric> l : latest) {
        Metric m = l.get(k);
        cells.add(m == null ? "-" : Values.number(m.value()));
      }
      t.column(both.contains(k) ? "metrics." + k : k, 45, TextTable.Align.RIGHT, cells);
    }
    TextTable.Rendered r = t.render(cli.width);
    List<String> same = new ArrayList<>();
    for (String hidden : r.hidden()) {
      if (constant.containsKey(hidden)) {
        same.add(hidden + "=" + constant.get(hidden));
      }
    }
    if (same.isEmpty()) {
      return r.text();
    }
    List<String> sameKeys = same.stream().map(kv -> kv.substring(0, kv.indexOf('='))).toList();
    return r.without(sameKeys).text(wrap("same in every run: ", same, cli.width));
  }

  /** "head a, b, c" in lines of at most {@code width}, continued with an indent. */
  static List<String> wrap(String head, List<String> items, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder(head);
    for (int i = 0; i < items.size(); i++) {
      String item = items.get(i) + (i < items.size() - 1 ? "," : "");
      boolean first = line.length() == head.length() || line.toString().isBlank();
      if (!first && line.length() + 1 + item.length() > width) {
        lines.add(line.toString());
        line = new StringBuilder("  ");
        first = true;
      }
      if (!first) {
        line.append(' ');
      }
      line.append(item);
    }
    lines.add(line.toString());
    return lines;
  }
}
