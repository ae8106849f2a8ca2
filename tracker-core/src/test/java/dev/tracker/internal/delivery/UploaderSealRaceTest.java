package dev.tracker.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RemoteDelivery;
import dev.tracker.spi.RunSpec;
import dev.tracker.testing.ForwardingBackend;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uploader and the dispatcher race on a full segment: the uploader looks for the next record
 * and finds none, the dispatcher appends the segment's last record and seals it, and the
 * uploader, seeing it sealed, must not remove it with that record undelivered.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UploaderSealRaceTest {
  @TempDir Path tmp;

  @Test
  void aRecordAppendedJustBeforeItsSegmentIsSealedIsDeliveredBeforeTheSegmentGoes()
      throws Exception {
    // segments roll over at 2 KiB: the batch below fills the first one
    Journal journal = new Journal(tmp, "s", 8 * 1024, InstantSource.system());
    RecordingBackend server = new RecordingBackend();
    CountDownLatch ended = new CountDownLatch(1);
    ForwardingBackend backend = new ForwardingBackend(server) {
      @Override
      public void endRun(String runId, RunStatus status, long endTime) throws IOException {
        super.endRun(runId, status, endTime);
        ended.countDown();
      }
    };
    Uploader uploader = new Uploader(backend, journal, new RemoteDelivery(tmp, "s",
        Duration.ZERO, Duration.ZERO, Duration.ZERO), null, () -> 0, System::nanoTime, 0, 1);
    CountDownLatch between = new CountDownLatch(1);
    CountDownLatch sealed = new CountDownLatch(1);
    AtomicBoolean armed = new AtomicBoolean(true);
    uploader.betweenSealAndRecord = () -> {
      // once everything appended so far is delivered: the uploader waits for the next record
      if (journal.pending() == 0 && armed.compareAndSet(true, false)) {
        between.countDown();
        try {
          assertThat(sealed.await(10, TimeUnit.SECONDS)).as("sealed by the dispatcher").isTrue();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    journal.append(new Op.CreateRun(new RunSpec("r", null, "e", "run", 0, Map.of(), null,
        false), false));
    uploader.start();
    try {
      assertThat(between.await(10, TimeUnit.SECONDS)).as("uploader between its reads").isTrue();
      // the dispatcher, meanwhile: the segment's last record, then the next op, which seals it
      journal.append(batch(100));
      journal.append(new Op.EndRun("r", RunStatus.FINISHED, 9));
      assertThat(Journal.segmentDirectories(tmp)).hasSize(2);
      sealed.countDown();

      assertThat(ended.await(10, TimeUnit.SECONDS)).as("the run's end delivered").isTrue();
      assertThat(server.metrics("r")).as("the first segment's last record").hasSize(100);
      assertThat(journal.awaitDelivered(journal.appended(),
          System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isTrue();
    } finally {
      sealed.countDown();
      uploader.stop();
      assertThat(uploader.join(10_000)).isTrue();
    }
  }

  private static Op batch(int points) {
    List<Metric> metrics = new ArrayList<>();
    for (int i = 0; i < points; i++) {
      metrics.add(new Metric("loss", i, 1, i));
    }
    return new Op.LogBatch("r", Batch.ofMetrics(metrics));
  }
}
