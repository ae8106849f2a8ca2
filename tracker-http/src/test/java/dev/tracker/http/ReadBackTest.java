package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.ExperimentInfo;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading experiments, runs and histories back, for the CLI. */
class ReadBackTest {
  private static final String PARENT = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String CHILD = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  private static final String SERVER_PARENT = "00000000000000000000000000000001";
  private static final String SERVER_CHILD = "00000000000000000000000000000002";

  @TempDir Path tmp;
  private final FakeMlflowServer fake =
      new FakeMlflowServer(InstantSource.fixed(Instant.ofEpochMilli(77)));
  private MockWebServer server;
  private MlflowBackend backend;

  @BeforeEach
  void start() throws Exception {
    server = Fixtures.start(fake);
    backend = Fixtures.backend(server, tmp).build();
    String exp = backend.createExperiment("iris");
    backend.createRun(new RunSpec(PARENT, exp, "iris", "sweep", 1000, Map.of(), null, false));
    backend.createRun(new RunSpec(CHILD, exp, "iris", "lr-0.1", 2000,
        Map.of("mlflow.parentRunId", PARENT), PARENT, false));
    List<Metric> points = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      points.add(new Metric("loss", 1.0 / (i + 1), 3000 + i, i));
    }
    points.add(new Metric("acc", 0.9, 3100, 6));
    backend.logBatch(CHILD, new Batch(points, List.of(new Param("lr", "0.1")),
        List.of(new Tag("phase", "train"))));
    backend.logArtifact(CHILD, Files.writeString(tmp.resolve("m.bin"), "w"), "models/best/m.bin");
    backend.logArtifact(CHILD, Files.writeString(tmp.resolve("r.md"), "#"), "r.md");
    backend.endRun(CHILD, RunStatus.FINISHED, 4000);
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    server.close();
  }

  private MlflowBackend fresh() {
    return Fixtures.backend(server, tmp).build();
  }

  @Test
  void listsActiveExperiments() throws Exception {
    fake.deleteExperiment(fake.createExperiment("gone"));

    assertThat(backend.listExperiments()).containsExactly(new ExperimentInfo("0", "Default", 77),
        new ExperimentInfo("1", "iris", 77));
  }

  @Test
  void serversWithoutExperimentSearchAreAskedForTheList() throws Exception {
    fake.script("experiments/search", FakeMlflowServer.error(404, "ENDPOINT_NOT_FOUND",
        "No API endpoint"));
    fake.script("experiments/list", new MockResponse.Builder().code(200).body("{\"experiments\":"
        + "[{\"experiment_id\":\"0\",\"name\":\"Default\",\"lifecycle_stage\":\"active\"}]}")
        .build());

    assertThat(backend.listExperiments()).containsExactly(new ExperimentInfo("0", "Default", 0));
  }

  @Test
  void listsRunsNewestFirstUnderTheTrackersIds() throws Exception {
    assertThat(backend.listRuns("iris")).containsExactly(
        new RunInfo(CHILD, "lr-0.1", "1", "iris", RunStatus.FINISHED, 2000, 4000, PARENT),
        new RunInfo(PARENT, "sweep", "1", "iris", RunStatus.RUNNING, 1000, 0, null));
    assertThat(backend.listRuns("no such experiment")).isEmpty();
  }

  @Test
  void runsNotCreatedByATrackerAreListedUnderTheirMlflowIds() throws Exception {
    fake.script("runs/search", new MockResponse.Builder().code(200).body("{\"runs\":[{"
        + "\"info\":{\"run_id\":\"9f\",\"run_name\":\"py\",\"experiment_id\":\"1\","
        + "\"status\":\"KILLED\",\"start_time\":\"5\"},\"data\":{\"tags\":[{\"key\":"
        + "\"mlflow.parentRunId\",\"value\":\"" + SERVER_PARENT + "\"}]}}]}").build());

    assertThat(backend.listRuns("iris")).containsExactly(
        new RunInfo("9f", "py", "1", "iris", RunStatus.KILLED, 5, 0, PARENT));
  }

  @Test
  void readsAWholeRunByTheMlflowIdOrTheTrackerId() throws Exception {
    RunData byMlflowId = backend.readRun(SERVER_CHILD).orElseThrow();
    MlflowBackend other = fresh(); // knows nothing of the tracker ids: finds the tag
    RunData byTrackerId = other.readRun(CHILD).orElseThrow();
    other.close();

    for (RunData run : List.of(byMlflowId, byTrackerId)) {
      assertThat(run.info().id()).isEqualTo(CHILD);
      assertThat(run.info().parentRunId()).isEqualTo(PARENT);
      assertThat(run.info().experimentName()).isEqualTo("iris");
      assertThat(run.params()).isEqualTo(Map.of("lr", "0.1"));
      assertThat(run.tags()).containsEntry("phase", "train")
          .containsEntry("tracker.runId", CHILD).containsEntry("mlflow.parentRunId", PARENT);
      assertThat(run.history("loss")).extracting(Metric::step)
          .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(run.history("acc")).containsExactly(new Metric("acc", 0.9, 3100, 6));
      assertThat(run.artifacts()).containsExactlyInAnyOrder("models/best/m.bin", "r.md");
    }
    assertThat(backend.readRun("cccccccccccccccccccccccccccccccc")).isEmpty();
  }

  @Test
  void historiesFollowEveryPage() throws Exception {
    fake.pageSize(3);

    assertThat(fresh().metricHistory(SERVER_CHILD, "loss")).extracting(Metric::step)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(fake.count("metrics/get-history")).isEqualTo(3);
    assertThat(backend.listRuns("iris")).hasSize(2);
  }

  @Test
  void aTokenThatDoesNotAdvanceEndsThePaging() throws Exception {
    MockResponse stuck = new MockResponse.Builder().code(200).body("{\"metrics\":[{\"key\":"
        + "\"loss\",\"value\":1,\"timestamp\":1,\"step\":0}],\"next_page_token\":\"same\"}")
        .build();
    fake.script("metrics/get-history", stuck, stuck, stuck);

    // the second page, asked with "same" and answered with "same", repeats the first
    assertThat(backend.metricHistory(SERVER_CHILD, "loss"))
        .containsExactly(new Metric("loss", 1, 1, 0));
    assertThat(fake.count("metrics/get-history (scripted)")).isEqualTo(2);
  }

  @Test
  void withoutMaxResultsTheServerWouldNeverEndSoItIsAlwaysSent() throws Exception {
    backend.metricHistory(SERVER_CHILD, "loss");

    for (int i = 0; i < 20; i++) {
      var r = server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
      if (r.getTarget().startsWith("/api/2.0/mlflow/metrics/get-history")) {
        assertThat(r.getUrl().queryParameter("max_results")).isEqualTo("25000");
        return;
      }
    }
    throw new AssertionError("no get-history request");
  }

  @Test
  void artifactsOpenThroughTheProxyByEitherId() throws Exception {
    try (InputStream in = backend.openArtifact(CHILD, "models/best/m.bin")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("w");
    }
    try (InputStream in = fresh().openArtifact(SERVER_CHILD, "r.md")) {
      assertThat(in.readAllBytes()).containsExactly('#');
    }
    assertThatThrownBy(() -> backend.openArtifact(CHILD, "models/none.bin"))
        .isExactlyInstanceOf(FileNotFoundException.class)
        .hasMessage("no artifact 'models/none.bin' in run " + SERVER_CHILD);
    assertThatThrownBy(() -> backend.openArtifact(CHILD, "../x"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("artifact path must be a relative path inside the run's artifacts (no '..'"
            + " segment) but was '../x'");
  }
}
