package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracker.FlushResult;
import dev.tracker.Run;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.http.testing.FakeMlflowServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import okhttp3.Credentials;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** No record is lost, and none arrives twice, while the server is down. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutageTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer();
  private final Fixtures.TestSleeper sleeper = new Fixtures.TestSleeper();
  private final List<MockWebServer> servers = new ArrayList<>();
  private int port;

  @AfterEach
  void stop() {
    servers.forEach(MockWebServer::close);
  }

  /** Starts the MLflow server (again) on the same port, with the same state. */
  private MockWebServer up() throws Exception {
    MockWebServer s = FakeMlflowServer.newServer();
    s.setDispatcher(fake);
    s.start(port);
    port = s.getPort();
    servers.add(s);
    return s;
  }

  private void down() {
    servers.forEach(MockWebServer::close);
    servers.clear();
  }

  private MlflowBackend backend() {
    return MlflowBackend.builder().uri("http://localhost:" + port).spoolDir(tmp.resolve("spool"))
        .sleeper(sleeper).nanoTime(sleeper::nanoTime).random(() -> 0).backoffJitter(0)
        .build();
  }

  private static void logSteps(Run run, int from, int to) {
    for (int i = from; i < to; i++) {
      run.logMetric("loss", 1.0 / (i + 1), i, 1_700_000_000_000L + i);
    }
  }

  private List<Long> steps(String runId) {
    return fake.run(runId).metrics().stream().map(FakeMlflowServer.Point::step).toList();
  }

  private static List<Long> range(int n) {
    List<Long> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  @Test
  void aServerStoppedMidRunAndStartedAgainGetsEveryPointOnceInOrder() throws Exception {
    up();
    String runId;
    try (Tracker tracker = Fixtures.tracker(backend())) {
      Run run = tracker.experiment("iris").startRun("lr-0.1");
      run.logParam("lr", 0.1);
      logSteps(run, 0, 500);
      assertThat(tracker.flush()).isEqualTo(FlushResult.DELIVERED);
      runId = fake.runs().get(0);

      down();
      logSteps(run, 500, 1000);
      run.setTag("phase", "during the outage");
      assertThat(tracker.flush()).isEqualTo(FlushResult.SPOOLED);

      up();
      logSteps(run, 1000, 1500);
      assertThat(tracker.flush()).isEqualTo(FlushResult.DELIVERED);
      run.close();
    }

    assertThat(fake.runs()).containsExactly(runId);
    assertThat(steps(runId)).isEqualTo(range(1500));
    FakeMlflowServer.Run run = fake.run(runId);
    assertThat(run.params()).containsEntry("lr", "0.1");
    assertThat(run.tags()).containsEntry("phase", "during the outage");
    assertThat(run.status()).isEqualTo("FINISHED");
    assertThat(Spool.at(Spool.directoryFor(tmp.resolve("spool"),
        java.net.URI.create("http://localhost:" + port))).sessions()).isEmpty();
  }

  @Test
  void aServerDownForTheWholeRunGetsEverythingOnceFromTheNextBackend() throws Exception {
    up();
    down(); // the port is known and nothing listens on it
    Path file = Files.writeString(tmp.resolve("model.txt"), "weights");
    String trackerRunId;
    try (Tracker tracker = Fixtures.tracker(backend())) {
      Run parent = tracker.experiment("iris").startRun("sweep");
      Run run = parent.startChildRun("lr-0.1");
      trackerRunId = run.id();
      run.logParam("lr", 0.1);
      logSteps(run, 0, 2500);
      run.setTag("phase", "train");
      run.logArtifact(file, "models");
      run.logText("notes", "notes.md");
      assertThat(tracker.flush()).isEqualTo(FlushResult.SPOOLED);
      run.end(RunStatus.FAILED);
      parent.close();
    }
    Files.delete(file);
    Spool spool = Spool.at(Spool.directoryFor(tmp.resolve("spool"),
        java.net.URI.create("http://localhost:" + port)));
    assertThat(spool.sessions()).hasSize(1)
        .allSatisfy(s -> assertThat(s.inUse()).isFalse());
    assertThat(spool.server()).contains("http://localhost:" + port);
    assertThat(fake.runs()).isEmpty();

    up();
    MlflowBackend next = backend(); // delivers the spool in the background
    assertThat(next.awaitDelivered(WAIT)).isTrue();
    next.close();

    assertThat(spool.sessions()).isEmpty();
    assertThat(fake.experimentNames()).containsExactly("Default", "iris");
    assertThat(fake.runs()).hasSize(2);
    String parentId = fake.runs().get(0);
    String childId = fake.runs().get(1);
    FakeMlflowServer.Run child = fake.run(childId);
    assertThat(child.tags()).containsEntry("tracker.runId", trackerRunId)
        .containsEntry("mlflow.parentRunId", parentId).containsEntry("phase", "train");
    assertThat(child.params()).containsEntry("lr", "0.1").containsKey("seed");
    assertThat(steps(childId)).isEqualTo(range(2500));
    assertThat(new String(child.artifacts().get("models/model.txt"), StandardCharsets.UTF_8))
        .isEqualTo("weights");
    assertThat(child.artifacts()).containsKey("notes.md");
    assertThat(child.status()).isEqualTo("FAILED");
    assertThat(fake.run(parentId).status()).isEqualTo("FINISHED");
  }

  @Test
  void closingWhileARequestHangsSpoolsItInsteadOfWaiting() throws Exception {
    up();
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    fake.interceptor(endpoint -> {
      if (!endpoint.equals("runs/log-batch")) {
        return null;
      }
      arrived.countDown();
      try {
        release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return FakeMlflowServer.disconnect(); // the server never processed it
    });
    MlflowBackend backend = backend();
    backend.createRun(new dev.tracker.spi.RunSpec("r", backend.createExperiment("e"), "e", "r",
        1, java.util.Map.of(), null, false));
    ExecutorService dispatcher = Executors.newSingleThreadExecutor();
    Future<?> logging = dispatcher.submit(() -> {
      backend.logBatch("r", dev.tracker.spi.Batch.ofMetrics(List.of(
          new dev.tracker.Metric("loss", 1, 1, 0))));
      return null;
    });
    assertThat(arrived.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    backend.close(); // as after a flush that timed out: the hanging call is cancelled
    logging.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    release.countDown();
    dispatcher.shutdown();
    fake.interceptor(null);

    MlflowBackend next = backend();
    assertThat(next.awaitDelivered(WAIT)).isTrue();
    next.close();
    assertThat(steps(fake.runs().get(0))).containsExactly(0L);
  }

  @Test
  void deliverSpooledDeliversWhatAnEarlierProcessLeftAndCountsIt() throws Exception {
    up();
    down();
    try (Tracker tracker = Fixtures.tracker(backend())) {
      Run run = tracker.experiment("e").startRun("r");
      logSteps(run, 0, 10);
    }
    up();
    MlflowBackend next = MlflowBackend.builder().uri("http://localhost:" + port)
        .spoolDir(tmp.resolve("spool")).sleeper(sleeper).build();
    assertThat(next.awaitDelivered(WAIT)).isTrue();

    Spool.SyncResult again = next.deliverSpooled();
    next.close();

    assertThat(again).isEqualTo(new Spool.SyncResult(0, 0, 0, List.of()));
    assertThat(steps(fake.runs().get(0))).isEqualTo(range(10));
  }

  @Test
  void theJournalIsDocumentedJsonLines() throws Exception {
    up();
    down();
    try (Tracker tracker = Fixtures.tracker(backend())) {
      Run run = tracker.experiment("e").startRun("r");
      run.logMetric("loss", Double.NaN, 3, 42);
    }
    Path serverDir = Spool.directoryFor(tmp.resolve("spool"),
        java.net.URI.create("http://localhost:" + port));
    Spool.Session session = Spool.at(serverDir).sessions().get(0);
    List<String> lines = Files.readAllLines(session.directory().resolve("journal.jsonl"));
    ObjectMapper json = new ObjectMapper();
    List<String> ops = new ArrayList<>();
    for (String line : lines) {
      ops.add(json.readTree(line).path("op").asText());
    }

    // the seed param may go in a batch of its own, sent as the run starts
    assertThat(ops.subList(0, 2)).containsExactly("session", "create_run");
    assertThat(ops.subList(2, ops.size() - 1)).isNotEmpty().containsOnly("log_batch");
    assertThat(ops.get(ops.size() - 1)).isEqualTo("end_run");
    assertThat(session.pendingOperations()).isEqualTo(ops.size() - 1);
    List<String> metrics = new ArrayList<>();
    for (String line : lines.subList(2, lines.size() - 1)) {
      JsonNode metricsOfBatch = json.readTree(line).path("metrics");
      if (!metricsOfBatch.isMissingNode() && metricsOfBatch.size() > 0) {
        metrics.add(metricsOfBatch.toString());
      }
    }
    assertThat(metrics).containsExactly(
        "[{\"key\":\"loss\",\"value\":\"NaN\",\"timestamp\":42,\"step\":3}]");
    assertThat(json.readTree(lines.get(1)).path("experiment_name").asText()).isEqualTo("e");
  }

  @Test
  void refusedCredentialsKeepTheRecordsAndReportTheRefusalAtFlush() throws Exception {
    up();
    fake.requireAuthorization(Credentials.basic("alice", "right"));
    MlflowBackend wrong = MlflowBackend.builder().uri("http://localhost:" + port)
        .username("alice").password("wrong").spoolDir(tmp.resolve("spool"))
        .sleeper(sleeper).build();
    Tracker tracker = Fixtures.tracker(wrong);
    Run run = tracker.experiment("e").startRun("r");
    logSteps(run, 0, 5);

    assertThatThrownBy(tracker::flush).isInstanceOf(TrackerException.class)
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("MLFLOW_TRACKING_USERNAME");
    tracker.close();
    assertThat(fake.runs()).isEmpty();

    MlflowBackend right = MlflowBackend.builder().uri("http://localhost:" + port)
        .username("alice").password("right").spoolDir(tmp.resolve("spool"))
        .sleeper(sleeper).build();
    assertThat(right.awaitDelivered(WAIT)).isTrue();
    right.close();
    assertThat(steps(fake.runs().get(0))).isEqualTo(range(5));
  }
}
