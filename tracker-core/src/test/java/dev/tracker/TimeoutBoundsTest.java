package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Timeouts and intervals at their edges: zero, negative, longer than nanoseconds can count. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeoutBoundsTest {
  private final RecordingBackend backend = new RecordingBackend();

  private Tracker.Builder builder() {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null);
  }

  @Test
  void aCloseTimeoutLongerThanNanosecondsCanCountClosesLikeAnyOther() {
    Tracker tracker = builder().closeTimeout(ChronoUnit.FOREVER.getDuration()).build();
    Run run = tracker.experiment("e").startRun("r");
    run.logMetric("loss", 0.5, 1);

    tracker.close();

    assertThat(backend.status(run.id())).isEqualTo(RunStatus.FINISHED);
    assertThat(backend.metrics(run.id())).extracting(Metric::step).containsExactly(1L);
    assertThat(backend.isClosed()).isTrue();
  }

  @Test
  void aFlushTimeoutLongerThanNanosecondsCanCountWaitsAndReturns() {
    try (Tracker tracker = builder().build()) {
      Run run = tracker.experiment("e").startRun("r");
      run.logMetric("loss", 0.5, 1);

      assertThat(tracker.flush(Duration.ofSeconds(Long.MAX_VALUE)))
          .isEqualTo(FlushResult.DELIVERED);
      assertThat(backend.metrics(run.id())).extracting(Metric::step).containsExactly(1L);
    }
  }

  @Test
  void aFlushIntervalLongerThanNanosecondsCanCountMeansRecordsGoAtFlush() {
    try (Tracker tracker = builder().flushInterval(ChronoUnit.FOREVER.getDuration()).build()) {
      Run run = tracker.experiment("e").startRun("r");
      run.logMetric("loss", 0.5, 1);

      assertThat(tracker.flush()).isEqualTo(FlushResult.DELIVERED);
      assertThat(backend.metrics(run.id())).extracting(Metric::step).containsExactly(1L);
    }
  }

  @Test
  void aNegativeFlushTimeoutIsRefusedNamingIt() {
    try (Tracker tracker = builder().build()) {
      assertThatThrownBy(() -> tracker.flush(Duration.ofMillis(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("flush timeout must not be negative but was PT-0.001S");
    }
  }

  @Test
  void aZeroFlushTimeoutWritesEverythingAndWaitsForNoServer() {
    try (Tracker tracker = builder().build()) {
      Run run = tracker.experiment("e").startRun("r");
      tracker.flush(); // the dispatcher sleeps: waking it takes longer than no time at all
      run.logMetric("loss", 0.5, 1);

      assertThat(tracker.flush(Duration.ZERO)).isEqualTo(FlushResult.DELIVERED);
      assertThat(backend.metrics(run.id())).extracting(Metric::step).containsExactly(1L);
    }
  }

  @Test
  void aZeroCloseTimeoutWritesEverythingAndClosesWithoutAFailure() {
    Tracker tracker = builder().closeTimeout(Duration.ZERO).build();
    Run run = tracker.experiment("e").startRun("r");
    for (int i = 0; i < 5000; i++) {
      run.logMetric("loss", i, i);
    }

    tracker.close();

    assertThat(backend.isClosed()).isTrue();
    assertThat(backend.status(run.id())).isEqualTo(RunStatus.FINISHED);
    assertThat(backend.metrics(run.id())).hasSize(5000);
  }
}
