package dev.tracker.cli;

import dev.tracker.RunData;
import dev.tracker.RunInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code tracker show RUN}: everything about one run. */
@Command(name = "show", sortOptions = false, mixinStandardHelpOptions = true,
    description = "Shows one run: its info, params, tags, the data sets it used, each"
        + " metric's last/min/max/count, its artifacts, the model versions registered from it,"
        + " and its child runs.")
final class ShowCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin
  SourceOptions source;

  @Parameters(paramLabel = "RUN", description = "A run id, a unique id prefix or a unique run"
      + " name.")
  String run;

  ShowCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    RunData data;
    List<RunInfo> children;
    try (RunStore store = cli.open(source.uri)) {
      data = store.resolve(run);
      children = source.format == Format.TABLE ? store.children(data.info()) : List.of();
    }
    cli.out.print(render(data, children, source.format, cli));
    cli.out.flush();
    return 0;
  }

  /** The run in {@code format}; the table also lists its {@code children}. */
  static String render(RunData run, List<RunInfo> children, Format format, Cli cli) {
    switch (format) {
      case JSON:
        return json(run);
      case CSV:
        return csv(run);
      default:
        return table(run, children, cli);
    }
  }

  private static String json(RunData run) {
    Map<String, Object> m = RunViews.infoJson(run.info());
    m.put("experiment_id", run.info().experimentId());
    m.put("parent_run_id", run.info().parentRunId());
    m.put("params", run.params());
    m.put("tags", run.tags());
    Map<String, Object> metrics = new LinkedHashMap<>();
    for (RunViews.MetricSummary s : RunViews.summaries(run)) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("last", s.last());
      one.put("step", s.lastStep());
      one.put("min", s.min());
      one.put("max", s.max());
      one.put("count", s.count());
      metrics.put(s.key(), one);
    }
    m.put("metrics", metrics);
    m.put("artifacts", run.artifacts());
    m.put("inputs", InputViews.json(run.inputs()));
    List<ModelLineage.Ref> models = ModelLineage.of(run.tags());
    if (!models.isEmpty()) {
      m.put("registered_models", ModelLineage.json(models));
    }
    return Json.write(m);
  }

  private static String csv(RunData run) {
    Csv csv = new Csv();
    csv.row(List.of("section", "key", "value", "step", "min", "max", "count"));
    for (Map.Entry<String, String> e : info(run.info(), null).entrySet()) {
      csv.row(padded("run", e.getKey(), e.getValue()));
    }
    run.params().forEach((k, v) -> csv.row(padded("params", k, v)));
    run.tags().forEach((k, v) -> csv.row(padded("tags", k, v)));
    for (RunViews.MetricSummary s : RunViews.summaries(run)) {
      csv.row(List.of("metrics", s.key(), Values.exact(s.last()), Long.toString(s.lastStep()),
          Values.exact(s.min()), Values.exact(s.max()), Integer.toString(s.count())));
    }
    run.artifacts().forEach(a -> csv.row(padded("artifacts", a, "")));
    run.inputs().forEach(i -> csv.row(padded("inputs", i.name(),
        i.digest() == null ? i.source() : i.digest())));
    return csv.toString();
  }

  /** A row of the 7 columns of the CSV, the last ones empty; a null value is empty too. */
  private static List<String> padded(String section, String key, String value) {
    return Arrays.asList(section, key, value, "", "", "", "");
  }

  /** The run's info as key/value pairs; times in {@code cli}'s zone, or ISO when null. */
  private static Map<String, String> info(RunInfo info, Cli cli) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("id", info.id());
    m.put("name", String.valueOf(info.name()));
    m.put("experiment", String.valueOf(info.experimentName()));
    m.put("status", info.status().name());
    if (cli == null) {
      m.put("start_time", Values.iso(info.startTime()));
      m.put("end_time", Values.iso(info.endTime()));
      m.put("duration_ms", info.durationMillis() >= 0 ? Long.toString(info.durationMillis())
          : "");
    } else {
      m.put("start", Values.timeSeconds(info.startTime(), cli.zone));
      m.put("end", Values.timeSeconds(info.endTime(), cli.zone));
      m.put("duration", Values.duration(info.durationMillis()));
    }
    m.put("parent", info.parentRunId() == null ? (cli == null ? "" : "-") : info.parentRunId());
    return m;
  }

  private static String table(RunData run, List<RunInfo> children, Cli cli) {
    StringBuilder sb = new StringBuilder();
    List<String> notes = new ArrayList<>();
    Map<String, String> info = info(run.info(), cli);
    section(sb, notes, null, keyValues(info, cli, ""));

    sb.append("\nparams\n");
    if (run.params().isEmpty()) {
      sb.append("  (none)\n");
    } else {
      section(sb, notes, null, keyValues(run.params(), cli, "  "));
    }

    sb.append("\ntags\n");
    if (run.tags().isEmpty()) {
      sb.append("  (none)\n");
    } else {
      section(sb, notes, null, keyValues(run.tags(), cli, "  "));
    }

    if (!run.inputs().isEmpty()) {
      sb.append("\ninputs\n");
      section(sb, notes, null, InputViews.table(run.inputs(), cli));
    }

    sb.append("\nmetrics\n");
    List<RunViews.MetricSummary> summaries = RunViews.summaries(run);
    if (summaries.isEmpty()) {
      sb.append("  (none)\n");
    } else {
      List<String> keys = new ArrayList<>();
      List<String> last = new ArrayList<>();
      List<String> step = new ArrayList<>();
      List<String> min = new ArrayList<>();
      List<String> max = new ArrayList<>();
      List<String> count = new ArrayList<>();
      for (RunViews.MetricSummary s : summaries) {
        keys.add(s.key());
        last.add(Values.number(s.last()));
        step.add(Long.toString(s.lastStep()));
        min.add(Values.number(s.min()));
        max.add(Values.number(s.max()));
        count.add(Integer.toString(s.count()));
      }
      TextTable t = new TextTable(cli.ellipsis).indent("  ")
          .column("metric", TextTable.KEEP, TextTable.Align.LEFT, keys)
          .column("last", 90, TextTable.Align.RIGHT, last)
          .column("step", 50, TextTable.Align.RIGHT, step)
          .column("min", 70, TextTable.Align.RIGHT, min)
          .column("max", 70, TextTable.Align.RIGHT, max)
          .column("count", 60, TextTable.Align.RIGHT, count);
      section(sb, notes, null, t.render(cli.width));
    }

    sb.append("\nartifacts\n");
    if (run.artifacts().isEmpty()) {
      sb.append("  (none)\n");
    } else {
      for (String a : run.artifacts()) {
        sb.append("  ").append(Values.printable(a)).append('\n');
      }
    }
    List<ModelLineage.Ref> models = ModelLineage.of(run.tags());
    if (!models.isEmpty()) {
      sb.append("\nregistered models\n");
      section(sb, notes, null, new TextTable(cli.ellipsis).noHeader().indent("  ")
          .column("model", TextTable.KEEP, TextTable.Align.LEFT,
              models.stream().map(ModelLineage.Ref::name).toList())
          .column("version", TextTable.KEEP, TextTable.Align.LEFT, models.stream()
              .map(r -> r.version() == null ? "" : "version " + r.version()).toList())
          .render(cli.width));
    }
    if (!children.isEmpty()) {
      sb.append("\nchild runs\n");
      List<String> ids = new ArrayList<>();
      List<String> names = new ArrayList<>();
      List<String> statuses = new ArrayList<>();
      for (RunInfo c : children) {
        ids.add(RunViews.shortId(c.id()));
        names.add(c.name());
        statuses.add(c.status().name());
      }
      section(sb, notes, null, new TextTable(cli.ellipsis).noHeader().indent("  ")
          .column("id", TextTable.KEEP, TextTable.Align.LEFT, ids)
          .column("name", TextTable.KEEP, TextTable.Align.LEFT, names)
          .column("status", 50, TextTable.Align.LEFT, statuses)
          .render(cli.width));
    }
    if (!notes.isEmpty()) {
      sb.append('\n');
      for (String n : notes) {
        sb.append(n).append('\n');
      }
    }
    return sb.toString();
  }

  private static TextTable.Rendered keyValues(Map<String, String> map, Cli cli, String indent) {
    return new TextTable(cli.ellipsis).noHeader().indent(indent)
        .column("key", TextTable.KEEP, TextTable.Align.LEFT, new ArrayList<>(map.keySet()))
        .column("value", TextTable.KEEP, TextTable.Align.LEFT,
            new ArrayList<>(map.values()))
        .render(cli.width);
  }

  private static void section(StringBuilder sb, List<String> notes, String title,
      TextTable.Rendered r) {
    if (title != null) {
      sb.append(title).append('\n');
    }
    for (String line : r.lines()) {
      sb.append(line).append('\n');
    }
    for (String n : r.notes()) {
      if (!notes.contains(n)) {
        notes.add(n);
      }
    }
  }
}
