package dev.tracker.http;

import dev.tracker.Tracker;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.RunSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;

/** Test wiring: a backend for a MockWebServer, with a journal under a temporary folder. */
final class Fixtures {
  private Fixtures() {}

  /** A backend for {@code server}, journaling under {@code spool}, retrying within ms. */
  static MlflowBackend.Builder backend(MockWebServer server, Path spool) {
    return MlflowBackend.builder().uri(server.url("/").toString()).spoolDir(spool)
        .backoffFactor(0.001).backoffJitter(0).maxBackoff(Duration.ofMillis(20));
  }

  /**
   * A backend for {@code server} with run {@code runId} created in experiment "e", the three
   * requests that took (get-by-name, create experiment, create run) already taken off the server.
   */
  static MlflowBackend backendWithRun(MockWebServer server, Path spool, String runId)
      throws Exception {
    MlflowBackend backend = backend(server, spool).build();
    backend.createRun(new RunSpec(runId, backend.createExperiment("e"), "e", "r",
        1, Map.of(), null, false));
    for (int i = 0; i < 3; i++) {
      server.takeRequest(TIMEOUT, UNIT);
    }
    return backend;
  }

  static MockWebServer start(FakeMlflowServer fake) throws Exception {
    MockWebServer server = FakeMlflowServer.newServer();
    server.setDispatcher(fake);
    server.start();
    return server;
  }

  static Tracker tracker(MlflowBackend backend) {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null)
        .flushInterval(Duration.ofMillis(50)).closeTimeout(Duration.ofSeconds(10)).build();
  }

  static final long TIMEOUT = 10;
  static final TimeUnit UNIT = TimeUnit.SECONDS;
}
