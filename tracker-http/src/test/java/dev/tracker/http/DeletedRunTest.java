package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.spi.Batch;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run deleted on the server ({@code mlflow runs delete}: lifecycle_stage "deleted", still
 * returned by {@code runs/get}, left out of {@code runs/search}, refusing writes) is never
 * taken for a live run: reading it by either id says it is deleted and how to restore it, a live
 * run with the same tracker id wins, and resuming or logging to it fails once, saying so.
 */
@Timeout(30)
class DeletedRunTest extends FakeServerTest {
  private static final String RUN = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String SERVER_RUN = "00000000000000000000000000000001";

  private final OkHttpClient http = new OkHttpClient();
  private MlflowBackend backend;
  private String deleted;

  @BeforeEach
  void start() throws Exception {
    backend = Fixtures.backend(server, tmp.resolve("spool")).build();
    backend.createRun(new RunSpec(RUN, backend.createExperiment("iris"), "iris", "r", 1,
        Map.of(), null, false));
    backend.logBatch(RUN, Batch.ofMetrics(List.of(new Metric("loss", 0.5, 2, 0))));
    backend.logArtifact(RUN, Files.writeString(tmp.resolve("m.txt"), "w"), "m.txt");
    mlflow("runs/delete", "{\"run_id\":\"" + SERVER_RUN + "\"}");
    deleted = "run " + RUN + " (MLflow run " + SERVER_RUN + ") is deleted on "
        + backend.describe();
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  /** A request to the server, as another MLflow client (the MLflow CLI, the UI) sends it. */
  private void mlflow(String endpoint, String json) throws IOException {
    Request request = new Request.Builder().url(server.url("/api/2.0/mlflow/" + endpoint))
        .post(RequestBody.create(json, MediaType.get("application/json"))).build();
    try (Response r = http.newCall(request).execute()) {
      assertThat(r.code()).as(r.body().string()).isEqualTo(200);
    }
  }

  private MlflowBackend fresh() {
    return Fixtures.backend(server, tmp.resolve("spool")).build();
  }

  private String readRefused() {
    return deleted + " (MLflow keeps it in its trash); restore it (mlflow runs restore --run-id "
        + SERVER_RUN + ") to use it again";
  }

  @Test
  void readingADeletedRunByEitherIdSaysItIsDeletedAndHowToRestoreIt() throws Exception {
    try (MlflowBackend other = fresh()) { // knows no id: finds the run among the deleted
      for (MlflowBackend b : List.of(backend, other)) {
        for (String id : List.of(RUN, SERVER_RUN)) {
          assertThatThrownBy(() -> b.readRun(id))
              .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(readRefused());
          assertThatThrownBy(() -> b.metricHistory(id, "loss"))
              .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(readRefused());
          assertThatThrownBy(() -> b.openArtifact(id, "m.txt"))
              .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(readRefused());
        }
      }
    }
    assertThat(backend.listRuns("iris")).isEmpty();
  }

  @Test
  void trackerRunReadsTheDeletedRunAsAnErrorAtTheCall() throws Exception {
    try (Tracker tracker = Fixtures.tracker(fresh())) {
      assertThatThrownBy(() -> tracker.run(RUN))
          .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(readRefused());
      assertThatThrownBy(() -> tracker.history(SERVER_RUN, "loss"))
          .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(readRefused());
    }
  }

  @Test
  void aLiveRunWithTheTrackerIdWinsOverTheDeletedOne() throws Exception {
    // another process made a run with the same tracker id after the first was deleted
    mlflow("runs/create", "{\"experiment_id\":\"1\",\"start_time\":5,\"run_name\":\"again\","
        + "\"tags\":[{\"key\":\"tracker.runId\",\"value\":\"" + RUN + "\"}]}");

    for (MlflowBackend b : List.of(backend, fresh())) { // one knows the deleted run's MLflow id
      assertThat(b.readRun(RUN).orElseThrow().info().name()).isEqualTo("again");
      assertThat(b.metricHistory(RUN, "loss")).isEmpty();
    }
  }

  @Test
  void resumingADeletedRunFailsAtTheStartNamingItAndTheRestoreCommand() throws Exception {
    for (String id : List.of(RUN, SERVER_RUN)) {
      try (Tracker tracker = Tracker.builder().backend(fresh()).resumeRun(id)
          .shutdownHook(false).standardTags(false).systemProperties(k -> null)
          .environment(k -> null).build()) {
        assertThatThrownBy(() -> tracker.experiment("iris").startRun())
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(readRefused());
      }
    }
    assertThat(fake.runs()).containsExactly(SERVER_RUN);
  }

  @Test
  void aJournaledResumeOfADeletedRunIsRefusedForGoodNotCreatedAgain() throws Exception {
    try (MlflowBackend other = fresh()) {
      assertThatThrownBy(() -> other.createRun(new RunSpec(RUN, null, "iris", "r", 1, Map.of(),
          null, true)))
          .isExactlyInstanceOf(DeliveryException.class)
          .hasMessage("cannot resume " + deleted + "; restore it (mlflow runs restore --run-id "
              + SERVER_RUN + ") to go on with it, or start a new run")
          .extracting(e -> ((DeliveryException) e).kind())
          .isEqualTo(DeliveryException.Kind.PERMANENT);
    }
    assertThat(fake.runs()).containsExactly(SERVER_RUN);
  }

  @Test
  void recordsForADeletedRunAreRefusedOnceForGoodSayingHowToRestoreIt() throws Exception {
    String restore = "; restore it (mlflow runs restore --run-id " + SERVER_RUN
        + ") to log to it again";
    try (MlflowBackend other = fresh()) {
      for (MlflowBackend b : List.of(backend, other)) { // the server refuses; the lookup finds
        assertThatThrownBy(() -> b.logBatch(RUN, Batch.ofMetrics(
            List.of(new Metric("loss", 0.1, 3, 1)))))
            .isExactlyInstanceOf(DeliveryException.class)
            .hasMessage(deleted + ", so its batch of 1 records was not sent" + restore)
            .extracting(e -> ((DeliveryException) e).kind())
            .isEqualTo(DeliveryException.Kind.PERMANENT);
        assertThatThrownBy(() -> b.endRun(RUN, RunStatus.FINISHED, 9))
            .isExactlyInstanceOf(DeliveryException.class)
            .hasMessage(deleted + ", so its end was not sent" + restore);
      }
    }
    assertThat(fake.count("runs/log-batch")).isEqualTo(2); // the first, and the refused one
  }

  @Test
  void aRunDeletedWhileItLogsFailsItsFlushOnceAndIsNotRetried() throws Exception {
    int before;
    try (Tracker tracker = Fixtures.tracker(fresh())) {
      Run run = tracker.experiment("iris").startRun("live");
      run.logMetric("loss", 1, 0);
      tracker.flush();
      before = fake.count("runs/log-batch");
      String id = fake.runId("live");
      mlflow("runs/delete", "{\"run_id\":\"" + id + "\"}");
      run.logMetric("loss", 0.5, 1);

      assertThatThrownBy(tracker::flush).isExactlyInstanceOf(TrackerException.class)
          .hasMessageContaining("run " + run.id() + " (MLflow run " + id + ") is deleted on "
              + backend.describe() + ", so its batch of 1 records was not sent; restore it"
              + " (mlflow runs restore --run-id " + id + ") to log to it again");
      assertThatThrownBy(run::close).isExactlyInstanceOf(TrackerException.class)
          .hasMessageContaining("so its end was not sent");
    }
    assertThat(fake.count("runs/log-batch")).isEqualTo(before + 1);
    assertThat(fake.count("runs/update")).isEqualTo(1);
  }
}
