package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.RunStatus;
import dev.tracker.testing.RecordingBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** A parent with two folds, and a run of its own: the folds are shown under their parent. */
class ChildRunsTest {
  static final String P = "d4e5f60718293a4b5c6d7e8f90a1b2c3";
  static final String F1 = "e5f60718293a4b5c6d7e8f90a1b2c3d4";
  static final String F2 = "f60718293a4b5c6d7e8f90a1b2c3d4e5";
  static final String OTHER = "0718293a4b5c6d7e8f90a1b2c3d4e5f6";

  private final RecordingBackend backend = new RecordingBackend();

  ChildRunsTest() {
    // newest first would list the folds above their parent
    Fixtures.run(backend, "cv", P, "cv", Fixtures.T0, 9_000, RunStatus.FINISHED, Map.of(),
        Map.of("loss", new double[] {0.5}));
    Fixtures.run(backend, "cv", F1, "fold-1", Fixtures.T0 + 1_000, 2_000, RunStatus.FINISHED,
        Map.of(), Map.of("loss", new double[] {0.4}), P);
    Fixtures.run(backend, "cv", F2, "fold-2", Fixtures.T0 + 4_000, 2_000, RunStatus.FAILED,
        Map.of(), Map.of("loss", new double[] {0.6}), P);
    Fixtures.run(backend, "cv", OTHER, "other", Fixtures.T0 + 60_000, 1_000,
        RunStatus.FINISHED, Map.of(), Map.of("loss", new double[] {0.7}));
  }

  @Test
  void runsListsEachChildUnderItsParent() {
    Harness.Result r = new Harness(backend).run("runs");

    assertThat(r.out()).isEqualTo(""
        + "id        name      status    start             duration  loss\n"
        + "0718293a  other     FINISHED  2024-05-01 12:01        1s   0.7\n"
        + "d4e5f607  cv        FINISHED  2024-05-01 12:00        9s   0.5\n"
        + "f6071829  └ fold-2  FAILED    2024-05-01 12:00        2s   0.6\n"
        + "e5f60718  └ fold-1  FINISHED  2024-05-01 12:00        2s   0.4\n");
  }

  @Test
  void aChildWhoseParentIsNotListedStaysAtTheTop() {
    Harness.Result r = new Harness(backend).run("runs", "--filter", "attributes.run_name = 'fold-1'");

    assertThat(r.out()).contains("\ne5f60718  fold-1  FINISHED");
  }

  @Test
  void showOfTheParentListsItsChildRuns() {
    Harness.Result r = new Harness(backend).run("show", "cv");

    assertThat(r.code()).isZero();
    assertThat(r.out()).endsWith("""
        artifacts
          (none)

        child runs
          e5f60718  fold-1  FINISHED
          f6071829  fold-2  FAILED
        """);
  }

  @Test
  void reportShowsTheChildrenUnderTheirParentAndColoursFollowThatOrder(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("cv.html");
    new Harness(backend).run("report", "-o", file.toString());
    Document doc = ReportTest.parse(Files.readString(file));

    assertThat(ReportTest.all(doc, "//table[@class='runs']/tbody/tr/@data-run"))
        .containsExactly(OTHER, P, F2, F1);
    assertThat(ReportTest.all(doc, "//table[@class='runs']/tbody/tr[@class='child']/td[1]"))
        .containsExactly("└ fold-2", "└ fold-1");
    assertThat(ReportTest.all(doc, "//table[@class='runs']/tbody/tr[@class='child']/@data-parent"))
        .containsExactly(P, P);
    assertThat(ReportTest.all(doc, "//figure[@data-metric='loss']//path[@class='line']/@data-run"))
        .containsExactly(OTHER, P, F2, F1);
  }

  @Test
  void whereOnlyAsciiPrintsTheMarkIsADashAndDeeperLevelsIndent() {
    assertThat(RunViews.treeName("fold-1", 1, false)).isEqualTo("- fold-1");
    assertThat(RunViews.treeName("epoch-3", 2, true)).isEqualTo("  └ epoch-3");
  }

  @Test
  void runsThatAreEachOthersParentsAreEachListedOnce() {
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "x", Fixtures.A, "a", Fixtures.T0, 1, RunStatus.FINISHED, Map.of(), Map.of(),
        Fixtures.B);
    Fixtures.run(b, "x", Fixtures.B, "b", Fixtures.T0 + 1, 1, RunStatus.FINISHED, Map.of(),
        Map.of(), Fixtures.A);

    Harness.Result r = new Harness(b).run("runs");

    assertThat(r.out().lines().skip(1).map(l -> l.substring(0, 8)))
        .containsExactly("b2c3d4e5", "a1b2c3d4");
  }

  @Test
  void twentyRunsGetTwentyDistinctColoursThenTheDashVaries() {
    List<String> colours = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      colours.add(SvgChart.color(i));
      assertThat(SvgChart.dash(i)).isNull();
    }
    for (int i = 0; i < 20; i++) {
      for (int j = i + 1; j < 20; j++) {
        assertThat(deltaE(colours.get(i), colours.get(j)))
            .as("%s and %s", colours.get(i), colours.get(j)).isGreaterThanOrEqualTo(20);
      }
    }
    Set<String> looks = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      looks.add(SvgChart.color(i) + " " + SvgChart.dash(i));
    }
    assertThat(looks).hasSize(60);
  }

  /** CIE76 colour difference: the distance of two sRGB colours in CIELAB (D65). */
  static double deltaE(String a, String b) {
    double[] p = lab(a);
    double[] q = lab(b);
    return Math.sqrt(Math.pow(p[0] - q[0], 2) + Math.pow(p[1] - q[1], 2)
        + Math.pow(p[2] - q[2], 2));
  }

  private static double[] lab(String hex) {
    int c = Integer.parseInt(hex.substring(1), 16);
    double r = linear((c >> 16 & 0xff) / 255.0);
    double g = linear((c >> 8 & 0xff) / 255.0);
    double b = linear((c & 0xff) / 255.0);
    double x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
    double y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
    double z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
    return new double[] {116 * y - 16, 500 * (x - y), 200 * (y - z)};
  }

  private static double linear(double c) {
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }

  private static double f(double t) {
    return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116.0;
  }
}
