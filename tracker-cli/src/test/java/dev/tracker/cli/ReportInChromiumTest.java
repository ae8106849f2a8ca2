package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the report in a real browser, headless Chromium: the charts must be in the DOM it builds,
 * and its screenshot must show each run's line. Skipped where /usr/bin/chromium is not installed
 * (Debian: apt-get install -y chromium).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReportInChromiumTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @TempDir
  Path dir;

  private Path report;

  @BeforeEach
  void writeReport() {
    assumeTrue(Files.isExecutable(CHROMIUM), "headless Chromium check of the HTML report"
        + " skipped: /usr/bin/chromium is not installed (apt-get install -y chromium)");
    report = dir.resolve("report.html");
    Harness.Result r = new Harness(Fixtures.threeRuns()).run("report", "-o", report.toString());
    assertThat(r.code()).isZero();
  }

  @Test
  void theRenderedDomHoldsOneChartPerMetricWithALinePerRunAxesAndLegend() throws Exception {
    String dom = chromium("--dump-dom", report.toUri().toString());

    Matcher figure = Pattern.compile(
        "<figure class=\"chart\"[^>]*data-metric=\"([^\"]+)\">(.*?)</figure>", Pattern.DOTALL)
        .matcher(dom);
    Map<String, String> charts = new LinkedHashMap<>();
    while (figure.find()) {
      charts.put(figure.group(1), figure.group(2));
    }
    assertThat(charts).containsOnlyKeys("loss", "accuracy");
    for (String svg : charts.values()) {
      assertThat(svg).contains("<svg class=\"chart-svg\"");
      assertThat(runsOf(svg, "<path class=\"line\" data-run=\"([0-9a-f]{32})\""))
          .containsExactly(Fixtures.C, Fixtures.B, Fixtures.A);
      assertThat(runsOf(svg, "<g class=\"legend-item\" data-run=\"([0-9a-f]{32})\""))
          .containsExactly(Fixtures.C, Fixtures.B, Fixtures.A);
      assertThat(svg).contains("<g class=\"axis x-axis\"").contains("<g class=\"axis y-axis\"")
          .contains(">step</text>");
    }
  }

  @Test
  void theScreenshotShowsEachRunsLineInItsColour() throws Exception {
    BufferedImage page = screenshot(report, "page.png");
    // the same page without its charts: what the colours owe to the tables' swatches
    Path bare = dir.resolve("bare.html");
    Files.writeString(bare, Files.readString(report).replace("<div class=\"charts\">",
        "<div class=\"charts\" style=\"display: none\">"));
    BufferedImage withoutCharts = screenshot(bare, "bare.png");

    assertThat(nonWhite(page)).isGreaterThan(nonWhite(withoutCharts) + 5_000);
    for (String colour : List.of("#4e79a7", "#f28e2b", "#e15759")) {
      int inCharts = count(page, colour) - count(withoutCharts, colour);
      // lr-0.5 has one point per chart (a dot of radius 4); the others have lines
      assertThat(inCharts).as("pixels of %s in the charts", colour).isGreaterThan(40);
    }
    assertThat(count(page, "#f28e2b") - count(withoutCharts, "#f28e2b")).isGreaterThan(500);
    assertThat(count(page, "#e15759") - count(withoutCharts, "#e15759")).isGreaterThan(500);
  }

  private static List<String> runsOf(String svg, String regex) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile(regex).matcher(svg);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private BufferedImage screenshot(Path html, String name) throws Exception {
    Path png = dir.resolve(name);
    chromium("--hide-scrollbars", "--window-size=1000,2400", "--screenshot=" + png,
        html.toUri().toString());
    assertThat(png).isRegularFile();
    return ImageIO.read(png.toFile());
  }

  private String chromium(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless",
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.log").toFile())
        .start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("chromium did not finish in 2 minutes");
    }
    assertThat(p.exitValue()).as("chromium exit code; its log: %s",
        Files.readString(dir.resolve("chromium.log"))).isZero();
    return out;
  }

  private static int nonWhite(BufferedImage img) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xffffff) != 0xffffff) {
          n++;
        }
      }
    }
    return n;
  }

  /** Pixels within a small distance of {@code hex}: the core of a line, not its blended edge. */
  private static int count(BufferedImage img, String hex) {
    int c = Integer.parseInt(hex.substring(1), 16);
    int r = c >> 16 & 0xff;
    int g = c >> 8 & 0xff;
    int b = c & 0xff;
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int p = img.getRGB(x, y);
        int d = Math.abs((p >> 16 & 0xff) - r) + Math.abs((p >> 8 & 0xff) - g)
            + Math.abs((p & 0xff) - b);
        if (d <= 30) {
          n++;
        }
      }
    }
    return n;
  }
}
