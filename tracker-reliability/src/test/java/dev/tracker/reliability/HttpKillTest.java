package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.http.HttpHooks;
import dev.tracker.http.MlflowBackend;
import dev.tracker.http.Spool;
import dev.tracker.http.testing.FakeMlflowServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM logging to an MLflow server that is down, killed with SIGKILL: every point it had
 * flushed (spooled) before the kill reaches the server exactly once when the next backend for
 * that server and spool folder starts.
 */
class HttpKillTest {
  private static final int FLUSHED_BEFORE_KILL = 20_000;

  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer();
  private MockWebServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void everyPointSpooledBeforeASigkillIsDeliveredOnceByTheNextStart() throws Exception {
    server = FakeMlflowServer.newServer();
    server.setDispatcher(fake);
    server.start();
    int port = server.getPort();
    server.close(); // the port is known and nothing listens on it: the server is down
    String uri = "http://localhost:" + port;
    Path spoolRoot = tmp.resolve("spool");

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        HttpChildLogger.class.getName())
        .redirectError(tmp.resolve("child.log").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("MLFLOW_") || k.startsWith("TRACKER_"));
    env.put("MLFLOW_TRACKING_URI", uri);
    env.put("TRACKER_SPOOL_DIR", spoolRoot.toString());
    // spool at the first failure, and retry the spool in the background every 0.1 s or more
    env.put("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0");
    env.put("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.1");
    env.put("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0");
    Process child = pb.start();
    String trackerRunId = null;
    long flushed = 0;
    List<String> results = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while (flushed < FLUSHED_BEFORE_KILL && (line = out.readLine()) != null) {
        if (line.startsWith("run ")) {
          trackerRunId = line.substring(4);
        } else if (line.startsWith("flushed ")) {
          String[] f = line.split(" ");
          flushed = Long.parseLong(f[1]);
          results.add(f[2]);
        }
      }
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, mid-way through logging
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(flushed).as("points flushed before the kill; child's stderr in "
        + tmp.resolve("child.log") + ":\n" + Files.readString(tmp.resolve("child.log")))
        .isGreaterThanOrEqualTo(FLUSHED_BEFORE_KILL);
    assertThat(results).as("each flush said where the points were").containsOnly("SPOOLED");
    assertThat(child.exitValue()).isEqualTo(137); // 128 + SIGKILL
    Spool spool = Spool.at(Spool.directoryFor(spoolRoot, URI.create(uri)));
    assertThat(spool.sessions()).singleElement()
        .satisfies(s -> assertThat(s.inUse()).isFalse());

    long start = System.nanoTime();
    server = FakeMlflowServer.newServer();
    server.setDispatcher(fake);
    server.start(port);
    MlflowBackend next = MlflowBackend.builder().uri(uri).spoolDir(spoolRoot).build();
    assertThat(HttpHooks.awaitDelivered(next, Duration.ofSeconds(30))).isTrue();
    next.close();
    Duration time = Duration.ofNanos(System.nanoTime() - start);

    assertThat(spool.sessions()).isEmpty();
    assertThat(fake.runs()).hasSize(1);
    FakeMlflowServer.Run run = fake.run(fake.runs().get(0));
    assertThat(run.tags()).containsEntry(MlflowBackend.RUN_ID_TAG, trackerRunId);
    assertThat(run.params()).containsEntry("lr", "0.1");
    assertThat(run.status()).isEqualTo("RUNNING"); // it never ended
    List<FakeMlflowServer.Point> stored = run.metrics();
    HttpTally.print("HTTP backend, JVM killed (SIGKILL) while the server was down; next start"
        + " delivers the spool", "HttpKillTest", flushed, stored, time);
    // what was flushed, in order, once; and what the child spooled after its last flush (before
    // the kill) may follow, also once and in order: the spool is read up to its last whole line
    List<Metric> expected = new ArrayList<>();
    for (long step = 0; step < stored.size(); step++) {
      expected.add(HttpChildLogger.point(step));
    }
    assertThat(stored).hasSizeGreaterThanOrEqualTo((int) flushed)
        .isEqualTo(HttpTally.points(expected));
    assertThat(HttpTally.duplicates(stored)).isZero();
  }
}
