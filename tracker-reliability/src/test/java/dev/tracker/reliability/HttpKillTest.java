package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.http.MlflowBackend;
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
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM logging to a live but slow MLflow server, killed with SIGKILL: every point it had
 * flushed (durable in its journal) before the kill reaches the server, each once in the server's
 * view (an SQL store keeps an identical point once), when the next tracker for that server and
 * journal folder starts.
 */
class HttpKillTest {
  private static final int FLUSHED_BEFORE_KILL = 5_000;

  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer().dedupeMetrics(true);
  private MockWebServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The fake MLflow server, answering log-batch requests a second late while {@code slow}. */
  private final class Slow extends Dispatcher {
    volatile boolean slow = true;

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      MockResponse answer = fake.dispatch(request);
      if (slow && request.getUrl().encodedPath().endsWith("/runs/log-batch")) {
        return answer.newBuilder().headersDelay(1, TimeUnit.SECONDS).build();
      }
      return answer;
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void everyPointFlushedBeforeASigkillAgainstASlowServerArrivesOnceAfterTheNextStart()
      throws Exception {
    Slow slow = new Slow();
    server = FakeMlflowServer.newServer();
    server.setDispatcher(slow);
    server.start();
    String uri = "http://localhost:" + server.getPort();
    Path spoolRoot = tmp.resolve("spool");

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        HttpChildLogger.class.getName())
        .redirectError(tmp.resolve("child.log").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("MLFLOW_") || k.startsWith("TRACKER_"));
    env.put("MLFLOW_TRACKING_URI", uri);
    env.put("TRACKER_SPOOL_DIR", spoolRoot.toString());
    env.put("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.1");
    env.put("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0");
    Process child = pb.start();
    String trackerRunId = null;
    long flushed = 0;
    List<String> results = new ArrayList<>();
    long longestFlush = 0;
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
          longestFlush = Math.max(longestFlush, Long.parseLong(f[3]));
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
    // the server took a batch a second: the flushes said the rest waited in the journal
    assertThat(results).as("each flush said where the points were").contains("SPOOLED");
    // a plain flush waits about a second for the server, never more, however slow it is
    assertThat(longestFlush).as("longest flush (ms)").isLessThan(2000);
    assertThat(child.exitValue()).isEqualTo(137); // 128 + SIGKILL
    Path journal = MlflowBackend.journalDirectory(spoolRoot, URI.create(uri));
    try (Stream<Path> segments = Files.list(journal)) {
      assertThat(segments.filter(Files::isDirectory)).isNotEmpty();
    }

    long start = System.nanoTime();
    slow.slow = false;
    try (Tracker next = Tracker.builder().backend(MlflowBackend.builder().uri(uri)
        .spoolDir(spoolRoot).build()).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).build()) {
      Run probe = next.experiment("probe").startRun("p");
      probe.close(); // after what the killed process left: the uploader goes in order
      assertThat(next.flush(Duration.ofSeconds(60))).isEqualTo(FlushResult.DELIVERED);
    }
    Duration time = Duration.ofNanos(System.nanoTime() - start);

    try (Stream<Path> segments = Files.list(journal)) {
      assertThat(segments.filter(Files::isDirectory)).isEmpty();
    }
    FakeMlflowServer.Run run = fake.runs().stream().map(fake::run)
        .filter(r -> r.name().equals("victim")).findFirst().orElseThrow();
    assertThat(run.tags()).containsEntry(MlflowBackend.RUN_ID_TAG, trackerRunId);
    assertThat(run.params()).containsEntry("lr", "0.1");
    assertThat(run.status()).isEqualTo("RUNNING"); // it never ended
    List<FakeMlflowServer.Point> stored = run.metrics();
    HttpTally.print("HTTP backend, JVM killed (SIGKILL) while logging to a slow server (1 s per"
        + " log-batch); the next start delivers its journal", "HttpKillTest", flushed, stored,
        time);
    // what was flushed, in order, once; and what the child journaled after its last flush
    // (before the kill) may follow, also once and in order
    List<Metric> expected = new ArrayList<>();
    for (long step = 0; step < stored.size(); step++) {
      expected.add(HttpChildLogger.point(step));
    }
    assertThat(stored).hasSizeGreaterThanOrEqualTo((int) flushed)
        .isEqualTo(HttpTally.points(expected));
    assertThat(HttpTally.duplicates(stored)).isZero();
  }
}
