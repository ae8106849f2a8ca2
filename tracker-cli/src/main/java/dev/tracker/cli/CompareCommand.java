package dev.tracker.cli;

import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code tracker compare RUN RUN…}: params side by side with the differing ones marked, metrics'
 * last values with their change from the first run.
 */
@Command(name = "compare", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Compares runs: params side by side, '*' marking those that differ, the"
        + " data sets each used ('" + InputViews.DIFFERENT_DATA + "' when they differ from the"
        + " first run's), and each metric's last value with its change from the first run."})
final class CompareCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin
  SourceOptions source;

  @Parameters(paramLabel = "RUN", arity = "2..*",
      description = "Two or more runs: ids, unique id prefixes or unique run names. The first is"
          + " the baseline of the changes.")
  List<String> runs;

  CompareCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    List<RunData> data;
    try (RunStore store = cli.open(source.uri)) {
      data = store.resolveAll(runs);
    }
    if (data.size() < 2) {
      throw new UserException("compare needs two different runs but " + String.join(" and ",
          runs) + " name the same run");
    }
    cli.out.print(render(data, source.format, cli));
    cli.out.flush();
    return 0;
  }

  /** One param row: its value in each run (null when missing) and whether they differ. */
  private record ParamRow(String key, List<String> values, boolean differs) {}

  /** One metric row: its last value per run (null when missing), the change from the first. */
  private record MetricRow(String key, List<Double> values, List<Double> changes) {}

  static String render(List<RunData> runs, Format format, Cli cli) {
    List<ParamRow> params = new ArrayList<>();
    for (String key : RunViews.paramKeys(runs)) {
      List<String> values = new ArrayList<>();
      Set<String> distinct = new HashSet<>();
      for (RunData r : runs) {
        String v = r.params().get(key);
        values.add(v);
        distinct.add(v);
      }
      params.add(new ParamRow(key, values, distinct.size() > 1));
    }
    List<Map<String, Metric>> latest = runs.stream().map(RunData::latestMetrics).toList();
    List<MetricRow> metrics = new ArrayList<>();
    for (String key : RunViews.metricKeys(runs)) {
      List<Double> values = new ArrayList<>();
      List<Double> changes = new ArrayList<>();
      Metric base = latest.get(0).get(key);
      for (Map<String, Metric> l : latest) {
        Metric m = l.get(key);
        values.add(m == null ? null : m.value());
        changes.add(m == null || base == null || l == latest.get(0) ? null
            : m.value() - base.value());
      }
      metrics.add(new MetricRow(key, values, changes));
    }
    List<InputViews.Row> inputs = InputViews.rows(runs);
    switch (format) {
      case JSON:
        return json(runs, params, inputs, metrics);
      case CSV:
        return csv(runs, params, inputs, metrics);
      default:
        return table(runs, params, inputs, metrics, cli);
    }
  }

  private static String json(List<RunData> runs, List<ParamRow> params,
      List<InputViews.Row> inputs, List<MetricRow> metrics) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runs", runs.stream().map(r -> RunViews.infoJson(r.info())).toList());
    List<Object> ps = new ArrayList<>();
    for (ParamRow p : params) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", p.key);
      m.put("values", p.values);
      m.put("differs", p.differs);
      ps.add(m);
    }
    out.put("params", ps);
    List<Object> is = new ArrayList<>();
    for (InputViews.Row i : inputs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", i.name());
      m.put("digests", i.values());
      m.put("differs", i.differs());
      is.add(m);
    }
    out.put("inputs", is);
    out.put("different_data", InputViews.differentData(runs, inputs));
    List<Object> ms = new ArrayList<>();
    for (MetricRow r : metrics) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", r.key);
      m.put("values", r.values);
      m.put("changes", r.changes);
      ms.add(m);
    }
    out.put("metrics", ms);
    return Json.write(out);
  }

  private static String csv(List<RunData> runs, List<ParamRow> params,
      List<InputViews.Row> inputs, List<MetricRow> metrics) {
    Csv csv = new Csv();
    List<String> header = new ArrayList<>(List.of("section", "key", "differs"));
    for (int i = 0; i < runs.size(); i++) {
      String id = runs.get(i).info().id();
      header.add(id);
      if (i > 0) {
        header.add(id + ".change");
      }
    }
    csv.row(header);
    String[][] info = new String[5][runs.size()];
    String[] keys = {"name", "status", "start_time", "end_time", "duration_ms"};
    for (int i = 0; i < runs.size(); i++) {
      RunInfo r = runs.get(i).info();
      info[0][i] = r.name();
      info[1][i] = r.status().name();
      info[2][i] = Values.iso(r.startTime());
      info[3][i] = Values.iso(r.endTime());
      info[4][i] = r.durationMillis() >= 0 ? Long.toString(r.durationMillis()) : null;
    }
    for (int k = 0; k < keys.length; k++) {
      csv.row(row("run", keys[k], null, Arrays.asList(info[k]), null));
    }
    for (ParamRow p : params) {
      csv.row(row("params", p.key, Boolean.toString(p.differs), p.values, null));
    }
    for (InputViews.Row i : inputs) {
      csv.row(row("inputs", i.name(), Boolean.toString(i.differs()), i.values(), null));
    }
    for (MetricRow m : metrics) {
      List<String> values = m.values.stream().map(v -> v == null ? null : Values.exact(v))
          .toList();
      List<String> changes = m.changes.stream().map(v -> v == null ? null : Values.exact(v))
          .toList();
      csv.row(row("metrics", m.key, null, values, changes));
    }
    return csv.toString();
  }

  private static List<String> row(String section, String key, String differs,
      List<String> values, List<String> changes) {
    List<String> row = new ArrayList<>(Arrays.asList(section, key, differs));
    for (int i = 0; i < values.size(); i++) {
      row.add(values.get(i));
      if (i > 0) {
        row.add(changes == null ? null : changes.get(i));
      }
    }
    return row;
  }

  private static String table(List<RunData> runs, List<ParamRow> params,
      List<InputViews.Row> inputs, List<MetricRow> metrics, Cli cli) {
    List<String> first = new ArrayList<>(List.of("name", "status", "start", "duration"));
    List<List<String>> values = new ArrayList<>();
    List<List<String>> changes = new ArrayList<>();
    for (RunData r : runs) {
      RunInfo info = r.info();
      values.add(new ArrayList<>(List.of(String.valueOf(info.name()), info.status().name(),
          Values.time(info.startTime(), cli.zone), Values.duration(info.durationMillis()))));
      changes.add(new ArrayList<>(List.of("", "", "", "")));
    }
    if (!params.isEmpty()) {
      blankAndTitle("params", first, values, changes);
      for (ParamRow p : params) {
        first.add((p.differs ? "* " : "  ") + p.key);
        for (int i = 0; i < runs.size(); i++) {
          String v = p.values.get(i);
          values.get(i).add(v == null ? "-" : v.replace('\n', ' '));
          changes.get(i).add("");
        }
      }
    }
    if (!inputs.isEmpty()) {
      blankAndTitle("inputs", first, values, changes);
      for (InputViews.Row in : inputs) {
        first.add((in.differs() ? "* " : "  ") + in.name());
        for (int i = 0; i < runs.size(); i++) {
          values.get(i).add(InputViews.shortDigest(in.values().get(i)));
          changes.get(i).add("");
        }
      }
    }
    if (!metrics.isEmpty()) {
      blankAndTitle("metrics", first, values, changes);
      for (MetricRow m : metrics) {
        first.add("  " + m.key);
        for (int i = 0; i < runs.size(); i++) {
          Double v = m.values.get(i);
          Double c = m.changes.get(i);
          values.get(i).add(v == null ? "-" : Values.number(v));
          changes.get(i).add(c == null ? "" : Values.change(c));
        }
      }
    }
    TextTable t = new TextTable(cli.ellipsis).maxCell(40);
    t.column("run", TextTable.KEEP, TextTable.Align.LEFT, first);
    for (int i = 0; i < runs.size(); i++) {
      String id = RunViews.shortId(runs.get(i).info().id());
      t.column(id, i == 0 ? TextTable.KEEP : 80 - Math.min(i, 20), TextTable.Align.LEFT,
          values.get(i));
      if (i > 0) {
        t.column("change", "change of " + id, 50 - Math.min(i, 20), TextTable.Align.RIGHT,
            changes.get(i));
      }
    }
    String different = InputViews.differentDataNote(runs, inputs);
    return t.render(cli.width).text(different == null ? List.of() : List.of(different));
  }

  private static void blankAndTitle(String title, List<String> first, List<List<String>> values,
      List<List<String>> changes) {
    first.add("");
    first.add(title);
    for (int i = 0; i < values.size(); i++) {
      values.get(i).add("");
      values.get(i).add("");
      changes.get(i).add("");
      changes.get(i).add("");
    }
  }
}
