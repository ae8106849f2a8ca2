package dev.tracker.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Fewer points to draw a long series with, and a line that looks the same: largest-triangle-
 * three-buckets (Steinarsson, 2013) that also keeps each bucket's smallest and largest value, so
 * that a spike of one point survives however long the series. The first and last points are
 * kept; a bucket with a non-finite value keeps one, so a gap in the line stays a gap.
 */
final class Downsample {
  /** About how many points a chart's line keeps: a few per pixel of its width. */
  static final int DEFAULT_POINTS = 2_000;

  /** A point of a line: x (step or seconds) and y (the value, maybe not finite). */
  record Point(double x, double y) {}

  private Downsample() {}

  /**
   * At most about {@code target} points of {@code points} (ordered by x), in their order; the
   * list itself when it is no longer.
   *
   * @throws IllegalArgumentException when {@code target} is below 5
   */
  static List<Point> lttb(List<Point> points, int target) {
    if (target < 5) {
      throw new IllegalArgumentException("target must be at least 5 but was " + target);
    }
    int n = points.size();
    if (n <= target) {
      return points;
    }
    // up to three points per bucket (min, max, the triangle's), and the two ends
    int buckets = (target - 2) / 3;
    double size = (n - 2) / (double) buckets;
    List<Point> out = new ArrayList<>(target + buckets);
    out.add(points.get(0));
    Point a = points.get(0);
    for (int b = 0; b < buckets; b++) {
      int from = 1 + (int) (b * size);
      int to = b == buckets - 1 ? n - 1 : 1 + (int) ((b + 1) * size);
      Point c = b == buckets - 1 ? points.get(n - 1)
          : average(points, to, b == buckets - 2 ? n - 1 : 1 + (int) ((b + 2) * size));
      int min = -1;
      int max = -1;
      int best = -1;
      int gap = -1;
      double bestArea = -1;
      for (int i = from; i < to; i++) {
        Point p = points.get(i);
        if (!Double.isFinite(p.y())) {
          gap = gap < 0 ? i : gap;
          continue;
        }
        if (min < 0 || p.y() < points.get(min).y()) {
          min = i;
        }
        if (max < 0 || p.y() > points.get(max).y()) {
          max = i;
        }
        double area = area(a, p, c);
        if (area > bestArea) {
          bestArea = area;
          best = i;
        }
      }
      int[] keep = {min, max, best, gap};
      java.util.Arrays.sort(keep);
      int last = -1;
      for (int i : keep) {
        if (i >= 0 && i != last) {
          out.add(points.get(i));
          last = i;
        }
      }
      if (best >= 0) {
        a = points.get(best);
      }
    }
    out.add(points.get(n - 1));
    return out;
  }

  /** Twice the area of triangle a p c; a or c with a non-finite y counts as level with p. */
  private static double area(Point a, Point p, Point c) {
    double ay = Double.isFinite(a.y()) ? a.y() : p.y();
    double cy = Double.isFinite(c.y()) ? c.y() : p.y();
    return Math.abs((a.x() - c.x()) * (p.y() - ay) - (a.x() - p.x()) * (cy - ay));
  }

  /** The mean point of the finite values in [from, to); its y is NaN when there are none. */
  private static Point average(List<Point> points, int from, int to) {
    double x = 0;
    double y = 0;
    int count = 0;
    for (int i = from; i < to; i++) {
      Point p = points.get(i);
      if (Double.isFinite(p.y())) {
        x += p.x();
        y += p.y();
        count++;
      }
    }
    return count == 0 ? new Point(points.get(from).x(), Double.NaN)
        : new Point(x / count, y / count);
  }
}
