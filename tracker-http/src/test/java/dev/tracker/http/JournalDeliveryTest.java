package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Backlog;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Credentials;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through a tracker, a server that goes away and comes back, or refuses the credentials, gets
 * every record once, in order, from the tracker or the next one. The faults of a server that
 * answers strangely or never (black hole, slow drip, {@code 200 {}}, HTML, a login page) are
 * tracker-reliability's HttpFaultTest.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalDeliveryTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer();
  private final List<MockWebServer> servers = new ArrayList<>();
  private final CountDownLatch answer = new CountDownLatch(1);
  private int port;

  @AfterEach
  void stop() {
    answer.countDown();
    servers.forEach(MockWebServer::close);
  }

  /** Starts the MLflow server (again) on the same port, with the same state. */
  private void up() throws Exception {
    MockWebServer s = FakeMlflowServer.newServer();
    s.setDispatcher(fake);
    s.start(port);
    port = s.getPort();
    servers.add(s);
  }

  private void down() {
    servers.forEach(MockWebServer::close);
    servers.clear();
  }

  private MlflowBackend.Builder backend() {
    return MlflowBackend.builder().uri("http://localhost:" + port).spoolDir(tmp.resolve("spool"))
        .backoffFactor(0.001).backoffJitter(0).maxBackoff(Duration.ofMillis(20));
  }

  private Tracker tracker(MlflowBackend backend, Duration closeTimeout) {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null)
        .flushInterval(Duration.ofMillis(50)).closeTimeout(closeTimeout).build();
  }

  private static void logSteps(Run run, int from, int to) {
    for (int i = from; i < to; i++) {
      run.logMetric("loss", 1.0 / (i + 1), i, 1_700_000_000_000L + i);
    }
  }

  private List<Long> steps(String serverRun) {
    return fake.run(serverRun).metrics().stream().map(FakeMlflowServer.Point::step).toList();
  }

  private static List<Long> range(int n) {
    return LongStream.range(0, n).boxed().toList();
  }

  private static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  /** Delivers what earlier trackers left, with a tracker that logs nothing itself. */
  private void deliverLeftovers() throws Exception {
    try (Tracker next = tracker(backend().build(), LONG)) {
      assertThat(next.flush(LONG)).isEqualTo(FlushResult.DELIVERED);
      Run probe = next.experiment("probe").startRun("p");
      probe.close();
      assertThat(next.flush(LONG)).isEqualTo(FlushResult.DELIVERED);
    }
  }

  @Test
  void aServerStoppedMidRunAndStartedAgainGetsEveryPointOnceInOrder() throws Exception {
    up();
    String runId;
    try (Tracker tracker = tracker(backend().build(), LONG)) {
      Run run = tracker.experiment("iris").startRun("lr-0.1");
      run.logParam("lr", 0.1);
      logSteps(run, 0, 500);
      assertThat(tracker.flush(LONG)).isEqualTo(FlushResult.DELIVERED);
      runId = fake.runs().get(0);

      down();
      logSteps(run, 500, 1000);
      run.setTag("phase", "during the outage");
      long start = System.nanoTime();
      assertThat(tracker.flush()).isEqualTo(FlushResult.SPOOLED);
      assertThat(millisSince(start)).isLessThan(2000);

      up();
      logSteps(run, 1000, 1500);
      assertThat(tracker.flush(LONG)).isEqualTo(FlushResult.DELIVERED);
      run.close();
    }

    assertThat(fake.runs()).containsExactly(runId);
    assertThat(steps(runId)).isEqualTo(range(1500));
    FakeMlflowServer.Run run = fake.run(runId);
    assertThat(run.params()).containsEntry("lr", "0.1");
    assertThat(run.tags()).containsEntry("phase", "during the outage");
    assertThat(run.status()).isEqualTo("FINISHED");
  }

  @Test
  void aServerDownForTheWholeRunGetsEverythingOnceFromTheNextTracker() throws Exception {
    up();
    down(); // the port is known and nothing listens on it
    Path file = Files.writeString(tmp.resolve("model.txt"), "weights");
    String trackerRunId;
    Tracker tracker = tracker(backend().build(), Duration.ofMillis(300));
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
    tracker.close();
    Backlog left = tracker.backlog();
    assertThat(left.runEnds()).isEqualTo(2);
    assertThat(left.runsNotCreated()).isEqualTo(2); // the server was down from the start
    assertThat(left.journal()).isEqualTo(MlflowBackend.journalDirectory(tmp.resolve("spool"),
        java.net.URI.create("http://localhost:" + port)).toString());
    Files.delete(file);
    assertThat(fake.runs()).isEmpty();

    up();
    deliverLeftovers();

    assertThat(fake.experimentNames()).containsExactly("Default", "iris", "probe");
    assertThat(fake.runs()).hasSize(3);
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
  void refusedCredentialsAreReportedAtFlushAndTheRecordsKept() throws Exception {
    up();
    fake.requireAuthorization(Credentials.basic("alice", "right"));
    Tracker tracker = tracker(backend().username("alice").password("wrong").build(),
        Duration.ofMillis(300));
    Run run = tracker.experiment("e").startRun("r");
    logSteps(run, 0, 5);

    assertThatThrownBy(() -> tracker.flush(Duration.ofSeconds(5)))
        .isInstanceOf(TrackerException.class)
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("MLFLOW_TRACKING_USERNAME");
    tracker.close();
    assertThat(fake.runs()).isEmpty();

    fake.requireAuthorization(null);
    deliverLeftovers();
    assertThat(steps(fake.runs().get(0))).isEqualTo(range(5));
  }

  @Test
  void aRunTheServerCreatedWithoutItsAnswerArrivingIsNotCreatedAgainByTheNextTracker()
      throws Exception {
    // the server creates the first run, and its answer never comes before the tracker closes
    CountDownLatch created = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    MockWebServer s = FakeMlflowServer.newServer();
    s.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        MockResponse r = fake.dispatch(request);
        if (request.getUrl().encodedPath().endsWith("/runs/create")
            && first.getAndSet(false)) {
          created.countDown();
          answer.await(LONG.toSeconds(), TimeUnit.SECONDS);
        }
        return r;
      }
    });
    s.start();
    port = s.getPort();
    servers.add(s);
    Tracker tracker = tracker(backend().build(), Duration.ofMillis(300));
    Run run = tracker.experiment("iris").startRun("lr-0.1");
    logSteps(run, 0, 10);
    assertThat(created.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
    tracker.close();
    assertThat(tracker.backlog().runsNotCreated()).isEqualTo(1);
    answer.countDown();

    deliverLeftovers();

    List<String> named = fake.runs().stream()
        .filter(id -> fake.run(id).name().equals("lr-0.1")).toList();
    assertThat(named).hasSize(1);
    assertThat(steps(named.get(0))).isEqualTo(range(10));
    assertThat(fake.run(named.get(0)).status()).isEqualTo("FINISHED");
  }
}
