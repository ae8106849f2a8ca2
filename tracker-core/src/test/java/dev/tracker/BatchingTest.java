package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How metrics travel from the logging threads to the backend: each thread fills a batch of its
 * own, and unfinished batches are taken at a flush or before an artifact or the end of the run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BatchingTest {
  private final RecordingBackend backend = new RecordingBackend();

  private Tracker.Builder builder() {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null);
  }

  @Test
  void oneThreadsMetricsReachTheBackendInFullBatches() {
    try (Tracker tracker = builder().build()) {
      Run run = tracker.experiment("e").startRun("r");
      for (int i = 0; i < 2500; i++) {
        run.logMetric("loss", i, i);
      }
      tracker.flush();

      assertThat(metricBatchSizes()).containsExactly(1000, 1000, 500);
      assertThat(backend.metrics(run.id())).extracting(Metric::step)
          .containsExactlyElementsOf(LongStream.range(0, 2500).boxed().toList());
    }
  }

  @Test
  void flushDeliversWhatAnotherThreadLeftInAnUnfinishedBatch() throws Exception {
    try (Tracker tracker = builder().build()) {
      Run run = tracker.experiment("e").startRun("r");
      logAccOnAnotherThread(run, 10);

      tracker.flush();

      assertThat(backend.metrics(run.id())).hasSize(10);
    }
  }

  @Test
  void metricsLoggedBeforeAnArtifactReachTheBackendBeforeIt() throws Exception {
    try (Tracker tracker = builder().build()) {
      Run run = tracker.experiment("e").startRun("r");
      logAccOnAnotherThread(run, 7);
      for (int i = 0; i < 3; i++) {
        run.logMetric("loss", i, i);
      }

      run.logText("notes", "notes.txt");
      tracker.flush();

      assertThat(metricsSentBefore("logArtifact")).isEqualTo(10);
    }
  }

  @Test
  void metricsOfEveryThreadReachTheBackendBeforeTheEndOfTheRun() throws Exception {
    try (Tracker tracker = builder().build()) {
      Run run = tracker.experiment("e").startRun("r");
      logAccOnAnotherThread(run, 7);

      run.close();

      assertThat(metricsSentBefore("endRun")).isEqualTo(7);
    }
  }

  @Test
  void aMetricLoggedWhileInterruptedIsKeptAndTheNextOneIsRefused() {
    try (Tracker tracker = builder().queueCapacity(2).build()) {
      Run run = runWithAFullQueue(tracker);
      Thread.currentThread().interrupt();
      try {
        run.logMetric("loss", 2, 2); // logged; queueing its batch waits for room: interrupted

        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThatThrownBy(() -> run.logMetric("loss", 3, 3))
            .isExactlyInstanceOf(IllegalStateException.class)
            .hasMessage("interrupted while waiting for room in the queue of run " + run.id()
                + "; the record was not logged");
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
        backend.release();
      }
      tracker.flush();

      assertThat(backend.metrics(run.id())).extracting(Metric::step).containsExactly(0L, 1L, 2L);
    }
  }

  @Test
  void aParamRefusedWhileInterruptedIsLoggedWhenLoggedAgain() {
    try (Tracker tracker = builder().queueCapacity(2).build()) {
      Run run = runWithAFullQueue(tracker);
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(() -> run.logParam("lr", 0.1))
            .isExactlyInstanceOf(IllegalStateException.class)
            .hasMessage("interrupted while waiting for room in the queue of run " + run.id()
                + "; the record was not logged");
      } finally {
        Thread.interrupted();
        backend.release();
      }
      run.logParam("lr", 0.1); // not logged before: logged now, not taken for a repeat

      tracker.flush();
      assertThat(backend.params(run.id())).containsEntry("lr", "0.1");
    }
  }

  /**
   * A run whose queue of 2 is full: batches of one metric, one taken by the dispatcher, which the
   * held backend blocks, and one queued besides the one being filled. {@code backend.release()}
   * lets it go on.
   */
  private Run runWithAFullQueue(Tracker tracker) {
    Run run = tracker.experiment("e").startRun("r");
    tracker.flush();
    backend.block();
    run.logMetric("loss", 0, 0); // taken by the dispatcher, which the backend holds
    try {
      assertThat(backend.awaitBlocked(10)).isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    run.logMetric("loss", 1, 1); // fills the queue
    return run;
  }

  private List<Integer> metricBatchSizes() {
    return backend.batches().stream().map(b -> b.metrics().size()).filter(n -> n > 0).toList();
  }

  /** How many metric points the backend had been handed when {@code call} was first made. */
  private int metricsSentBefore(String call) {
    List<String> calls = backend.calls();
    int at = calls.indexOf(call);
    assertThat(at).as("%s in %s", call, calls).isNotNegative();
    long batchesBefore = calls.subList(0, at).stream().filter("logBatch"::equals).count();
    return backend.batches().stream().limit(batchesBefore).mapToInt(b -> b.metrics().size())
        .sum();
  }

  /** Logs {@code count} points of "acc" from a thread of its own, which then ends. */
  private static void logAccOnAnotherThread(Run run, int count) throws InterruptedException {
    Thread other = new Thread(() -> {
      for (int i = 0; i < count; i++) {
        run.logMetric("acc", i, i);
      }
    });
    other.start();
    other.join();
  }
}
