package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.RunSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replies of a hostile or broken server or proxy: each is a transient failure naming the
 * endpoint and what came back, within the request timeout, and loses nothing; none holds a
 * thread for ever, fills the heap or lets a credential reach another host.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HostileServerTest extends ServerTest {

  private void createRun() throws Exception {
    backend.createRun(new RunSpec(RUN, backend.createExperiment("e"), "e", "r", 1, Map.of(),
        null, false));
  }

  private static Batch point() {
    return Batch.ofMetrics(List.of(new Metric("loss", 0.5, 1000, 1)));
  }

  private static DeliveryException.Kind kind(Throwable e) {
    return ((DeliveryException) e).kind();
  }

  /**
   * The batch the server answered as scripted fails as transient with {@code detail} after
   * "POST runs/log-batch to <server> ", none of its records stored or rejected; the retry
   * delivers it.
   */
  private void failsOnceThenDelivers(String detail) {
    assertThatThrownBy(() -> backend.logBatch(RUN, point()))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("POST runs/log-batch to " + backend.describe() + " " + detail)
        .satisfies(e -> assertThat(kind(e)).isEqualTo(DeliveryException.Kind.TRANSIENT))
        .satisfies(e -> assertThat(((DeliveryException) e).rejected()).isEmpty());
    assertThat(fake.run(SERVER_RUN).metrics()).isEmpty();
    assertThatCode(() -> backend.logBatch(RUN, point())).doesNotThrowAnyException();
    assertThat(fake.run(SERVER_RUN).metrics()).hasSize(1);
  }

  @Test
  void aReplyDrippingAByteWithinEachReadTimeoutFailsWithinTheTimeout() throws Exception {
    backend.close();
    backend = Fixtures.backend(server, tmp).timeout(Duration.ofMillis(500)).build();
    createRun();
    // 40 bytes, one every 200 ms: each read comes in time, the whole reply in 8 s
    fake.script("runs/log-batch", new MockResponse.Builder().code(200)
        .body("{}" + " ".repeat(38)).throttleBody(1, 200, TimeUnit.MILLISECONDS).build());

    long start = System.nanoTime();
    failsOnceThenDelivers("failed: java.io.InterruptedIOException: timeout");
    // 500 ms and a second
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void aReplyToAnUploadDrippingAByteWithinEachReadTimeoutFailsWithinTheTimeout()
      throws Exception {
    backend.close();
    backend = Fixtures.backend(server, tmp).timeout(Duration.ofMillis(500)).build();
    createRun();
    Path file = Files.writeString(tmp.resolve("notes.txt"), "x".repeat(1600));
    fake.script("mlflow-artifacts", new MockResponse.Builder().code(200)
        .body("{}" + " ".repeat(38)).throttleBody(1, 200, TimeUnit.MILLISECONDS).build());

    long start = System.nanoTime();
    assertThatThrownBy(() -> backend.logArtifact(RUN, file, "notes.txt"))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("PUT artifact 'notes.txt' to " + backend.describe() + " failed:"
            + " java.io.InterruptedIOException: timeout")
        .satisfies(e -> assertThat(kind(e)).isEqualTo(DeliveryException.Kind.TRANSIENT));
    // 500 ms and a second, and 100 ms more for 1,600 bytes
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void aReplyToAWriteThatInflatesPastItsCapIsATransientFailure() throws Exception {
    createRun();
    // 2 MiB of JSON, 2 KiB on the wire
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(("{\"pad\": \"" + "0".repeat(2 << 20) + "\"}").getBytes(StandardCharsets.UTF_8));
    }
    fake.script("runs/log-batch", new MockResponse.Builder().code(200)
        .addHeader("Content-Encoding", "gzip").body(new Buffer().write(gz.toByteArray()))
        .build());

    failsOnceThenDelivers("got an unexpected reply: HTTP 200 with a body of more than 1048576"
        + " bytes");
  }

  @Test
  void aHistoryPageLargerThanAWriteReplyIsReadWhole() throws Exception {
    createRun();
    StringBuilder page = new StringBuilder("{\"metrics\": [");
    for (int step = 0; step < 25_000; step++) {
      page.append(step == 0 ? "" : ",").append("{\"key\": \"loss\", \"value\": 0.5,"
          + " \"timestamp\": 1700000000000, \"step\": ").append(step).append('}');
    }
    fake.script("metrics/get-history", FakeMlflowServer.status(200, page.append("]}")
        .toString()));

    assertThat(page.length()).isGreaterThan(1 << 20);
    assertThat(backend.metricHistory(RUN, "loss")).hasSize(25_000);
  }

  @Test
  void aRedirectThatTurnsAPostIntoAGetIsATransientFailure() throws Exception {
    createRun();
    // the GET the redirect makes of the batch answers what a delivered batch gets
    fake.script("runs/log-batch", new MockResponse.Builder().code(301)
        .addHeader("Location", "/moved").build());
    fake.script("/moved", FakeMlflowServer.status(200, "{}"));

    failsOnceThenDelivers("got an unexpected reply: HTTP 301 redirect to "
        + server.url("/moved").redact() + " turned the POST into a GET");
  }

  @Test
  void anArtifactRedirectedToALoginPageIsAnErrorNotItsBytes() throws Exception {
    createRun();
    fake.script("mlflow-artifacts", new MockResponse.Builder().code(302)
        .addHeader("Location", "/login").build());
    fake.script("/login", FakeMlflowServer.status(200, "<html>Sign in</html>"));

    assertThatThrownBy(() -> backend.openArtifact(RUN, "model.bin"))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("GET artifact 'model.bin' of run " + SERVER_RUN + " was redirected to "
            + server.url("/login").redact() + ", which is not the artifact");
  }

  @Test
  void credentialsDoNotFollowARedirectToAnotherHost() throws Exception {
    backend.close();
    backend = Fixtures.backend(server, tmp).token("s3cr3t").build();
    createRun();
    try (MockWebServer other = new MockWebServer()) {
      other.enqueue(FakeMlflowServer.status(200, "{}"));
      other.start();
      fake.script("runs/log-batch", new MockResponse.Builder().code(307)
          .addHeader("Location", other.url("/api/2.0/mlflow/runs/log-batch")).build());

      backend.logBatch(RUN, point());

      RecordedRequest there = other.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
      assertThat(there.getMethod()).isEqualTo("POST");
      assertThat(there.getHeaders().get("Authorization")).isNull();
    }
  }

  @Test
  void nullItemsInAListOfRunsAreAnUnexpectedReplyNotANullPointerException() throws Exception {
    createRun();
    fake.script("runs/search", FakeMlflowServer.status(200, "{\"runs\": [null]}"));

    assertThatThrownBy(() -> backend.listRuns("e"))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("POST runs/search to " + backend.describe() + " got an unexpected reply:"
            + " expected a JSON object but was null");
  }

  @Test
  void aListedRunWithoutItsIdIsAnUnexpectedReplyNotANullPointerException() throws Exception {
    createRun();
    fake.script("runs/search", FakeMlflowServer.status(200, "{\"runs\": [{\"info\": {}}]}"));

    assertThatThrownBy(() -> backend.listRuns("e"))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("POST runs/search to " + backend.describe() + " got an unexpected reply:"
            + " no info.run_id in {\"info\":{}}");
  }

  @Test
  void aListedExperimentWithoutItsNameIsAnUnexpectedReplyNotANullPointerException()
      throws Exception {
    fake.script("experiments/search", FakeMlflowServer.status(200,
        "{\"experiments\": [{\"experiment_id\": \"7\"}]}"));

    assertThatThrownBy(() -> backend.listExperiments())
        .isInstanceOf(DeliveryException.class)
        .hasMessage("POST experiments/search to " + backend.describe() + " got an unexpected"
            + " reply: no experiment_id and name in {\"experiment_id\":\"7\"}");
  }

  @Test
  void nullMetricsAndInputsOfARunAreLeftOut() throws Exception {
    createRun();
    fake.script("runs/get", FakeMlflowServer.status(200, "{\"run\": {\"info\": {\"run_id\":"
        + " \"" + SERVER_RUN + "\", \"experiment_id\": \"1\", \"status\": \"RUNNING\"}, \"data\":"
        + " {\"metrics\": [null], \"tags\": [null, {\"key\": \"tracker.runId\", \"value\": \""
        + RUN + "\"}]}, \"inputs\": {\"dataset_inputs\": [null]}}}"));

    assertThat(backend.readRun(RUN)).hasValueSatisfying(r -> {
      assertThat(r.metrics()).isEmpty();
      assertThat(r.inputs()).isEmpty();
    });
  }
  @Test
  void anMlflowErrorWithStatus200IsATransientFailureNotADelivery() throws Exception {
    createRun();
    fake.script("runs/log-batch", FakeMlflowServer.status(200,
        "{\"error_code\": \"TEMPORARILY_UNAVAILABLE\", \"message\": \"try later\"}"));

    failsOnceThenDelivers("got an unexpected reply: HTTP 200 with a body that is an MLflow"
        + " error: {\"error_code\": \"TEMPORARILY_UNAVAILABLE\", \"message\": \"try later\"}");
  }

  @Test
  void aProxysRequestEntityTooLargeIsTransientNotARefusalOfTheBatch() throws Exception {
    createRun();
    fake.script("runs/log-batch", new MockResponse.Builder().code(413)
        .addHeader("Content-Type", "text/html")
        .body("<html><center><h1>413 Request Entity Too Large</h1></center></html>").build());

    failsOnceThenDelivers("failed: HTTP 413 <html><center><h1>413 Request Entity Too"
        + " Large</h1></center></html>");
  }

  @Test
  void aBadRequestPageThatIsNotMlflowsRejectsNoRecord() throws Exception {
    createRun();
    fake.script("runs/log-batch", FakeMlflowServer.status(400,
        "<html><h1>Request blocked by the firewall</h1></html>"));

    failsOnceThenDelivers("failed: HTTP 400 <html><h1>Request blocked by the firewall</h1></html>");
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 503}) // OkHttp reads a 503's Retry-After itself
  void aRetryAfterBeyondAnyDurationIsCappedAndTheRecordsDelivered(int status) throws Exception {
    fake.script("runs/log-batch", new MockResponse.Builder().code(status)
        .addHeader("Retry-After", Long.toString(Long.MAX_VALUE)).build());

    try (Tracker tracker = Fixtures.tracker(backend);
        Run run = tracker.experiment("e").startRun("r")) {
      run.logMetric("loss", 0.5, 1);

      assertThat(tracker.flush(Duration.ofSeconds(5))).isEqualTo(FlushResult.DELIVERED);
    }
    assertThat(fake.run(SERVER_RUN).metrics()).hasSize(1);
  }
}
