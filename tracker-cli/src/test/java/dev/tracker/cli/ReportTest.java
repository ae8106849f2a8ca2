package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracker.Metric;
import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.testing.RecordingBackend;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

class ReportTest {
  @TempDir
  Path dir;

  private final RecordingBackend backend = Fixtures.threeRuns();

  private String report(String... args) throws Exception {
    Path file = dir.resolve("report.html");
    List<String> all = new ArrayList<>(List.of("report", "-o", file.toString()));
    all.addAll(List.of(args));
    Harness.Result r = new Harness(backend).run(all.toArray(String[]::new));
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** The page parsed as XML: the report is well-formed, which an XML parser proves. */
  static Document parse(String html) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setExpandEntityReferences(false);
    return f.newDocumentBuilder().parse(new InputSource(new StringReader(html)));
  }

  private static final XPath XPATH = XPathFactory.newInstance().newXPath();

  static List<String> all(Object context, String xpath) throws Exception {
    NodeList nodes = (NodeList) XPATH.evaluate(xpath, context, XPathConstants.NODESET);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent());
    }
    return out;
  }

  static Node one(Object context, String xpath) throws Exception {
    return (Node) XPATH.evaluate(xpath, context, XPathConstants.NODE);
  }

  @Test
  void hasOneChartPerMetricWithOnePathPerRunAxesAndALegend() throws Exception {
    Document doc = parse(report());

    assertThat(all(doc, "//figure[@class='chart']/@data-metric"))
        .containsExactly("loss", "accuracy");
    for (String metric : List.of("loss", "accuracy")) {
      Node svg = one(doc, "//figure[@data-metric='" + metric + "']/svg");
      assertThat(all(svg, "g[@class='series']/path[@class='line']/@data-run"))
          .containsExactly(Fixtures.C, Fixtures.B, Fixtures.A);
      assertThat(all(svg, "g[@class='series']/path/@stroke"))
          .containsExactly("#4e79a7", "#f28e2b", "#e15759");
      assertThat(all(svg, "g[@class='axis x-axis']/text[@class='axis-title']"))
          .containsExactly("step");
      assertThat(all(svg, "g[@class='axis y-axis']/text[@class='axis-title']"))
          .containsExactly(metric);
      assertThat(all(svg, "g[@class='axis x-axis']/text[@class='tick-label']"))
          .containsExactly("0", "1", "2");
      assertThat(all(svg, "g[@class='legend']/g[@class='legend-item']/text"))
          .containsExactly("lr-0.5 (c3d4e5f6)", "lr-0.1 (b2c3d4e5)", "lr-0.01 (a1b2c3d4)");
    }
    Node loss = one(doc, "//figure[@data-metric='loss']/svg");
    assertThat(all(loss, "g[@class='axis y-axis']/text[@class='tick-label']"))
        .containsExactly("0.2", "0.4", "0.6", "0.8", "1", "1.2");
  }

  @Test
  void linesGoThroughTheValuesAndBreakAtNaN() throws Exception {
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "x", Fixtures.A, "gappy", Fixtures.T0, 1000, RunStatus.FINISHED, Map.of(),
        Map.of("loss", new double[] {4, 3, Double.NaN, 2, 0, Double.NaN, 1}));
    Path file = dir.resolve("gappy.html");
    new Harness(b).run("report", "-o", file.toString());
    Document doc = parse(Files.readString(file));

    Node svg = one(doc, "//figure[@data-metric='loss']/svg");
    // x: steps 0..6 over pixels 70..700; y: 0..4 over pixels 316..16
    assertThat(one(svg, "g[@class='series']/path/@d").getTextContent())
        .isEqualTo("M70.0 16.0 L175.0 91.0 M385.0 166.0 L490.0 316.0 M700.0 241.0");
    // the last point has no finite neighbour: a dot marks it
    assertThat(all(svg, "g[@class='series']/circle/@cx")).containsExactly("700.0");
  }

  @Test
  void aMillionPointsMakeAReportUnderTwoMegabytesWithExactValuesAndTheSpike() throws Exception {
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "big", Fixtures.A, "long", Fixtures.T0, 1000, RunStatus.FINISHED, Map.of(),
        Map.of());
    List<Metric> points = new ArrayList<>(1_000_000);
    for (int step = 0; step < 1_000_000; step++) {
      double v = step == 654_321 ? 9.5 : step == 999_999 ? 0.25 : 1.0 / (1 + step / 1000.0);
      points.add(new Metric("loss", v, Fixtures.T0 + step, step));
    }
    b.logBatch(Fixtures.A, Batch.ofMetrics(points));
    Path file = dir.resolve("big.html");

    Harness.Result r = new Harness(b).run("report", "-o", file.toString());

    assertThat(r.code()).isZero();
    assertThat(Files.size(file)).isLessThan(2_000_000);
    Document doc = parse(Files.readString(file));
    Node svg = one(doc, "//figure[@data-metric='loss']/svg");
    String d = one(svg, "g[@class='series']/path/@d").getTextContent();
    assertThat(d.split("[ML]").length - 1).isBetween(1_900, 2_000);
    // 0..10 over pixels 316..16: the spike of one point reaches 9.5
    assertThat(d).contains(" 31.0");
    assertThat(all(doc, "//table[@class='metrics']/tbody/tr/th"))
        .containsExactly("loss", "loss min", "loss max");
    assertThat(all(doc, "//table[@class='metrics']/tbody/tr/td"))
        .containsExactly("0.25", Values.number(1.0 / (1 + 999_998 / 1000.0)), "9.5");
  }

  @Test
  void paramsTableMarksTheParamsThatDiffer() throws Exception {
    Document doc = parse(report());

    assertThat(all(doc, "//table[@class='params']/thead/tr/th"))
        .containsExactly("param", "lr-0.5", "lr-0.1", "lr-0.01");
    assertThat(all(doc, "//table[@class='params']/tbody/tr/th"))
        .containsExactly("lr *", "epochs", "model");
    assertThat(all(doc, "//table[@class='params']/tbody/tr[@class='differs']/td"))
        .containsExactly("0.5", "0.1", "0.01");
    assertThat(all(doc, "//table[@class='metrics']/tbody/tr[th='accuracy']/td"))
        .containsExactly("0.7", "0.966667", "0.9");
  }

  @Test
  void isSelfContainedWithNoScriptAndNothingToFetch() throws Exception {
    String html = report();

    assertThat(html).doesNotContainIgnoringCase("<script")
        .doesNotContain("http:").doesNotContain("https:").doesNotContain("url(")
        .doesNotContain("<link").doesNotContain("<img").doesNotContain("@import")
        .contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
            + " style-src 'unsafe-inline'\"/>");
  }

  @Test
  void namesAreEscaped() throws Exception {
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "<exp>", Fixtures.A, "a<b>&\"c\"", Fixtures.T0, 1000, RunStatus.FINISHED,
        Map.of("x", "1&2<3>"), Map.of("loss", new double[] {1, 2}));
    Path file = dir.resolve("escaped.html");
    new Harness(b).run("report", "-o", file.toString());
    String html = Files.readString(file);
    Document doc = parse(html);

    assertThat(html).doesNotContain("<b>").doesNotContain("<exp>").doesNotContain("<3>");
    assertThat(all(doc, "//table[@class='runs']/tbody/tr/td[1]")).containsExactly("a<b>&\"c\"");
    assertThat(all(doc, "//table[@class='params']/tbody/tr/td")).containsExactly("1&2<3>");
    assertThat(all(doc, "/html/head/title")).containsExactly("Runs of <exp>");
  }

  @Test
  void runIdsAreEscapedToo() throws Exception {
    // a run.yaml's id, or a server's, is text the report did not write
    String id = "x\"><b>injected</b><i x=\"";
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "iris", id, "evil", Fixtures.T0, 1000, RunStatus.FINISHED, Map.of("p", "1"),
        Map.of("loss", new double[] {1, 2}));
    Path file = dir.resolve("ids.html");
    new Harness(b).run("report", "-o", file.toString());
    String html = Files.readString(file);
    Document doc = parse(html);

    assertThat(html).doesNotContain("<b>").doesNotContain("<i ");
    assertThat(all(doc, "//table[@class='runs']/tbody/tr/@data-run")).containsExactly(id);
    assertThat(all(doc, "//table[@class='runs']/tbody/tr/td[2]/code/@title"))
        .containsExactly(id);
    assertThat(all(doc, "//*[local-name()='path']/@data-run")).containsExactly(id);
  }

  @Test
  void reportsOnlyTheRunsNamed() throws Exception {
    Document doc = parse(report("lr-0.01", "b2c3", "--title", "Two runs"));

    assertThat(all(doc, "//table[@class='runs']/tbody/tr/@data-run"))
        .containsExactly(Fixtures.A, Fixtures.B);
    assertThat(all(doc, "//h1")).containsExactly("Two runs");
  }

  @Test
  void filterSortAndLimitPickTheRuns() throws Exception {
    Document doc = parse(report("--filter", "attributes.status = 'FINISHED'", "--sort",
        "-metrics.accuracy", "--limit", "1"));

    assertThat(all(doc, "//table[@class='runs']/tbody/tr/@data-run"))
        .containsExactly(Fixtures.B);
  }

  @Test
  void saysWhatItWrote() {
    Path file = dir.resolve("out/r.html");
    Harness.Result r = new Harness(backend).run("report", "-o", file.toString());

    assertThat(r.out()).isEqualTo("Wrote " + file + ": 3 runs, 2 charts\n");
    assertThat(file).isRegularFile();
  }

  @Test
  void theReportsModeFollowsTheUmaskLikeAnyNewFile() throws Exception {
    Path reference = Files.createFile(dir.resolve("reference"));
    Set<PosixFilePermission> expected = Files.getPosixFilePermissions(reference);
    // under umask 077 every new file is 0600 and there is nothing to tell apart
    assumeTrue(expected.contains(PosixFilePermission.GROUP_READ)
        || expected.contains(PosixFilePermission.OTHERS_READ), "umask hides group and others");

    report();

    assertThat(Files.getPosixFilePermissions(dir.resolve("report.html"))).isEqualTo(expected);
  }

  @Test
  void anOutputThatCannotBeWrittenFailsBeforeAnyRunIsReadNamingTheKindAndReason()
      throws Exception {
    Path file = Files.createFile(dir.resolve("file"));
    Harness harness = new Harness(uri -> new RunsCommandTest.Unreachable());

    Harness.Result under = harness.run("report", "-o", file.resolve("r.html").toString());
    Harness.Result folder = harness.run("report", "-o", dir.toString());

    assertThat(under.code()).isEqualTo(1);
    assertThat(under.out()).isEmpty();
    assertThat(under.err()).isEqualTo("tracker report: cannot write " + file.resolve("r.html")
        + ": FileAlreadyExistsException: " + file + "\n");
    assertThat(folder.code()).isEqualTo(1);
    assertThat(folder.err()).isEqualTo("tracker report: cannot write " + dir
        + ": it is a folder\n");
    // an empty -o (an unset shell variable) is not the current folder
    Harness.Result empty = harness.run("report", "-o", "");
    assertThat(empty.code()).isEqualTo(1);
    assertThat(empty.err()).isEqualTo("tracker report: --output must name a file but was"
        + " empty\n");
    assertThat(harness.opened).isEmpty();
  }

  @Test
  void noTemporaryFileIsLeftWhenTheRunsCannotBeRead() throws Exception {
    Harness.Result r = new Harness(uri -> new RunsCommandTest.Unreachable())
        .run("report", "-o", dir.resolve("r.html").toString());

    assertThat(r.code()).isEqualTo(2);
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void noRunsExitsOne() {
    Harness.Result r = new Harness(backend).run("report", "-o", dir.resolve("r.html").toString(),
        "--filter", "metrics.accuracy > 2");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker report: no runs to report in recording match the"
        + " filter\n");
    assertThat(dir.resolve("r.html")).doesNotExist();
  }

  @Test
  void valuesAtTheEndsOfTheDoublesAreStillDrawn() throws Exception {
    // Double.MAX_VALUE is a common "no best yet" value; ±1e308 span more than a double holds
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "iris", Fixtures.A, "sentinel", Fixtures.T0, 1000, RunStatus.FINISHED,
        Map.of(), Map.of("best", new double[] {Double.MAX_VALUE, 0.5, 0.3},
            "wild", new double[] {1e308, -1e308, 0}, "flat", new double[] {-Double.MAX_VALUE,
                -Double.MAX_VALUE}));
    Path file = dir.resolve("ends.html");
    new Harness(b).run("report", "-o", file.toString());
    Document doc = parse(Files.readString(file));

    List<String> paths = all(doc, "//*[local-name()='path']/@d");
    assertThat(paths).hasSize(3).allSatisfy(d -> assertThat(d).doesNotContain("NaN")
        .doesNotContain("Infinity").matches("M[0-9.]+ [0-9.]+( L[0-9.]+ [0-9.]+)+"));
    // only "flat" is a flat line: the others go up and down through the plot
    assertThat(paths).filteredOn(d -> java.util.regex.Pattern.compile("[ML][0-9.]+ ([0-9.]+)")
        .matcher(d).results().map(m -> m.group(1)).distinct().count() == 1).hasSize(1);
    assertThat(all(doc, "//*[local-name()='text']/@y")).noneMatch(y -> y.contains("NaN"));
    double[] ticks = SvgChart.ticks(0.3, Double.MAX_VALUE, false);
    assertThat(java.util.Arrays.stream(ticks).boxed().toList()).allMatch(Double::isFinite)
        .endsWith(Double.MAX_VALUE);
  }

  @Test
  void ticksAreRoundNumbersCoveringTheRange() {
    assertThat(SvgChart.ticks(0, 49, true)).containsExactly(0, 10, 20, 30, 40, 50);
    assertThat(SvgChart.ticks(0, 2, true)).containsExactly(0, 1, 2);
    assertThat(SvgChart.ticks(0, 12, true)).containsExactly(0, 2, 4, 6, 8, 10, 12);
    assertThat(SvgChart.ticks(0.31, 1.17, false)).containsExactly(0.2, 0.4, 0.6, 0.8, 1, 1.2);
    assertThat(SvgChart.ticks(0.9, 0.9666, false)).containsExactly(0.9, 0.92, 0.94, 0.96,
        0.98);
    assertThat(SvgChart.ticks(3, 3, true)).containsExactly(2, 3, 4);
    assertThat(SvgChart.ticks(-5, 5, false)).containsExactly(-6, -4, -2, 0, 2, 4, 6);
  }
}
