package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.file.FileBackend;
import dev.tracker.spi.Batch;
import java.io.IOException;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run deleted on the MLflow server ({@code mlflow runs delete}) is told by {@code tracker show}
 * and {@code tracker sync}, never shown or synced as a live run, nor created again.
 */
class DeletedRemoteRunTest extends FakeServerTest {
  private final OkHttpClient http = new OkHttpClient();
  private String a;
  private String b;

  @BeforeEach
  void start() throws Exception {
    try (Tracker tracker = Tracker.builder().uri("file:" + root()).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).seed(3).build()) {
      for (String name : List.of("a", "b")) {
        try (Run run = tracker.experiment("iris").startRun(name)) {
          run.logMetric("loss", 1, 0);
          if (name.equals("a")) {
            a = run.id();
          } else {
            b = run.id();
          }
        }
      }
    }
    assertThat(sync().code()).isZero();
  }

  @AfterEach
  void stop() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private Harness harness() {
    Harness h = Harness.real();
    h.env.put("MLFLOW_HTTP_REQUEST_TIMEOUT", "5");
    h.env.put("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.01");
    h.env.put("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0");
    h.env.put("TRACKER_SPOOL_DIR", tmp.resolve("spool").toString());
    return h;
  }

  private Harness.Result sync() {
    return harness().run("sync", "--from", "file:" + root(), "--to", url);
  }

  /** What the MLflow CLI sends for {@code mlflow runs delete|restore --run-id ID}. */
  private void mlflow(String endpoint, String runId) throws IOException {
    Request request = new Request.Builder().url(server.url("/api/2.0/mlflow/" + endpoint))
        .post(RequestBody.create("{\"run_id\":\"" + runId + "\"}",
            MediaType.get("application/json"))).build();
    try (Response r = http.newCall(request).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
  }

  private void addPoint(String runId) throws IOException {
    try (FileBackend files = FileBackend.create(root())) {
      files.logBatch(runId, Batch.ofMetrics(List.of(new Metric("loss", 0.5, 2, 1))));
    }
  }

  private String deleted(String local, String remote) {
    return "run " + local + " (MLflow run " + remote + ") is deleted on "
        + url.substring(0, url.length() - 1) + " (MLflow keeps it in its trash); restore it"
        + " (mlflow runs restore --run-id " + remote + ") to use it again";
  }

  @Test
  void aRunDeletedOnTheServerIsToldLeftOutAndTheOthersSynced() throws Exception {
    String remoteA = fake.runId("a");
    mlflow("runs/delete", remoteA);
    addPoint(a);
    addPoint(b);

    Harness.Result r = sync();

    assertThat(r.code()).isEqualTo(TrackerCli.BACKEND_ERROR);
    assertThat(r.err()).isEqualTo("tracker sync: cannot sync a (" + RunViews.shortId(a)
        + ") to " + url + ": " + deleted(a, remoteA) + "; left out\n");
    assertThat(r.out()).contains("Synced 1 run to " + url + ": 0 created, 1 metric point");
    assertThat(fake.runs()).hasSize(2); // not created again
    assertThat(fake.run(remoteA).metrics()).hasSize(1);
    assertThat(fake.run(fake.runId("b")).metrics()).hasSize(2);

    mlflow("runs/restore", remoteA);
    Harness.Result restored = sync();
    assertThat(restored.code()).as(restored.err()).isZero();
    assertThat(fake.run(remoteA).metrics()).hasSize(2);
  }

  @Test
  void showOfARunDeletedOnTheServerSaysSoAndExitsOne() throws Exception {
    String remoteA = fake.runId("a");
    mlflow("runs/delete", remoteA);

    Harness.Result r = harness().run("show", "--uri", url, remoteA);

    assertThat(r.code()).isEqualTo(TrackerCli.USER_ERROR);
    assertThat(r.err()).isEqualTo("tracker show: " + deleted(a, remoteA) + "\n");
    assertThat(r.out()).isEmpty();
  }
}
