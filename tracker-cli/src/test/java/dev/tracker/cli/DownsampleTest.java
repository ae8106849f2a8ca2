package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.cli.Downsample.Point;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DownsampleTest {
  /** A noisy falling curve of {@code n} points, x = index. */
  private static List<Point> curve(int n) {
    List<Point> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      points.add(new Point(i, 1.0 / (1 + i / 1000.0) + 0.01 * Math.sin(i * 0.7)));
    }
    return points;
  }

  @Test
  void aShortSeriesIsKeptWhole() {
    List<Point> points = curve(2_000);

    assertThat(Downsample.lttb(points, 2_000)).isSameAs(points);
  }

  @Test
  void aMillionPointsBecomeAboutTheTargetKeepingTheEndsInOrder() {
    List<Point> points = curve(1_000_000);

    List<Point> out = Downsample.lttb(points, 2_000);

    assertThat(out.size()).isBetween(1_900, 2_000);
    assertThat(out.get(0)).isEqualTo(points.get(0));
    assertThat(out.get(out.size() - 1)).isEqualTo(points.get(999_999));
    for (int i = 1; i < out.size(); i++) {
      assertThat(out.get(i).x()).isGreaterThan(out.get(i - 1).x());
    }
  }

  @Test
  void aSpikeOfOnePointSurvivesBothWays() {
    List<Point> points = curve(1_000_000);
    points.set(412_345, new Point(412_345, 50));
    points.set(812_345, new Point(812_345, -50));

    List<Point> out = Downsample.lttb(points, 2_000);

    assertThat(out).contains(new Point(412_345, 50), new Point(812_345, -50));
  }

  @Test
  void aStretchOfNaNStaysAGapAndAnEmptyOneIsNotMade() {
    List<Point> points = curve(100_000);
    for (int i = 40_000; i < 60_000; i++) {
      points.set(i, new Point(i, Double.NaN));
    }

    List<Point> out = Downsample.lttb(points, 2_000);

    List<Point> gaps = out.stream().filter(p -> Double.isNaN(p.y())).toList();
    assertThat(gaps).isNotEmpty()
        .allSatisfy(p -> assertThat(p.x()).isBetween(40_000.0, 59_999.0));
    // every finite point kept is one of the series' own
    assertThat(out).filteredOn(p -> Double.isFinite(p.y())).allSatisfy(p ->
        assertThat(points.get((int) p.x())).isEqualTo(p));
  }

  @Test
  void aTargetBelowFiveIsRefused() {
    assertThatThrownBy(() -> Downsample.lttb(curve(10), 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target must be at least 5 but was 4");
  }
}
