package dev.tracker.cli;

import static dev.tracker.cli.ReportTest.all;
import static dev.tracker.cli.ReportTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.DatasetInput;
import dev.tracker.file.FileBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** {@code report} lists the data sets each run used and names the runs trained on other data. */
class ReportInputsTest {
  private static final String D1 = "900150983cd24fb0d6963f7d28e17f72";
  private static final String D2 = "e2fc714c4727ee9395f324cd2e7f331f";

  /** What follows the inputs table. */
  private static final String AFTER_TABLE =
      "//div[table[@class='inputs']]/following-sibling::*[1]";

  @TempDir
  Path root;

  @TempDir
  Path out;

  @BeforeEach
  void threeRunsInFiles() throws Exception {
    try (FileBackend b = Fixtures.threeRuns(FileBackend.create(root))) {
      b.flush();
    }
  }

  private void inputs(String runId, DatasetInput... inputs) throws Exception {
    try (FileBackend b = FileBackend.create(root)) {
      b.logInputs(runId, List.of(inputs));
    }
  }

  private static DatasetInput train(String digest) {
    return new DatasetInput("iris-train", digest, "local", "/d/train.csv", "training", 4096, 1,
        null, null);
  }

  private String report() throws Exception {
    Path file = out.resolve("report.html");
    Harness.Result r = new Harness(uri -> FileBackend.create(root))
        .run("report", "-o", file.toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  @Test
  void listsEachRunsInputsAndNamesTheRunsTrainedOnOtherDataThanTheFirst() throws Exception {
    // listed newest first: lr-0.5 (C), lr-0.1 (B), lr-0.01 (A)
    inputs(Fixtures.C, train(D1), new DatasetInput("iris-test", null,
        "s3", "s3://bucket/test.csv", "evaluation", -1, -1, null, null));
    inputs(Fixtures.B, train(D1));
    inputs(Fixtures.A, new DatasetInput("iris-train", D2 + ".dir", "local",
        "/d/train", "training", 8192, 3, null, null));

    Document doc = parse(report());

    assertThat(all(doc, "//h2")).containsExactly("Runs", "Params", "Inputs", "Metrics");
    assertThat(all(doc, "//table[@class='inputs']/thead/tr/th"))
        .containsExactly("run", "input", "context", "digest", "source", "size", "files");
    assertThat(all(doc, "//table[@class='inputs']/tbody/tr/@data-run"))
        .containsExactly(Fixtures.C, Fixtures.C, Fixtures.B, Fixtures.A);
    assertThat(rowText(doc, 1)).containsExactly("lr-0.5", "iris-train *", "training",
        "900150983cd2", "/d/train.csv", "4096", "1");
    assertThat(rowText(doc, 2)).containsExactly("lr-0.5", "iris-test *", "evaluation", "-",
        "s3://bucket/test.csv", "-", "-");
    assertThat(rowText(doc, 3)).containsExactly("lr-0.1", "iris-train *", "training",
        "900150983cd2", "/d/train.csv", "4096", "1");
    assertThat(rowText(doc, 4)).containsExactly("lr-0.01", "iris-train *", "training",
        "e2fc714c4727.dir", "/d/train", "8192", "3");
    assertThat(all(doc, "//table[@class='inputs']//code/@title"))
        .containsExactly(D1, D1, D2 + ".dir");
    assertThat(all(doc, "//table[@class='inputs']/tbody/tr[@class='differs']/@data-run"))
        .containsExactly(Fixtures.C, Fixtures.C, Fixtures.B, Fixtures.A);
    assertThat(all(doc, "//p[@class='different-data']")).containsExactly("trained on different"
        + " data: b2c3d4e5, a1b2c3d4 used other inputs than c3d4e5f6");
  }

  @Test
  void runsOnTheSameDataAreNotMarkedAndARunWithoutInputsSaysNone() throws Exception {
    inputs(Fixtures.C, train(D1));
    inputs(Fixtures.B, train(D1));

    Document doc = parse(report());

    assertThat(all(doc, "//table[@class='inputs']/tbody/tr[@data-run='" + Fixtures.A + "']/td"))
        .containsExactly("lr-0.01", "none");
    assertThat(all(doc, "//table[@class='inputs']/tbody/tr/th"))
        .containsExactly("iris-train *", "iris-train *");
    assertThat(all(doc, "//p[@class='different-data']")).containsExactly("trained on different"
        + " data: a1b2c3d4 used other inputs than c3d4e5f6");
    assertThat(all(doc, AFTER_TABLE)).containsExactly("* differs between runs");

    inputs(Fixtures.A, train(D1));
    Document same = parse(report());

    assertThat(all(same, "//table[@class='inputs']/tbody/tr/th"))
        .containsExactly("iris-train", "iris-train", "iris-train");
    assertThat(all(same, "//table[@class='inputs']/tbody/tr[@class='differs']")).isEmpty();
    assertThat(all(same, "//p[@class='different-data']")).isEmpty();
    assertThat(all(same, AFTER_TABLE)).containsExactly("Metrics");
  }

  @Test
  void theSectionIsLeftOutWhenNoRunHasInputs() throws Exception {
    String html = report();

    assertThat(all(parse(html), "//h2")).containsExactly("Runs", "Params", "Metrics");
    assertThat(html).doesNotContain("class=\"inputs\"").doesNotContain("different data");
  }

  @Test
  void everythingAnInputHoldsIsEscaped() throws Exception {
    String odd = "<&\"'>";
    inputs(Fixtures.C, new DatasetInput("data" + odd, D1 + odd, "local",
        "/d/" + odd, "train" + odd, 1, 1, null, null));

    String html = report();
    Document doc = parse(html);

    assertThat(html).doesNotContain(odd).doesNotContainIgnoringCase("<script");
    assertThat(rowText(doc, 1)).containsExactly("lr-0.5", "data" + odd + " *", "train" + odd,
        D1 + odd, "/d/" + odd, "1", "1");
    assertThat(all(doc, "//table[@class='inputs']//code/@title")).containsExactly(D1 + odd);
  }

  /** The cells of the inputs table's row {@code n} (from 1), as text. */
  private static List<String> rowText(Document doc, int n) throws Exception {
    return all(doc, "//table[@class='inputs']/tbody/tr[" + n + "]/*");
  }
}
