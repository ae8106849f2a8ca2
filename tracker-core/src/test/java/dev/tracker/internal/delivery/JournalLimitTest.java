package dev.tracker.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RemoteDelivery;
import dev.tracker.spi.RunSpec;
import dev.tracker.testing.RecordingBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The journal's disk use is bounded: past the limit, appending waits for delivery. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JournalLimitTest {
  @TempDir Path tmp;

  private static Op batch(int points) {
    List<Metric> metrics = new ArrayList<>();
    for (int i = 0; i < points; i++) {
      metrics.add(new Metric("loss", i, 1, i));
    }
    return new Op.LogBatch("r", Batch.ofMetrics(metrics));
  }

  @Test
  void appendingWaitsWhileTheUndeliveredSegmentsHoldTheLimitAndGoesOnOnceDelivered()
      throws Exception {
    Journal journal = new Journal(tmp, "s", 8 * 1024, InstantSource.system());
    for (int i = 0; i < 3; i++) {
      journal.append(batch(100)); // ~3 KiB each: a segment each (they roll over at 2 KiB)
    }
    CountDownLatch appended = new CountDownLatch(1);
    Thread writer = new Thread(() -> {
      try {
        journal.append(batch(100));
        appended.countDown();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    writer.start();
    assertThat(appended.await(300, TimeUnit.MILLISECONDS)).as("append past the limit").isFalse();

    // deliver the oldest segment, as the uploader does: the rest fit under the limit
    Segment s = journal.nextWork(new ArrayList<>());
    assertThat(s.isSealed()).isTrue();
    Segment.Entry e;
    while ((e = s.next()) != null) {
      s.advance(e.end());
      journal.delivered(s);
    }
    journal.finished(s);

    assertThat(appended.await(10, TimeUnit.SECONDS)).as("append once delivered").isTrue();
    writer.join();
    try (Stream<Path> dirs = Files.list(tmp)) {
      // the two undelivered segments, and the one the waiting append started
      assertThat(dirs.filter(Files::isDirectory).count()).isEqualTo(3);
    }
  }

  @Test
  void deliveredArtifactsGiveBackTheirRoomEvenWhenOneIsLargerThanTheLimit() throws Exception {
    Journal journal = new Journal(tmp, "s", 8 * 1024, InstantSource.system());
    RecordingBackend backend = new RecordingBackend();
    Uploader uploader = new Uploader(backend, journal, new RemoteDelivery(tmp, "s",
        Duration.ZERO, Duration.ZERO, Duration.ZERO), null, () -> 0, System::nanoTime, 0, 1);
    uploader.start();
    journal.append(new Op.CreateRun(new RunSpec("r", null, "e", "run", 0, Map.of(), null,
        false), false));
    CountDownLatch appended = new CountDownLatch(1);
    Thread writer = new Thread(() -> {
      try {
        // each artifact alone is more than the limit; the segment's records stay tiny
        journal.appendArtifact("r", new byte[12 * 1024], "a/model-1.bin");
        journal.appendArtifact("r", new byte[12 * 1024], "a/model-2.bin");
        journal.append(batch(10));
        appended.countDown();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    writer.start();

    assertThat(appended.await(10, TimeUnit.SECONDS)).as("appends once delivered").isTrue();
    assertThat(journal.awaitDelivered(journal.appended(),
        System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isTrue();
    assertThat(backend.artifacts("r")).containsOnlyKeys("a/model-1.bin", "a/model-2.bin");
    assertThat(backend.metrics("r")).hasSize(10);
    uploader.stop();
    writer.join();
  }
}
