package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second writer resuming a run while the first is in the middle of a write: on Linux another
 * process can see a large write's first pages before its last ones, so the file seems to end with
 * a cut line for a moment. Moving that "cut" line out (and truncating) would destroy the rows the
 * first writer is still writing.
 */
class TwoWritersOneRunTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final String ID = "0123456789abcdef0123456789abcdef";

  @TempDir Path root;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aWriterResumingTheRunDuringAnotherWritersWriteKeepsEveryRow() throws Exception {
    CountDownLatch halfWritten = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    AtomicBoolean split = new AtomicBoolean();
    // the first writer's channel: the write of the batch is seen half done until `finish`
    FileBackend first = FileBackend.create(root, () -> Instant.ofEpochMilli(T0),
        channel -> Channels.writingWith(channel, (ch, src) -> {
          if (!split.get()) {
            return ch.write(src);
          }
          split.set(false);
          ByteBuffer half = src.duplicate();
          half.limit(src.position() + src.remaining() / 2);
          int n = ch.write(half);
          src.position(src.position() + n);
          halfWritten.countDown();
          try {
            finish.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return n + ch.write(src);
        }));
    first.createRun(spec(false));
    first.logBatch(ID, Batch.ofMetrics(rows(0, 10)));
    split.set(true);
    Thread writing = new Thread(() -> {
      try {
        first.logBatch(ID, Batch.ofMetrics(rows(10, 1000)));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    writing.start();
    assertThat(halfWritten.await(30, TimeUnit.SECONDS)).isTrue();

    AtomicReference<Throwable> resumeFailure = new AtomicReference<>();
    FileBackend second = FileBackend.create(root);
    Thread resuming = new Thread(() -> {
      try {
        second.createRun(spec(true));
      } catch (Throwable e) {
        resumeFailure.set(e);
      }
    });
    resuming.start();
    // the resume either waits for the write (WAITING) or goes on without it (TERMINATED)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (resuming.getState() != Thread.State.WAITING
        && resuming.getState() != Thread.State.TERMINATED && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    finish.countDown();
    writing.join(30_000);
    resuming.join(30_000);
    assertThat(resumeFailure.get()).isNull();
    second.logBatch(ID, Batch.ofMetrics(rows(1000, 1010)));
    second.endRun(ID, RunStatus.FINISHED, T0);
    second.close();
    first.close();

    Path dir = root.resolve("exp").resolve(ID);
    MetricsCsv.Result read = MetricsCsv.read(dir.resolve("metrics.csv"));
    assertThat(read.problems()).isEmpty();
    assertThat(read.metrics()).isEqualTo(rows(0, 1010));
    assertThat(dir.resolve(TornTail.SIDE_FILE)).doesNotExist();
  }

  private static RunSpec spec(boolean resume) {
    return new RunSpec(ID, "exp", "exp", "run", T0, Map.of("mlflow.runName", "run"), null,
        resume);
  }

  private static List<Metric> rows(int from, int to) {
    List<Metric> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(new Metric("loss", i * 0.5, T0 + i, i));
    }
    return out;
  }
}
