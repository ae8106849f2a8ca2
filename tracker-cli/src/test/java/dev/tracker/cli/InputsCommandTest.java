package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.DatasetInput;
import dev.tracker.testing.RecordingBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code show} lists a run's inputs; {@code compare} marks runs trained on different data. */
class InputsCommandTest {
  private static final String D1 = "900150983cd24fb0d6963f7d28e17f72";
  private static final String D2 = "e2fc714c4727ee9395f324cd2e7f331f";

  private final RecordingBackend backend = Fixtures.threeRuns();
  private final Harness harness = new Harness(backend);

  private void inputs(String runId, DatasetInput... inputs) throws Exception {
    backend.logInputs(runId, List.of(inputs));
  }

  private static DatasetInput train(String digest) {
    return new DatasetInput("iris-train", digest, "local", "/d/train.csv", "training", 3, 1,
        null, null);
  }

  private static final DatasetInput TEST = new DatasetInput("iris-test", D1, "local",
      "/d/test.csv", "evaluation", 3, 1, null, D1);

  @Test
  void showListsTheInputsBeforeTheMetrics() throws Exception {
    inputs(Fixtures.B, train(D1), TEST);

    Harness.Result r = harness.run("show", Fixtures.B);

    assertThat(r.out()).contains("""
        tags
          mlflow.runName  lr-0.1
          stage           test

        inputs
          input       context     digest                            size  files  source        dvc md5
          iris-train  training    900150983cd24fb0d6963f7d28e17f72     3      1  /d/train.csv  -
          iris-test   evaluation  900150983cd24fb0d6963f7d28e17f72     3      1  /d/test.csv   same

        metrics
        """);
    assertThat(harness.run("show", Fixtures.B, "--format", "json").out()).contains(""
        + "  \"inputs\": [\n"
        + "    {\n"
        + "      \"name\": \"iris-train\",\n"
        + "      \"digest\": \"900150983cd24fb0d6963f7d28e17f72\",\n"
        + "      \"source_type\": \"local\",\n"
        + "      \"source\": \"/d/train.csv\",\n"
        + "      \"context\": \"training\",\n"
        + "      \"size\": 3,\n"
        + "      \"files\": 1,\n"
        + "      \"schema\": null,\n"
        + "      \"dvc_md5\": null\n"
        + "    },");
    assertThat(harness.run("show", Fixtures.B, "--format", "csv").out())
        .contains("inputs,iris-train,900150983cd24fb0d6963f7d28e17f72,,,,\n");
  }

  @Test
  void compareMarksRunsTrainedOnDifferentData() throws Exception {
    inputs(Fixtures.A, train(D1), TEST);
    inputs(Fixtures.B, train(D1), TEST);
    inputs(Fixtures.C, train(D2));

    Harness.Result r = harness.run("compare", Fixtures.A, Fixtures.B, Fixtures.C);

    assertThat(r.out()).contains(""
        + "inputs\n"
        + "* iris-train  90015098          90015098                      e2fc714c\n"
        + "* iris-test   90015098          90015098                      -\n");
    assertThat(r.out()).endsWith("\ntrained on different data: c3d4e5f6 used other inputs than"
        + " a1b2c3d4\n");
    assertThat(harness.run("compare", Fixtures.A, Fixtures.C, "--format", "csv").out())
        .contains("inputs,iris-train,true," + D1 + "," + D2 + ",\n"
            + "inputs,iris-test,true," + D1 + ",,\n");
    assertThat(harness.run("compare", Fixtures.A, Fixtures.C, "--format", "json").out())
        .contains("\"different_data\": [\n    \"" + Fixtures.C + "\"\n  ]");
  }

  @Test
  void runsOnTheSameDataAreNotMarked() throws Exception {
    inputs(Fixtures.A, train(D1));
    inputs(Fixtures.B, train(D1));

    Harness.Result r = harness.run("compare", Fixtures.A, Fixtures.B);

    assertThat(r.out()).contains("  iris-train  90015098          90015098");
    assertThat(r.out()).doesNotContain(InputViews.DIFFERENT_DATA);
    assertThat(InputViews.shortDigest(D1 + ".dir")).isEqualTo("90015098.dir");
    assertThat(InputViews.shortDigest("s3://b/k")).isEqualTo("s3://b/k");
  }
}
