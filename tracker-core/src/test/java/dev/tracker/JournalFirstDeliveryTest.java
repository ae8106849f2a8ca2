package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.spi.DeliveryException;
import dev.tracker.testing.RecordingBackend;
import dev.tracker.testing.RemoteRecordingBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote backend gets its records through the journal and the uploader: every point once, in
 * order, whatever the server does, and flush and close bounded in time and truthful.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalFirstDeliveryTest {
  @TempDir Path tmp;

  private Tracker.Builder builder(RemoteRecordingBackend backend) {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null);
  }

  private static List<Long> range(int n) {
    return LongStream.range(0, n).boxed().toList();
  }

  private static void logSteps(Run run, int from, int to) {
    for (int i = from; i < to; i++) {
      run.logMetric("loss", i, i, 1_700_000_000_000L + i);
    }
  }

  private long segments() throws Exception {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.filter(Files::isDirectory).count();
    }
  }

  @Test
  void everyPointReachesARemoteBackendOnceInOrderThroughTheJournal() throws Exception {
    RemoteRecordingBackend backend = new RemoteRecordingBackend(new RecordingBackend(), tmp);
    String runId;
    try (Tracker tracker = builder(backend).build()) {
      Run run = tracker.experiment("e").startRun("r");
      runId = run.id();
      logSteps(run, 0, 2500);
      assertThat(tracker.flush(Duration.ofSeconds(30))).isEqualTo(FlushResult.DELIVERED);
      assertThat(tracker.backlog().isEmpty()).isTrue();
    }
    assertThat(backend.recording().metrics(runId)).extracting(Metric::step)
        .isEqualTo(range(2500));
    assertThat(backend.recording().status(runId)).isEqualTo(RunStatus.FINISHED);
    assertThat(segments()).isZero();
    assertThat(Files.readString(tmp.resolve("server"))).isEqualTo("fake://server\n");
  }

  @Test
  void transientFailuresAreRetriedAndLoseNothing() throws Exception {
    RemoteRecordingBackend backend = new RemoteRecordingBackend(new RecordingBackend(), tmp);
    for (int i = 0; i < 3; i++) {
      backend.failNextBatch(DeliveryException.transientFailure("HTTP 503", null, null));
    }
    String runId;
    try (Tracker tracker = builder(backend).build()) {
      Run run = tracker.experiment("e").startRun("r");
      runId = run.id();
      logSteps(run, 0, 10);
      assertThat(tracker.flush(Duration.ofSeconds(30))).isEqualTo(FlushResult.DELIVERED);
    }
    assertThat(backend.recording().metrics(runId)).extracting(Metric::step)
        .isEqualTo(range(10));
  }

  @Test
  void aBatchCutShortIsResumedAfterTheRecordsItDelivered() throws Exception {
    RemoteRecordingBackend backend = new RemoteRecordingBackend(new RecordingBackend(), tmp);
    String runId;
    try (Tracker tracker = builder(backend).build()) {
      Run run = tracker.experiment("e").startRun("r");
      runId = run.id();
      tracker.flush(Duration.ofSeconds(30)); // the seed param goes first
      backend.failNextBatch(DeliveryException.transientFailure("connection reset", null, null)
          .afterDelivering(400));
      logSteps(run, 0, 1000);
      assertThat(tracker.flush(Duration.ofSeconds(30))).isEqualTo(FlushResult.DELIVERED);
    }
    assertThat(backend.recording().metrics(runId)).extracting(Metric::step)
        .isEqualTo(range(1000));
  }

  @Test
  void rejectedRecordsAreReportedByTheNextFlushAndTheRestDelivered() throws Exception {
    RemoteRecordingBackend backend = new RemoteRecordingBackend(new RecordingBackend(), tmp);
    try (Tracker tracker = builder(backend).build()) {
      Run run = tracker.experiment("e").startRun("r");
      tracker.flush(Duration.ofSeconds(30));
      backend.failNextBatch(DeliveryException.rejected("the server refused 1 record of run "
          + run.id() + ": param 'lr': too long",
          List.of(new DeliveryException.Rejected("param", "lr", "too long"))));
      run.logParam("lr", 0.1);

      assertThatThrownBy(() -> tracker.flush(Duration.ofSeconds(30)))
          .isInstanceOf(TrackerException.class)
          .hasMessage("the server refused 1 record of run " + run.id() + ": param 'lr': too"
              + " long");
      assertThat(tracker.flush(Duration.ofSeconds(30))).isEqualTo(FlushResult.DELIVERED);
    }
  }

  @Test
  void aPlainFlushReturnsSpooledWithinASecondWhenTheServerHangs() throws Exception {
    RecordingBackend recording = new RecordingBackend();
    RemoteRecordingBackend backend = new RemoteRecordingBackend(recording, tmp);
    Tracker tracker = builder(backend).closeTimeout(Duration.ofMillis(500)).build();
    Run run = tracker.experiment("e").startRun("r");
    assertThat(tracker.flush(Duration.ofSeconds(30))).isEqualTo(FlushResult.DELIVERED);
    recording.block();
    logSteps(run, 0, 10);

    long start = System.nanoTime();
    FlushResult result = tracker.flush();
    long flushMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(result).isEqualTo(FlushResult.SPOOLED);
    assertThat(flushMillis).isLessThan(2000);
    assertThat(tracker.backlog().operations()).isPositive();

    start = System.nanoTime();
    tracker.close();
    long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(closeMillis).isLessThan(1500 + 1000);
    Backlog left = tracker.backlog();
    assertThat(left.runEnds()).isEqualTo(1);
    assertThat(left.runsNotCreated()).isZero(); // the run was delivered before the block
    assertThat(left.describe()).startsWith(left.operations() + " operations for fake://server"
        + " wait in the journal " + tmp + ", among them the end of 1 run, which the server"
        + " shows RUNNING until then; the next tracker for this server or `tracker sync`"
        + " delivers them");
    recording.release();
  }

  @Test
  void whatAClosedTrackerLeftIsDeliveredOnceByTheNextTracker() throws Exception {
    RecordingBackend first = new RecordingBackend();
    RemoteRecordingBackend down = new RemoteRecordingBackend(first, tmp);
    Tracker tracker = builder(down).closeTimeout(Duration.ofMillis(200)).build();
    Run run = tracker.experiment("e").startRun("r");
    String runId = run.id();
    first.block();
    logSteps(run, 0, 1500);
    run.setTag("phase", "train");
    tracker.close();
    assertThat(tracker.backlog().isEmpty()).isFalse();
    first.release();

    RecordingBackend server = new RecordingBackend();
    RemoteRecordingBackend up = new RemoteRecordingBackend(server, tmp);
    try (Tracker next = builder(up).build()) {
      assertThat(next.flush(Duration.ofSeconds(30))).isEqualTo(FlushResult.DELIVERED);
      // the leftovers go before this tracker's own records
      Run other = next.experiment("e").startRun("other");
      other.logMetric("x", 1, 0);
      assertThat(next.flush(Duration.ofSeconds(30))).isEqualTo(FlushResult.DELIVERED);
    }
    List<String> runs = server.runIds();
    assertThat(runs).hasSize(2).first().isEqualTo(runId);
    assertThat(server.metrics(runId)).extracting(Metric::step).isEqualTo(range(1500));
    assertThat(server.tags(runId)).containsEntry("phase", "train");
    assertThat(server.status(runId)).isEqualTo(RunStatus.FINISHED);
    assertThat(segments()).isZero();
  }

  @Test
  void aPermanentFailureIsReportedAndTheOperationPassed() throws Exception {
    RemoteRecordingBackend backend = new RemoteRecordingBackend(new RecordingBackend(), tmp);
    try (Tracker tracker = builder(backend).build()) {
      Run run = tracker.experiment("e").startRun("r");
      tracker.flush(Duration.ofSeconds(30));
      backend.failNextBatch(DeliveryException.permanent("run " + run.id() + " does not exist on"
          + " fake://server", null));
      run.logMetric("loss", 1, 1);

      assertThatThrownBy(() -> tracker.flush(Duration.ofSeconds(30)))
          .isInstanceOf(TrackerException.class)
          .hasMessage("run " + run.id() + " does not exist on fake://server");
      run.logMetric("loss", 2, 2);
      assertThat(tracker.flush(Duration.ofSeconds(30))).isEqualTo(FlushResult.DELIVERED);
    }
  }

  @Test
  void aBatchGoesAsSeveralRequestsInFlightAndEachKeyKeepsItsOrder() throws Exception {
    int lanes = 4;
    CountDownLatch together = new CountDownLatch(lanes);
    RecordingBackend recording = new RecordingBackend();
    RemoteRecordingBackend backend = new RemoteRecordingBackend(recording, tmp) {
      @Override
      public void logBatch(String runId, dev.tracker.spi.Batch batch) throws java.io.IOException {
        if (!batch.metrics().isEmpty()) {
          together.countDown();
          try {
            // the first lanes wait for each other: only requests in flight at once get through
            together.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        super.logBatch(runId, batch);
      }
    };
    String runId;
    List<String> keys = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    try (Tracker tracker = builder(backend).uploadsInFlight(lanes).build()) {
      Run run = tracker.experiment("e").startRun("r");
      runId = run.id();
      tracker.flush(Duration.ofSeconds(30));
      for (int step = 0; step < 2000; step++) {
        for (String k : keys) {
          run.logMetric(k, step, step, 1_700_000_000_000L + step);
        }
      }
      assertThat(tracker.flush(Duration.ofSeconds(30))).isEqualTo(FlushResult.DELIVERED);
    }
    assertThat(together.getCount()).isZero();
    for (String k : keys) {
      assertThat(recording.metrics(runId)).filteredOn(m -> m.key().equals(k))
          .extracting(Metric::step).isEqualTo(range(2000));
    }
  }

  @Test
  void aLoopsRecordsReachACaughtUpServerLongBeforeTheFlushInterval() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    RemoteRecordingBackend backend = new RemoteRecordingBackend(new RecordingBackend(), tmp) {
      @Override
      public void logBatch(String runId, dev.tracker.spi.Batch batch) throws java.io.IOException {
        super.logBatch(runId, batch);
        if (!batch.metrics().isEmpty()) {
          arrived.countDown();
        }
      }
    };
    // an hour's flush interval: only the eager hand-over can deliver the points in this test
    try (Tracker tracker = builder(backend).flushInterval(Duration.ofHours(1)).build()) {
      Run run = tracker.experiment("e").startRun("r");
      logSteps(run, 0, 5); // far less than a chunk: nothing is queued, nothing asks for a flush

      assertThat(arrived.await(20, TimeUnit.SECONDS)).isTrue();
      assertThat(backend.recording().metrics(run.id())).extracting(Metric::step)
          .isEqualTo(range(5));
    }
  }

  @Test
  void theInFlightSettingIsCheckedAndReadFromTheEnvironment() {
    assertThatThrownBy(() -> Tracker.builder().uploadsInFlight(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uploadsInFlight must be from 1 to 64 but was 0");
    assertThatThrownBy(() -> Tracker.builder().environment(
        java.util.Map.of("TRACKER_UPLOADS_IN_FLIGHT", "many")::get).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tracker.uploadsInFlight / TRACKER_UPLOADS_IN_FLIGHT must be an integer from"
            + " 1 to 64 but was 'many'");
  }

  @Test
  void aRefusalFoundAfterTheLastFlushIsThrownByClose() throws Exception {
    RemoteRecordingBackend backend = new RemoteRecordingBackend(new RecordingBackend(), tmp);
    Tracker tracker = builder(backend).build();
    Run run = tracker.experiment("e").startRun("r");
    tracker.flush(Duration.ofSeconds(30));
    backend.failNextBatch(DeliveryException.rejected("the server refused 1 record of run "
        + run.id() + ": tag 't': too long",
        List.of(new DeliveryException.Rejected("tag", "t", "too long"))));
    run.setTag("t", "x");

    assertThatThrownBy(tracker::close).isInstanceOf(TrackerException.class)
        .hasMessage("the server refused 1 record of run " + run.id() + ": tag 't': too long");
    assertThat(tracker.backlog().isEmpty()).isTrue();
  }

  @Test
  void anInputReachesARemoteBackendWithItsDigestThroughTheJournal() throws Exception {
    RemoteRecordingBackend backend = new RemoteRecordingBackend(new RecordingBackend(), tmp);
    Path data = Files.writeString(tmp.resolve("train.csv"), "abc");
    String runId;
    try (Tracker tracker = builder(backend).build()) {
      Run run = tracker.experiment("e").startRun("r");
      runId = run.id();
      run.logInput(Dataset.of(data).context("validation"));
      assertThat(tracker.flush(Duration.ofSeconds(30))).isEqualTo(FlushResult.DELIVERED);
    }
    assertThat(backend.recording().readRun(runId).orElseThrow().inputs()).containsExactly(
        new DatasetInput("train.csv", "900150983cd24fb0d6963f7d28e17f72", "local",
            data.toAbsolutePath().toString(), "validation", 3, 1, null, null));
  }

  @Test
  void anOperationDeliveredWhoseProgressMarkCouldNotBeWrittenCountsAsDelivered()
      throws Exception {
    RecordingBackend server = new RecordingBackend();
    RemoteRecordingBackend backend = new RemoteRecordingBackend(server, tmp) {
      @Override
      public void logBatch(String runId, dev.tracker.spi.Batch batch) throws IOException {
        deleteProgressObstacles(); // room again (the disk had filled up)
        super.logBatch(runId, batch);
      }
    };
    server.block();
    try (Tracker tracker = builder(backend).closeTimeout(Duration.ofSeconds(5)).build()) {
      Run run = tracker.experiment("e").startRun("r");
      assertThat(server.awaitBlocked(10)).isTrue(); // delivering the run's creation
      // the progress mark of the segment cannot be written when the creation went through
      putProgressObstacles();
      server.release();
      logSteps(run, 0, 10);

      assertThatThrownBy(() -> tracker.flush(Duration.ofSeconds(5)))
          .isInstanceOf(TrackerException.class).hasMessageContaining("progress.tmp");
      assertThat(tracker.flush(Duration.ofSeconds(5))).isEqualTo(FlushResult.DELIVERED);
      assertThat(server.metrics(run.id())).extracting(Metric::step).isEqualTo(range(10));
      assertThat(tracker.backlog().isEmpty()).isTrue();
    }
  }

  @Test
  void aLeftoverSegmentThatFailedHalfWayIsFinishedBeforeAnythingLater() throws Exception {
    RecordingBackend server = new RecordingBackend();
    server.failWith(new IOException("connection refused"));
    String runId;
    Tracker first = builder(new RemoteRecordingBackend(server, tmp))
        .closeTimeout(Duration.ofMillis(300)).build();
    Run run = first.experiment("e").startRun("r");
    runId = run.id();
    logSteps(run, 0, 100);
    first.close();
    assertThat(first.backlog().isEmpty()).isFalse();
    // the next tracker cannot write the leftover's progress mark after its first operation
    putProgressObstacles();
    server.failWith(null);

    RemoteRecordingBackend backend = new RemoteRecordingBackend(server, tmp) {
      @Override
      public void logBatch(String runId, dev.tracker.spi.Batch batch) throws IOException {
        deleteProgressObstacles(); // room again (the disk had filled up)
        super.logBatch(runId, batch);
      }
    };
    try (Tracker next = builder(backend).closeTimeout(Duration.ofSeconds(5)).build()) {
      next.experiment("probe").startRun("p");
      assertThatThrownBy(() -> next.flush(Duration.ofSeconds(5)))
          .isInstanceOf(TrackerException.class).hasMessageContaining("progress.tmp");
      assertThat(next.flush(Duration.ofSeconds(5))).isEqualTo(FlushResult.DELIVERED);
      // leftovers go first: once the probe is delivered, so is the earlier run
      assertThat(server.metrics(runId)).extracting(Metric::step).isEqualTo(range(100));
      assertThat(server.status(runId)).isEqualTo(RunStatus.FINISHED);
    }
  }

  /** A folder where each segment writes its progress mark: writing it fails, as on a full disk. */
  private void putProgressObstacles() throws IOException {
    try (Stream<Path> dirs = Files.list(tmp)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        Files.createDirectory(d.resolve("progress.tmp"));
      }
    }
  }

  private void deleteProgressObstacles() throws IOException {
    try (Stream<Path> dirs = Files.list(tmp)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        Path tmpFile = d.resolve("progress.tmp");
        if (Files.isDirectory(tmpFile)) {
          Files.delete(tmpFile);
        }
      }
    }
  }
}
