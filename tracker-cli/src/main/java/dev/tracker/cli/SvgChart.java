package dev.tracker.cli;

import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.cli.Downsample.Point;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A line chart of one metric as inline SVG: value over step (or over seconds since the run's start
 * when every point of a run has the same step), one path per run, axes with ticks, a legend.
 * Points that are NaN or infinite leave a gap in their run's line. A long series is drawn
 * through {@link Downsample#lttb about 2,000} of its points, its spikes kept.
 */
final class SvgChart {
  static final int WIDTH = 720;
  static final int PLOT_HEIGHT = 300;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 16;
  private static final int BOTTOM = 62;
  private static final int LEGEND_ROW = 20;

  /**
   * Twenty colours for twenty runs: Tableau 10 (distinct for the colour-blind as well), then ten
   * darker or lighter ones, each at least 20 apart (CIE76 in CIELAB) from every other.
   */
  static final List<String> PALETTE = List.of("#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
      "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
      "#1f3b73", "#11a579", "#cf1c90", "#7f3c8d", "#a0cbe8", "#555555", "#543005", "#e31a1c",
      "#8f2d56", "#ffbe7d");

  private SvgChart() {}

  /** The colour of the i-th run: the palette's, again from the start after twenty. */
  static String color(int i) {
    return PALETTE.get(i % PALETTE.size());
  }

  /** The dash pattern of the i-th run: solid for the first twenty, then dashed, then dotted. */
  static String dash(int i) {
    return i < PALETTE.size() ? null : (i < 2 * PALETTE.size() ? "8 4" : "2 3");
  }

  private record Series(int index, RunData run, List<Point> points) {}

  /** The SVG of metric {@code key} over {@code runs}; runs without the metric are left out. */
  static String render(String key, List<RunData> runs) {
    List<List<Metric>> histories = new ArrayList<>();
    boolean anyVaryingStep = false;
    boolean anySeveralPoints = false;
    for (RunData r : runs) {
      List<Metric> h = new ArrayList<>(r.history(key));
      h.sort(Comparator.comparingLong(Metric::step));
      histories.add(h);
      if (h.size() > 1) {
        anySeveralPoints = true;
        anyVaryingStep |= h.get(0).step() != h.get(h.size() - 1).step();
      }
    }
    boolean byTime = anySeveralPoints && !anyVaryingStep;
    List<Series> series = new ArrayList<>();
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < runs.size(); i++) {
      List<Metric> h = histories.get(i);
      if (h.isEmpty()) {
        continue;
      }
      RunData run = runs.get(i);
      if (byTime) {
        h.sort(Comparator.comparingLong(Metric::timestamp));
      }
      List<Point> points = new ArrayList<>();
      for (Metric m : h) {
        double x = byTime ? (m.timestamp() - run.info().startTime()) / 1000.0 : m.step();
        points.add(new Point(x, m.value()));
        xMin = Math.min(xMin, x);
        xMax = Math.max(xMax, x);
        if (Double.isFinite(m.value())) {
          yMin = Math.min(yMin, m.value());
          yMax = Math.max(yMax, m.value());
        }
      }
      // the axes cover every point; the line is drawn through a downsampled few
      series.add(new Series(i, run, Downsample.lttb(points, Downsample.DEFAULT_POINTS)));
    }
    if (yMin > yMax) {
      yMin = 0;
      yMax = 1;
    }
    double[] xTicks = ticks(xMin, xMax, !byTime);
    double[] yTicks = ticks(yMin, yMax, false);
    Axis x = new Axis(xTicks[0], xTicks[xTicks.length - 1], LEFT, WIDTH - RIGHT);
    Axis y = new Axis(yTicks[0], yTicks[yTicks.length - 1], TOP + PLOT_HEIGHT, TOP);

    // the legend: items laid out left to right, wrapping into rows
    List<double[]> legendAt = new ArrayList<>();
    double lx = LEFT;
    int rows = 1;
    for (Series s : series) {
      double w = 34 + 7.0 * label(s.run).length();
      if (lx + w > WIDTH - RIGHT && lx > LEFT) {
        lx = LEFT;
        rows++;
      }
      legendAt.add(new double[] {lx, TOP + PLOT_HEIGHT + BOTTOM + (rows - 1) * LEGEND_ROW});
      lx += w + 14;
    }
    int height = TOP + PLOT_HEIGHT + BOTTOM + rows * LEGEND_ROW + 6;

    StringBuilder sb = new StringBuilder();
    sb.append("<svg class=\"chart-svg\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
        .append("\" width=\"").append(WIDTH).append("\" height=\"").append(height)
        .append("\" role=\"img\" aria-label=\"").append(Html.escape(key)).append(" by ")
        .append(byTime ? "time" : "step")
        .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
    sb.append("<title>").append(Html.escape(key)).append("</title>\n");
    sb.append("<rect class=\"plot-area\" x=\"").append(LEFT).append("\" y=\"").append(TOP)
        .append("\" width=\"").append(WIDTH - LEFT - RIGHT).append("\" height=\"")
        .append(PLOT_HEIGHT).append("\" fill=\"#ffffff\" stroke=\"none\"/>\n");

    sb.append("<g class=\"grid\" stroke=\"#e4e4e4\" stroke-width=\"1\">\n");
    for (double t : yTicks) {
      sb.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
          .append("\" y1=\"").append(f(y.map(t))).append("\" y2=\"").append(f(y.map(t)))
          .append("\"/>\n");
    }
    sb.append("</g>\n");

    double axisY = TOP + PLOT_HEIGHT;
    sb.append("<g class=\"axis x-axis\" stroke=\"#333333\">\n");
    sb.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
        .append("\" y1=\"").append(f(axisY)).append("\" y2=\"").append(f(axisY)).append("\"/>\n");
    for (double t : xTicks) {
      double px = x.map(t);
      sb.append("<line class=\"tick\" x1=\"").append(f(px)).append("\" x2=\"").append(f(px))
          .append("\" y1=\"").append(f(axisY)).append("\" y2=\"").append(f(axisY + 5))
          .append("\"/>\n");
      sb.append("<text class=\"tick-label\" x=\"").append(f(px)).append("\" y=\"")
          .append(f(axisY + 18)).append("\" text-anchor=\"middle\" stroke=\"none\""
              + " fill=\"#333333\">").append(Values.number(t, 6)).append("</text>\n");
    }
    sb.append("<text class=\"axis-title\" x=\"").append(f((LEFT + WIDTH - RIGHT) / 2.0))
        .append("\" y=\"").append(f(axisY + 36)).append("\" text-anchor=\"middle\""
            + " stroke=\"none\" fill=\"#333333\">").append(byTime ? "time (s)" : "step")
        .append("</text>\n</g>\n");

    sb.append("<g class=\"axis y-axis\" stroke=\"#333333\">\n");
    sb.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT).append("\" y1=\"")
        .append(TOP).append("\" y2=\"").append(f(axisY)).append("\"/>\n");
    for (double t : yTicks) {
      double py = y.map(t);
      sb.append("<line class=\"tick\" x1=\"").append(LEFT - 5).append("\" x2=\"").append(LEFT)
          .append("\" y1=\"").append(f(py)).append("\" y2=\"").append(f(py)).append("\"/>\n");
      sb.append("<text class=\"tick-label\" x=\"").append(LEFT - 8).append("\" y=\"")
          .append(f(py + 4)).append("\" text-anchor=\"end\" stroke=\"none\" fill=\"#333333\">")
          .append(Values.number(t, 6)).append("</text>\n");
    }
    sb.append("<text class=\"axis-title\" transform=\"translate(14 ")
        .append(f(TOP + PLOT_HEIGHT / 2.0)).append(") rotate(-90)\" text-anchor=\"middle\""
            + " stroke=\"none\" fill=\"#333333\">").append(Html.escape(key))
        .append("</text>\n</g>\n");

    sb.append("<g class=\"series\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\""
        + " stroke-linecap=\"round\">\n");
    for (Series s : series) {
      sb.append("<path class=\"line\" data-run=\"").append(Html.escape(s.run.info().id()))
          .append("\" stroke=\"").append(color(s.index)).append('"');
      if (dash(s.index) != null) {
        sb.append(" stroke-dasharray=\"").append(dash(s.index)).append('"');
      }
      sb.append(" d=\"").append(path(s.points, x, y)).append("\"><title>")
          .append(Html.escape(label(s.run))).append("</title></path>\n");
    }
    // a point with no finite neighbour makes no line: it gets a dot
    for (Series s : series) {
      List<Point> p = s.points;
      for (int i = 0; i < p.size(); i++) {
        boolean alone = Double.isFinite(p.get(i).y())
            && (i == 0 || !Double.isFinite(p.get(i - 1).y()))
            && (i == p.size() - 1 || !Double.isFinite(p.get(i + 1).y()));
        if (alone) {
          sb.append("<circle class=\"point\" data-run=\"")
              .append(Html.escape(s.run.info().id()))
              .append("\" cx=\"").append(f(x.map(p.get(i).x()))).append("\" cy=\"")
              .append(f(y.map(p.get(i).y()))).append("\" r=\"4\" fill=\"").append(color(s.index))
              .append("\" stroke=\"none\"/>\n");
        }
      }
    }
    sb.append("</g>\n");

    sb.append("<g class=\"legend\">\n");
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      double[] at = legendAt.get(i);
      sb.append("<g class=\"legend-item\" data-run=\"")
          .append(Html.escape(s.run.info().id())).append("\">")
          .append("<line x1=\"").append(f(at[0])).append("\" x2=\"").append(f(at[0] + 24))
          .append("\" y1=\"").append(f(at[1] - 4)).append("\" y2=\"").append(f(at[1] - 4))
          .append("\" stroke=\"").append(color(s.index)).append("\" stroke-width=\"3\"");
      if (dash(s.index) != null) {
        sb.append(" stroke-dasharray=\"").append(dash(s.index)).append('"');
      }
      sb.append("/><text x=\"").append(f(at[0] + 30)).append("\" y=\"").append(f(at[1]))
          .append("\" fill=\"#222222\">").append(Html.escape(label(s.run)))
          .append("</text></g>\n");
    }
    sb.append("</g>\n</svg>");
    return sb.toString();
  }

  /** What the legend calls a run: its name and short id. */
  static String label(RunData run) {
    return run.info().name() + " (" + RunViews.shortId(run.info().id()) + ")";
  }

  /** "M x y L x y …", starting again after each non-finite value. */
  private static String path(List<Point> points, Axis x, Axis y) {
    StringBuilder d = new StringBuilder();
    boolean pen = false;
    for (Point p : points) {
      if (!Double.isFinite(p.y())) {
        pen = false;
        continue;
      }
      if (d.length() > 0) {
        d.append(' ');
      }
      d.append(pen ? 'L' : 'M').append(f(x.map(p.x()))).append(' ').append(f(y.map(p.y())));
      pen = true;
    }
    return d.toString();
  }

  /** Maps a value range onto pixels. */
  private record Axis(double min, double max, double from, double to) {
    double map(double v) {
      // halved, so that a range wider than a double holds (-1e308 to 1e308) is no infinity
      return from + (v / 2 - min / 2) / (max / 2 - min / 2) * (to - from);
    }
  }

  /**
   * About five round tick values ("nice numbers": 1, 2, 2.5 or 5 times a power of ten) covering
   * {@code [min, max]}; the first and last are the axis's ends. With {@code integers} (steps)
   * the ticks are whole numbers.
   */
  static double[] ticks(double min, double max, boolean integers) {
    if (!(max > min)) {
      double pad = integers || min == 0 ? 1 : Math.abs(min) * 0.1;
      min = Math.max(min - pad, -Double.MAX_VALUE);
      max = Math.min(max + pad, Double.MAX_VALUE);
    }
    double rough = max / 5 - min / 5; // (max - min) / 5 overflows from -1e308 to 1e308
    double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
    double step = magnitude;
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * magnitude >= rough) {
        step = m * magnitude;
        break;
      }
    }
    if (integers && step < 1) {
      step = 1;
    } else if (integers && step == 2.5) {
      step = 2;
    }
    long first = (long) Math.floor(min / step + 1e-9);
    long last = (long) Math.ceil(max / step - 1e-9);
    double[] out = new double[(int) (last - first) + 1];
    for (int i = 0; i < out.length; i++) {
      // rounded, so 0.30000000000000004 becomes 0.3; past the largest double, the largest
      double t = Double.parseDouble(Values.number((first + i) * step, 12));
      out[i] = Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, t));
    }
    return out;
  }

  /** Pixels with one decimal, whatever the default locale. */
  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
