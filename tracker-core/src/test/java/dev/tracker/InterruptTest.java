package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.testing.RecordingBackend;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An interrupted thread that ends a run or closes the tracker loses nothing, flag restored. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InterruptTest {
  private final RecordingBackend backend = new RecordingBackend();

  private Tracker.Builder builder() {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null);
  }

  @Test
  void anInterruptedTrackerCloseStillWritesEverythingAndClosesTheBackend() {
    Tracker tracker = builder().build();
    Run run = tracker.experiment("e").startRun("r");
    for (int i = 0; i < 100; i++) {
      run.logMetric("loss", i, i);
    }
    backend.block();
    // lets the backend go once the close waits for it (before the fix, the close did not wait)
    Thread closer = Thread.currentThread();
    Thread releaser = new Thread(() -> {
      try {
        backend.awaitBlocked(30);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      while (closer.getState() != Thread.State.TIMED_WAITING) {
        Thread.onSpinWait();
      }
      backend.release();
    });
    releaser.setDaemon(true);
    releaser.start();

    Thread.currentThread().interrupt();
    try {
      tracker.close();
    } finally {
      assertThat(Thread.interrupted()).as("interrupt flag restored").isTrue();
      backend.release();
    }

    assertThat(backend.isClosed()).isTrue();
    assertThat(backend.status(run.id())).isEqualTo(RunStatus.FINISHED);
    assertThat(backend.metrics(run.id())).extracting(Metric::step)
        .isEqualTo(LongStream.range(0, 100).boxed().toList());
  }

  @Test
  void aRunEndedByAnInterruptedThreadWhileItsQueueIsFullStillEnds() throws Exception {
    // one slot: the dispatcher holds one metric in the blocked backend, the next fills the queue
    Tracker tracker = builder().queueCapacity(2).build();
    Run run = tracker.experiment("e").startRun("r");
    tracker.flush();
    backend.block();
    run.logMetric("loss", 0, 0);
    assertThat(backend.awaitBlocked(10)).isTrue();
    run.logMetric("loss", 1, 1);

    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean flagAfter = new AtomicBoolean();
    Thread ender = new Thread(() -> {
      Thread.currentThread().interrupt();
      try {
        run.end(RunStatus.KILLED);
      } catch (Throwable t) {
        thrown.set(t);
      }
      flagAfter.set(Thread.currentThread().isInterrupted());
    });
    ender.start();
    // the end waits for room (or, before the fix, was refused at once)
    while (ender.getState() != Thread.State.TIMED_WAITING
        && ender.getState() != Thread.State.TERMINATED) {
      Thread.onSpinWait();
    }
    backend.release();
    ender.join();
    tracker.close();

    assertThat(thrown.get()).isNull();
    assertThat(flagAfter.get()).as("interrupt flag restored").isTrue();
    assertThat(backend.status(run.id())).isEqualTo(RunStatus.KILLED);
    assertThat(backend.metrics(run.id())).extracting(Metric::step).containsExactly(0L, 1L);
  }
}
