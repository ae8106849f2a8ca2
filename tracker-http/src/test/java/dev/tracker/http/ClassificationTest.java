package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Metric;
import dev.tracker.RunStatus;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.RunSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * The backend sends each operation once and says what kind of failure it met: the delivery layer
 * in core retries the transient ones, so no reply, however strange, loses a record.
 */
class ClassificationTest extends ServerTest {

  private String base() {
    return backend.describe();
  }

  private void createRun() throws Exception {
    backend.createRun(new RunSpec(RUN, backend.createExperiment("e"), "e", "r", 1, Map.of(),
        null, false));
  }

  private static Batch points(int n) {
    List<Metric> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Metric("loss", i, 1000 + i, i));
    }
    return Batch.ofMetrics(out);
  }

  private static DeliveryException.Kind kind(Throwable e) {
    return ((DeliveryException) e).kind();
  }

  @Test
  void serviceUnavailableIsTransientWithTheServersRetryAfter() throws Exception {
    createRun();
    fake.script("runs/log-batch", new MockResponse.Builder().code(503)
        .addHeader("Retry-After", "7").body("busy").build());

    assertThatThrownBy(() -> backend.logBatch(RUN, points(1)))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("POST runs/log-batch to " + base() + " failed: HTTP 503 busy")
        .satisfies(e -> assertThat(kind(e)).isEqualTo(DeliveryException.Kind.TRANSIENT))
        .satisfies(e -> assertThat(((DeliveryException) e).retryAfter())
            .contains(Duration.ofSeconds(7)));
  }

  @Test
  void aBadRequestIsPermanentWithItsCodeAndMessage() throws Exception {
    createRun();
    fake.script("runs/update", FakeMlflowServer.error(400, "INVALID_PARAMETER_VALUE",
        "bad status"));

    assertThatThrownBy(() -> backend.endRun(RUN, RunStatus.FINISHED, 5))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("POST runs/update failed with HTTP 400 INVALID_PARAMETER_VALUE: bad status")
        .satisfies(e -> assertThat(kind(e)).isEqualTo(DeliveryException.Kind.PERMANENT))
        .hasCauseInstanceOf(MlflowServerException.class);
  }

  @Test
  void refusedCredentialsAreBlockedNotPermanent() throws Exception {
    fake.requireAuthorization("Bearer right");

    assertThatThrownBy(() -> backend.createExperiment("e"))
        .isInstanceOf(DeliveryException.class)
        .hasMessageStartingWith("GET experiments/get-by-name failed with HTTP 401")
        .satisfies(e -> assertThat(kind(e)).isEqualTo(DeliveryException.Kind.BLOCKED));
  }

  @Test
  void anEmptyObjectForRunCreationIsATransientFailureNamingTheEndpoint() throws Exception {
    String exp = backend.createExperiment("e");
    fake.script("runs/create", FakeMlflowServer.status(200, "{}"));

    assertThatThrownBy(() -> backend.createRun(new RunSpec(RUN, exp, "e", "r", 1, Map.of(),
        null, false)))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("POST runs/create to " + base() + " got an unexpected reply: no"
            + " run.info.run_id in {}")
        .satisfies(e -> assertThat(kind(e)).isEqualTo(DeliveryException.Kind.TRANSIENT));

    // the retry looks for the run first: it is created once
    backend.createRun(new RunSpec(RUN, exp, "e", "r", 1, Map.of(), null, false));
    assertThat(fake.runs()).hasSize(1);
    assertThat(backend.serverRunId(RUN)).contains(SERVER_RUN);
  }

  @Test
  void anHtmlPageWithStatus200IsATransientFailure() throws Exception {
    createRun();
    fake.script("runs/log-batch", new MockResponse.Builder().code(200)
        .addHeader("Content-Type", "text/html").body("<html><body>Sign in</body></html>")
        .build());

    assertThatThrownBy(() -> backend.logBatch(RUN, points(1)))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("POST runs/log-batch to " + base() + " got an unexpected reply: HTTP 200"
            + " (text/html) with a body that is not JSON: <html><body>Sign in</body></html>")
        .satisfies(e -> assertThat(kind(e)).isEqualTo(DeliveryException.Kind.TRANSIENT));
  }

  @Test
  void truncatedJsonIsATransientFailure() throws Exception {
    String exp = backend.createExperiment("e");
    fake.script("runs/create", FakeMlflowServer.status(200, "{\"run\": {\"info\": {\"run_"));

    assertThatThrownBy(() -> backend.createRun(new RunSpec(RUN, exp, "e", "r", 1, Map.of(),
        null, false)))
        .isInstanceOf(DeliveryException.class)
        .hasMessageStartingWith("POST runs/create to " + base() + " got an unexpected reply:"
            + " HTTP 200 with a body that is not JSON: {\"run\": {\"info\": {\"run_")
        .satisfies(e -> assertThat(kind(e)).isEqualTo(DeliveryException.Kind.TRANSIENT));
  }

  @Test
  void aBatchCutShortSaysHowManyOfItsRecordsWereDelivered() throws Exception {
    createRun();
    fake.script("runs/log-batch", FakeMlflowServer.status(200, "{}"),
        FakeMlflowServer.status(502, "bad gateway"));

    assertThatThrownBy(() -> backend.logBatch(RUN, points(2500)))
        .isInstanceOf(DeliveryException.class)
        .satisfies(e -> assertThat(kind(e)).isEqualTo(DeliveryException.Kind.TRANSIENT))
        .satisfies(e -> assertThat(((DeliveryException) e).delivered()).isEqualTo(1000));
  }

  @Test
  void aServerErrorPageThatIsNotMlflowsIsTransient() throws Exception {
    createRun();
    // a proxy's (Cloudflare's) "A timeout occurred": the batch may be taken on a retry
    fake.script("runs/log-batch", new MockResponse.Builder().code(524)
        .addHeader("Content-Type", "text/html").body("<html><h1>A timeout occurred</h1></html>")
        .build());

    assertThatThrownBy(() -> backend.logBatch(RUN, points(1)))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("POST runs/log-batch to " + base() + " failed: HTTP 524"
            + " <html><h1>A timeout occurred</h1></html>")
        .satisfies(e -> assertThat(kind(e)).isEqualTo(DeliveryException.Kind.TRANSIENT));
    backend.logBatch(RUN, points(1));
    assertThat(fake.run(SERVER_RUN).metrics()).hasSize(1);
  }

  @Test
  void anMlflowErrorWithAnUnusualServerStatusStaysPermanent() throws Exception {
    createRun();
    fake.script("runs/update", FakeMlflowServer.error(501, "NOT_IMPLEMENTED", "no"));

    assertThatThrownBy(() -> backend.endRun(RUN, RunStatus.FINISHED, 5))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("POST runs/update failed with HTTP 501 NOT_IMPLEMENTED: no")
        .satisfies(e -> assertThat(kind(e)).isEqualTo(DeliveryException.Kind.PERMANENT));
  }
}
