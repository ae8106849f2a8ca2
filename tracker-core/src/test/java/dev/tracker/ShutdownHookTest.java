package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import org.junit.jupiter.api.Test;

/** What a training thread that still logs sees once the JVM shutdown hook ended its run. */
class ShutdownHookTest {
  private final RecordingBackend backend = new RecordingBackend();

  private Tracker tracker() {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).build();
  }

  @Test
  void afterTheShutdownHookEndedARunLoggingToItIsIgnoredNotThrown() {
    Tracker tracker = tracker();
    Run run = tracker.experiment("e").startRun("r");
    run.logMetric("loss", 1, 0);

    tracker.onShutdown(); // what the JVM's shutdown hook runs

    assertThat(backend.status(run.id())).isEqualTo(RunStatus.KILLED);
    run.logMetric("loss", 2, 1);
    run.logMetrics(java.util.Map.of("acc", 0.5), 1);
    run.logParam("late", 1);
    run.setTag("late", "yes");
    run.logText("late", "late.txt");
    assertThat(backend.metrics(run.id())).extracting(Metric::step).containsExactly(0L);
    assertThat(backend.params(run.id())).doesNotContainKey("late");
  }

  @Test
  void afterAnOrdinaryCloseLoggingStillThrows() {
    Tracker tracker = tracker();
    Run run = tracker.experiment("e").startRun("r");
    tracker.close();

    assertThatThrownBy(() -> run.logMetric("loss", 2, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("run 'r' (" + run.id() + ") has ended with status FINISHED; cannot log"
            + " metric 'loss'");
  }
}
