package dev.tracker.http;

import static dev.tracker.http.testing.FakeMlflowServer.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.RunStatus;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which failures are retried, how long the waits are, and when retrying stops. */
class RetryTest {
  private static final String RUN = "0123456789abcdef0123456789abcdef";
  private static final String SERVER_RUN = "00000000000000000000000000000001";
  private static final Batch ONE = Batch.ofMetrics(List.of(new Metric("loss", 0.5, 10, 1)));

  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer();
  private final Fixtures.TestSleeper sleeper = new Fixtures.TestSleeper();
  private MockWebServer server;
  private MlflowBackend backend;

  @BeforeEach
  void start() throws Exception {
    server = Fixtures.start(fake);
    backend = Fixtures.backend(server, tmp, sleeper).build();
    backend.createRun(new RunSpec(RUN, backend.createExperiment("e"), "e", "r", 1, Map.of(),
        null, false));
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    server.close();
  }

  @Test
  void twoServiceUnavailableAnswersAreRetriedWithExponentialBackoff() throws Exception {
    fake.script("runs/log-batch", error(503, "TEMPORARILY_UNAVAILABLE", "busy"),
        error(503, "TEMPORARILY_UNAVAILABLE", "busy"));

    backend.logBatch(RUN, ONE);

    assertThat(fake.count("runs/log-batch (scripted)")).isEqualTo(2);
    assertThat(fake.count("runs/log-batch")).isEqualTo(1);
    assertThat(fake.run(SERVER_RUN).metrics()).hasSize(1);
    assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4));
    assertThat(backend.flush()).isEqualTo(FlushResult.DELIVERED);
  }

  @Test
  void jitterAddsUpToItsSecondsToEachWait() throws Exception {
    backend.close();
    backend = Fixtures.backend(server, tmp, sleeper).backoffFactor(1).backoffJitter(0.5)
        .random(() -> 0.5).build();
    backend.createRun(new RunSpec(RUN, backend.createExperiment("e"), "e", "r", 1, Map.of(),
        null, false));
    fake.script("runs/log-batch", error(500, "INTERNAL_ERROR", "x"),
        error(502, "INTERNAL_ERROR", "x"), error(504, "INTERNAL_ERROR", "x"));

    backend.logBatch(RUN, ONE);

    assertThat(sleeper.waits).containsExactly(Duration.ofMillis(1250), Duration.ofMillis(2250),
        Duration.ofMillis(4250));
  }

  @Test
  void tooManyRequestsWaitsWhatRetryAfterSays() throws Exception {
    fake.script("runs/log-batch", new MockResponse.Builder().code(429)
        .addHeader("Retry-After", "7").body("{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\"}")
        .build());

    backend.logBatch(RUN, ONE);

    assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(7));
    assertThat(fake.run(SERVER_RUN).metrics()).hasSize(1);
  }

  @Test
  void retryAfterAsAnHttpDateIsHonouredAndCapped() throws Exception {
    backend.close();
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    backend = Fixtures.backend(server, tmp, sleeper).clock(() -> now)
        .maxBackoff(Duration.ofSeconds(20)).build();
    backend.createRun(new RunSpec(RUN, backend.createExperiment("e"), "e", "r", 1, Map.of(),
        null, false));
    String in5s = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(5)
        .atZone(ZoneOffset.UTC));
    fake.script("runs/log-batch",
        new MockResponse.Builder().code(503).addHeader("Retry-After", in5s).build(),
        new MockResponse.Builder().code(429).addHeader("Retry-After", "3600").build());

    backend.logBatch(RUN, ONE);

    assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(20));
  }

  @Test
  void theSpoolDrainerWaitsARetryAfterLongerThanItsBackoffCappedByMaxBackoff() throws Exception {
    backend.close();
    backend = Fixtures.backend(server, tmp, sleeper).maxRetries(0)
        .maxBackoff(Duration.ofSeconds(40)).build();
    backend.createRun(new RunSpec(RUN, backend.createExperiment("e"), "e", "r", 1, Map.of(),
        null, false));
    fake.script("runs/log-batch", error(503, "TEMPORARILY_UNAVAILABLE", "down"),
        new MockResponse.Builder().code(429).addHeader("Retry-After", "30").build(),
        new MockResponse.Builder().code(429).addHeader("Retry-After", "3600").build(),
        error(503, "TEMPORARILY_UNAVAILABLE", "down"));

    backend.logBatch(RUN, ONE); // not retried: spooled, and the drainer takes over

    // its own back-off would be 2, 4 and 8 s
    assertThat(sleeper.drainerWaits.poll(Fixtures.TIMEOUT, Fixtures.UNIT))
        .isEqualTo(Duration.ofSeconds(30));
    sleeper.release();
    assertThat(sleeper.drainerWaits.poll(Fixtures.TIMEOUT, Fixtures.UNIT))
        .isEqualTo(Duration.ofSeconds(40));
    sleeper.release();
    assertThat(sleeper.drainerWaits.poll(Fixtures.TIMEOUT, Fixtures.UNIT))
        .isEqualTo(Duration.ofSeconds(8));
    sleeper.release();
    assertThat(backend.awaitDelivered(Duration.ofSeconds(Fixtures.TIMEOUT))).isTrue();
    assertThat(fake.run(backend.serverRunId(RUN).orElseThrow()).metrics()).hasSize(1);
    assertThat(sleeper.waits).isEmpty();
  }

  @Test
  void aBadRequestIsNotRetriedAndItsCodeAndMessageAreReported() throws Exception {
    fake.script("runs/update", error(400, "INVALID_PARAMETER_VALUE", "Invalid status 'X'"));

    assertThatThrownBy(() -> backend.endRun(RUN, RunStatus.FINISHED, 5))
        .isInstanceOf(MlflowServerException.class)
        .hasMessage("POST runs/update failed with HTTP 400 INVALID_PARAMETER_VALUE: Invalid"
            + " status 'X'");
    assertThat(fake.count("runs/update (scripted)")).isEqualTo(1);
    assertThat(sleeper.waits).isEmpty();
  }

  @Test
  void aNonJsonErrorBodyIsReportedByItsStart() throws Exception {
    fake.script("runs/update", FakeMlflowServer.status(418,
        "<html>\n<body>I'm a teapot</body>\n</html>"));

    assertThatThrownBy(() -> backend.endRun(RUN, RunStatus.FINISHED, 5))
        .isInstanceOf(MlflowServerException.class)
        .hasMessage("POST runs/update failed with HTTP 418: <html> <body>I'm a teapot</body>"
            + " </html>")
        .satisfies(e -> assertThat(((MlflowServerException) e).errorCode()).isNull());
  }

  @Test
  void aConnectionResetWhileSendingTheBodyIsRetriedAndDeliveredOnce() throws Exception {
    // twice, the server closes the socket after 40 bytes of a body of about 60 KB
    MockResponse reset = new MockResponse.Builder().throttleBody(40, 0, TimeUnit.MILLISECONDS)
        .onRequestBody(new SocketEffect.CloseSocket(true, false, false)).build();
    fake.next(reset).next(reset);
    List<Metric> points = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      points.add(new Metric("loss", i, 10 + i, i));
    }

    backend.logBatch(RUN, Batch.ofMetrics(points));

    assertThat(fake.count("runs/log-batch")).isEqualTo(1);
    assertThat(fake.run(SERVER_RUN).metrics()).hasSize(1000)
        .extracting(FakeMlflowServer.Point::step).doesNotHaveDuplicates();
    assertThat(backend.flush()).isEqualTo(FlushResult.DELIVERED);
  }

  @Test
  void readsThrowWhenTheRetriesRunOut() throws Exception {
    backend.close();
    backend = Fixtures.backend(server, tmp, sleeper).maxRetries(2).build();
    fake.outage(FakeMlflowServer.Outage.UNAVAILABLE);

    assertThatThrownBy(() -> backend.listExperiments())
        .isInstanceOf(UnreachableException.class)
        .hasMessage("POST experiments/search to " + backend.describe() + " failed after 3"
            + " attempts: HTTP 503 TEMPORARILY_UNAVAILABLE: the server is unavailable");
    assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4));
  }

  @Test
  void retryingStopsWhenTheRetryTimeoutWouldPass() throws Exception {
    backend.close();
    backend = Fixtures.backend(server, tmp, sleeper).retryTimeout(Duration.ofSeconds(10))
        .build();
    backend.createRun(new RunSpec(RUN, backend.createExperiment("e"), "e", "r", 1, Map.of(),
        null, false));
    fake.outage(FakeMlflowServer.Outage.UNAVAILABLE);

    backend.logBatch(RUN, ONE);

    // 2 s + 4 s waited; another 8 s would pass 10 s: the batch goes to the spool instead
    assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4));
    assertThat(backend.flush()).isEqualTo(FlushResult.SPOOLED);
  }
}
