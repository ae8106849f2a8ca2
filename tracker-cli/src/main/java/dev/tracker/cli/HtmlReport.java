package dev.tracker.cli;

import dev.tracker.DatasetInput;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * One self-contained HTML page about runs: a runs table, a params table, the data sets the runs
 * used, the metrics' last values, and an SVG line chart per metric. It holds no script and loads nothing (its Content
 * Security Policy forbids it), so it opens the same anywhere, offline. The markup is well-formed
 * XML as well as HTML.
 */
final class HtmlReport {
  private static final String CSS = String.join("\n",
      "body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;"
          + " margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }",
      "h1 { font-size: 1.6em; margin-bottom: 0.2em; }",
      "h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }",
      ".meta { color: #666; margin-top: 0; }",
      "table { border-collapse: collapse; font-size: 0.9em; }",
      "th, td { padding: 0.25em 0.8em; text-align: left; border-bottom: 1px solid #eee;"
          + " vertical-align: top; }",
      "td.num { text-align: right; font-variant-numeric: tabular-nums; }",
      "tr.differs th, .different-data { color: #b00020; }",
      "tr.min th, tr.max th { font-weight: normal; color: #666; }",
      ".swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px;"
          + " margin-right: 0.4em; vertical-align: -0.1em; }",
      "code { font-size: 0.95em; }",
      ".charts { display: flex; flex-wrap: wrap; gap: 1.5em; margin-top: 1.5em; }",
      "figure.chart { margin: 0; }",
      "figcaption { font-weight: 600; margin: 0.4em 0; }",
      "svg.chart-svg { max-width: 100%; height: auto; background: #fafafa; }",
      ".wide { overflow-x: auto; }");

  private HtmlReport() {}

  /**
   * The report page.
   *
   * @param title the page title
   * @param source where the runs were read, without credentials
   * @param generated when the page is made
   */
  static String render(String title, String source, List<RunData> listed, Instant generated,
      ZoneId zone) {
    // children under their parent, in the tables and in the order of colours
    List<RunViews.Row> rows = RunViews.tree(listed);
    List<RunData> runs = rows.stream().map(RunViews.Row::run).toList();
    List<String> params = RunViews.paramKeys(runs);
    List<String> metrics = RunViews.metricKeys(runs);
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
            + " style-src 'unsafe-inline'\"/>\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        .append("<title>").append(Html.escape(title)).append("</title>\n<style>\n").append(CSS)
        .append("\n</style>\n</head>\n<body>\n");
    sb.append("<h1>").append(Html.escape(title)).append("</h1>\n<p class=\"meta\">")
        .append(runs.size()).append(runs.size() == 1 ? " run" : " runs").append(" from <code>")
        .append(Html.escape(source)).append("</code>, made ")
        .append(Html.escape(Values.timeSeconds(generated.toEpochMilli(), zone))).append(' ')
        .append(Html.escape(zone.equals(java.time.ZoneOffset.UTC) ? "UTC" : zone.getId()))
        .append("</p>\n");

    sb.append("<h2>Runs</h2>\n<div class=\"wide\">\n<table class=\"runs\">\n<thead><tr><th>run</th><th>id</th>"
        + "<th>experiment</th><th>status</th><th>start</th><th>duration</th></tr></thead>\n"
        + "<tbody>\n");
    for (int i = 0; i < runs.size(); i++) {
      RunInfo info = runs.get(i).info();
      int depth = rows.get(i).depth();
      sb.append("<tr data-run=\"").append(Html.escape(info.id())).append('"')
          .append(depth == 0 ? "" : " class=\"child\" data-parent=\""
              + Html.escape(info.parentRunId()) + "\"")
          .append("><td")
          .append(depth == 0 ? "" : " style=\"padding-left: " + (depth + 1) + "em\"")
          .append('>').append(swatch(i))
          .append(Html.escape(RunViews.treeName(info.name(), depth, true)))
          .append("</td><td><code title=\"")
          .append(Html.escape(info.id())).append("\">")
          .append(Html.escape(RunViews.shortId(info.id())))
          .append("</code></td><td>").append(Html.escape(info.experimentName()))
          .append("</td><td>").append(info.status().name()).append("</td><td>")
          .append(Values.time(info.startTime(), zone)).append("</td><td class=\"num\">")
          .append(Values.duration(info.durationMillis())).append("</td></tr>\n");
    }
    sb.append("</tbody>\n</table>\n</div>\n");

    sb.append("<h2>Params</h2>\n");
    if (params.isEmpty()) {
      sb.append("<p>No params.</p>\n");
    } else {
      sb.append("<div class=\"wide\">\n<table class=\"params\">\n")
          .append(runHeader("param", runs)).append("<tbody>\n");
      for (String key : params) {
        Set<String> distinct = new HashSet<>();
        runs.forEach(r -> distinct.add(r.params().get(key)));
        boolean differs = distinct.size() > 1;
        sb.append(differs ? "<tr class=\"differs\">" : "<tr>").append("<th>")
            .append(Html.escape(key)).append(differs ? " *" : "").append("</th>");
        for (RunData r : runs) {
          String v = r.params().get(key);
          sb.append(v != null && Values.isNumber(v) ? "<td class=\"num\">" : "<td>")
              .append(v == null ? "-" : Html.escape(v)).append("</td>");
        }
        sb.append("</tr>\n");
      }
      sb.append("</tbody>\n</table>\n</div>\n<p class=\"meta\">* differs between runs</p>\n");
    }

    inputs(sb, runs);

    sb.append("<h2>Metrics</h2>\n");
    if (metrics.isEmpty()) {
      sb.append("<p>No metrics.</p>\n");
    } else {
      sb.append("<div class=\"wide\">\n<table class=\"metrics\">\n")
          .append(runHeader("metric", runs)).append("<tbody>\n");
      // from every point, not from the fewer the charts draw
      List<Map<String, RunViews.MetricSummary>> summaries = new ArrayList<>();
      for (RunData r : runs) {
        Map<String, RunViews.MetricSummary> byKey = new HashMap<>();
        RunViews.summaries(r).forEach(m -> byKey.put(m.key(), m));
        summaries.add(byKey);
      }
      for (String key : metrics) {
        metricRow(sb, "", key, summaries, key, RunViews.MetricSummary::last);
        metricRow(sb, "min", key, summaries, key + " min", RunViews.MetricSummary::min);
        metricRow(sb, "max", key, summaries, key + " max", RunViews.MetricSummary::max);
      }
      sb.append("</tbody>\n</table>\n</div>\n<p class=\"meta\">each metric's last value, then"
          + " its min and max over every point (the charts draw about "
          + Downsample.DEFAULT_POINTS + " points per line)</p>\n");
      sb.append("<div class=\"charts\">\n");
      int n = 0;
      for (String key : metrics) {
        sb.append("<figure class=\"chart\" id=\"chart-").append(++n).append("\" data-metric=\"")
            .append(Html.escape(key)).append("\">\n<figcaption>").append(Html.escape(key))
            .append("</figcaption>\n").append(SvgChart.render(key, runs))
            .append("\n</figure>\n");
      }
      sb.append("</div>\n");
    }
    sb.append("</body>\n</html>\n");
    return sb.toString();
  }

  /**
   * The Inputs section: each run's data sets, an input's name marked where the runs used
   * different data under it, and the runs trained on other data than the first named; nothing
   * when no run has an input.
   */
  private static void inputs(StringBuilder sb, List<RunData> runs) {
    if (runs.stream().allMatch(r -> r.inputs().isEmpty())) {
      return;
    }
    List<InputViews.Row> rows = InputViews.rows(runs);
    Set<String> differ = new HashSet<>();
    rows.stream().filter(InputViews.Row::differs).forEach(r -> differ.add(r.name()));
    sb.append("<h2>Inputs</h2>\n<div class=\"wide\">\n<table class=\"inputs\">\n")
        .append("<thead><tr><th>run</th><th>input</th><th>context</th><th>digest</th>"
            + "<th>source</th><th>size</th><th>files</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < runs.size(); i++) {
      RunData run = runs.get(i);
      String cell = "<td>" + swatch(i) + Html.escape(run.info().name()) + "</td>";
      if (run.inputs().isEmpty()) {
        sb.append("<tr data-run=\"").append(Html.escape(run.info().id())).append("\">")
            .append(cell)
            .append("<td colspan=\"6\">none</td></tr>\n");
      }
      for (DatasetInput in : run.inputs()) {
        boolean differs = differ.contains(in.name());
        sb.append("<tr data-run=\"").append(Html.escape(run.info().id()))
            .append(differs ? "\" class=\"differs\">" : "\">").append(cell).append("<th>")
            .append(Html.escape(in.name())).append(differs ? " *" : "").append("</th><td>")
            .append(Html.escape(in.context())).append("</td><td>")
            .append(in.digest() == null ? "-" : "<code title=\"" + Html.escape(in.digest())
                + "\">" + Html.escape(InputViews.shortDigest(in.digest(), 12)) + "</code>")
            .append("</td><td>").append(Html.escape(in.source()))
            .append("</td><td class=\"num\">").append(InputViews.size(in))
            .append("</td><td class=\"num\">").append(InputViews.files(in))
            .append("</td></tr>\n");
      }
    }
    sb.append("</tbody>\n</table>\n</div>\n");
    if (!differ.isEmpty()) {
      sb.append("<p class=\"meta\">* differs between runs</p>\n");
    }
    String note = InputViews.differentDataNote(runs, rows);
    if (note != null) {
      sb.append("<p class=\"different-data\">").append(Html.escape(note)).append("</p>\n");
    }
  }

  private static void metricRow(StringBuilder sb, String cssClass, String key,
      List<Map<String, RunViews.MetricSummary>> summaries, String title,
      ToDoubleFunction<RunViews.MetricSummary> value) {
    sb.append(cssClass.isEmpty() ? "<tr>" : "<tr class=\"" + cssClass + "\">").append("<th>")
        .append(Html.escape(title)).append("</th>");
    for (Map<String, RunViews.MetricSummary> s : summaries) {
      RunViews.MetricSummary m = s.get(key);
      sb.append("<td class=\"num\">")
          .append(m == null ? "-" : Values.number(value.applyAsDouble(m))).append("</td>");
    }
    sb.append("</tr>\n");
  }

  private static String runHeader(String first, List<RunData> runs) {
    StringBuilder sb = new StringBuilder("<thead><tr><th>").append(first).append("</th>");
    for (int i = 0; i < runs.size(); i++) {
      RunInfo info = runs.get(i).info();
      sb.append("<th title=\"").append(Html.escape(info.id())).append("\">")
          .append(swatch(i))
          .append(Html.escape(info.name())).append("</th>");
    }
    return sb.append("</tr></thead>\n").toString();
  }

  private static String swatch(int i) {
    return "<span class=\"swatch\" style=\"background: " + SvgChart.color(i) + "\"></span>";
  }
}
