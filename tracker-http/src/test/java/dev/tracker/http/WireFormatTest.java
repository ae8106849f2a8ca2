package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint's method, path, headers and exact JSON body. */
class WireFormatTest {
  private static final String RUN = "0123456789abcdef0123456789abcdef";
  private static final String SERVER_RUN = "00000000000000000000000000000001";

  @TempDir Path tmp;
  private final FakeMlflowServer fake =
      new FakeMlflowServer(InstantSource.fixed(Instant.ofEpochMilli(1_600_000_000_000L)));
  private MockWebServer server;
  private MlflowBackend backend;

  @BeforeEach
  void start() throws Exception {
    server = Fixtures.start(fake);
    backend = Fixtures.backend(server, tmp.resolve("spool")).build();
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    server.close();
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
    assertThat(r).as("a request within the timeout").isNotNull();
    return r;
  }

  private static String body(RecordedRequest r) {
    return r.getBody() == null ? "" : r.getBody().utf8();
  }

  private void createRun() throws Exception {
    String exp = backend.createExperiment("iris");
    backend.createRun(new RunSpec(RUN, exp, "iris", "lr-0.1", 1_700_000_000_000L,
        Map.of("b", "2", "a", "1"), null, false));
    take();
    take();
    take();
  }

  @Test
  void createExperimentLooksTheNameUpThenCreatesIt() throws Exception {
    assertThat(backend.createExperiment("iris")).isEqualTo("1");

    RecordedRequest get = take();
    assertThat(get.getMethod()).isEqualTo("GET");
    assertThat(get.getTarget())
        .isEqualTo("/api/2.0/mlflow/experiments/get-by-name?experiment_name=iris");
    RecordedRequest create = take();
    assertThat(create.getMethod()).isEqualTo("POST");
    assertThat(create.getTarget()).isEqualTo("/api/2.0/mlflow/experiments/create");
    assertThat(create.getHeaders().get("Content-Type"))
        .isEqualTo("application/json; charset=utf-8");
    assertThat(body(create)).isEqualTo("{\"name\":\"iris\"}");
  }

  @Test
  void anExistingExperimentIsNotCreated() throws Exception {
    String id = fake.createExperiment("iris");

    assertThat(backend.createExperiment("iris")).isEqualTo(id);
    assertThat(fake.requests()).containsExactly("GET experiments/get-by-name");
  }

  @Test
  void createRunSendsStartTimeRunNameAndSortedTagsWithTheTrackerId() throws Exception {
    String exp = backend.createExperiment("iris");
    take();
    take();
    backend.createRun(new RunSpec(RUN, exp, "iris", "lr-0.1", 1_700_000_000_000L,
        Map.of("b", "2", "a", "1"), null, false));

    RecordedRequest r = take();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getTarget()).isEqualTo("/api/2.0/mlflow/runs/create");
    assertThat(body(r)).isEqualTo("{\"experiment_id\":\"1\",\"run_name\":\"lr-0.1\","
        + "\"start_time\":1700000000000,\"tags\":[{\"key\":\"a\",\"value\":\"1\"},"
        + "{\"key\":\"b\",\"value\":\"2\"},{\"key\":\"tracker.runId\",\"value\":\"" + RUN
        + "\"}]}");
    assertThat(backend.serverRunId(RUN)).contains(SERVER_RUN);
  }

  @Test
  void logBatchSendsMetricsParamsAndTagsOfTheServerRun() throws Exception {
    createRun();
    backend.logBatch(RUN, new Batch(List.of(new Metric("loss", 0.5, 1_700_000_000_001L, 3)),
        List.of(new Param("lr", "0.1")), List.of(new Tag("phase", "train"))));

    RecordedRequest r = take();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getTarget()).isEqualTo("/api/2.0/mlflow/runs/log-batch");
    assertThat(body(r)).isEqualTo("{\"run_id\":\"" + SERVER_RUN + "\",\"metrics\":[{\"key\":"
        + "\"loss\",\"value\":0.5,\"timestamp\":1700000000001,\"step\":3}],\"params\":[{\"key\":"
        + "\"lr\",\"value\":\"0.1\"}],\"tags\":[{\"key\":\"phase\",\"value\":\"train\"}]}");
  }

  @Test
  void logBatchLeavesOutEmptySections() throws Exception {
    createRun();
    backend.logBatch(RUN, Batch.ofMetrics(List.of(new Metric("acc", 1, 5, 0))));

    assertThat(body(take())).isEqualTo("{\"run_id\":\"" + SERVER_RUN + "\",\"metrics\":[{\"key\":"
        + "\"acc\",\"value\":1.0,\"timestamp\":5,\"step\":0}]}");
  }

  @Test
  void endRunUpdatesStatusAndEndTime() throws Exception {
    createRun();
    backend.endRun(RUN, RunStatus.FAILED, 1_700_000_000_009L);

    RecordedRequest r = take();
    assertThat(r.getTarget()).isEqualTo("/api/2.0/mlflow/runs/update");
    assertThat(body(r)).isEqualTo("{\"run_id\":\"" + SERVER_RUN + "\",\"status\":\"FAILED\","
        + "\"end_time\":1700000000009}");
    assertThat(fake.run(SERVER_RUN).status()).isEqualTo("FAILED");
  }

  @Test
  void artifactsArePutToTheArtifactProxyWithTheirBytes() throws Exception {
    createRun();
    Path file = Files.write(tmp.resolve("m v1.bin"), new byte[] {1, 2, 3});
    backend.logArtifact(RUN, file, "models/m v1.bin");

    RecordedRequest r = take();
    assertThat(r.getMethod()).isEqualTo("PUT");
    assertThat(r.getTarget()).isEqualTo("/api/2.0/mlflow-artifacts/artifacts/1/" + SERVER_RUN
        + "/artifacts/models/m%20v1.bin");
    assertThat(r.getBody().toByteArray()).containsExactly(1, 2, 3);
    assertThat(fake.run(SERVER_RUN).artifacts()).containsKey("models/m v1.bin");
  }

  @Test
  void resumingARunChecksItExistsAndMarksItRunning() throws Exception {
    String exp = fake.createExperiment("iris");
    backend.createRun(new RunSpec("feed", exp, "iris", "x", 1, Map.of(), null, false));
    server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
    backend.close();
    backend = Fixtures.backend(server, tmp.resolve("spool")).build();

    backend.createRun(new RunSpec(SERVER_RUN, exp, "iris", "x", 2, Map.of(), null, true));

    RecordedRequest get = take();
    assertThat(get.getTarget()).isEqualTo("/api/2.0/mlflow/runs/get?run_id=" + SERVER_RUN);
    RecordedRequest update = take();
    assertThat(update.getTarget()).isEqualTo("/api/2.0/mlflow/runs/update");
    assertThat(body(update)).isEqualTo("{\"run_id\":\"" + SERVER_RUN
        + "\",\"status\":\"RUNNING\",\"end_time\":0}");
    assertThat(backend.serverRunId(SERVER_RUN)).contains(SERVER_RUN);
  }

  @Test
  void readingSendsMlflowQueries() throws Exception {
    createRun();
    backend.logBatch(RUN, Batch.ofMetrics(List.of(new Metric("loss", 1, 5, 0))));
    take();

    backend.listExperiments();
    RecordedRequest search = take();
    assertThat(search.getTarget()).isEqualTo("/api/2.0/mlflow/experiments/search");
    assertThat(body(search)).isEqualTo("{\"max_results\":1000}");

    backend.listRuns("iris");
    take(); // get-by-name
    RecordedRequest runs = take();
    assertThat(runs.getTarget()).isEqualTo("/api/2.0/mlflow/runs/search");
    assertThat(body(runs)).isEqualTo("{\"experiment_ids\":[\"1\"],\"max_results\":1000,"
        + "\"order_by\":[\"attributes.start_time DESC\"]}");

    backend.metricHistory(RUN, "loss");
    // the run first: a run deleted on the server is not read as a live one
    assertThat(take().getTarget()).isEqualTo("/api/2.0/mlflow/runs/get?run_id=" + SERVER_RUN);
    assertThat(take().getTarget()).isEqualTo("/api/2.0/mlflow/metrics/get-history?run_id="
        + SERVER_RUN + "&metric_key=loss&max_results=25000");

    backend.readRun(SERVER_RUN);
    assertThat(take().getTarget()).isEqualTo("/api/2.0/mlflow/runs/get?run_id=" + SERVER_RUN);
    assertThat(take().getTarget()).startsWith("/api/2.0/mlflow/metrics/get-history?");
    assertThat(take().getTarget())
        .isEqualTo("/api/2.0/mlflow/artifacts/list?run_id=" + SERVER_RUN);
    assertThat(take().getTarget()).isEqualTo("/api/2.0/mlflow/experiments/get?experiment_id=1");
  }
}
