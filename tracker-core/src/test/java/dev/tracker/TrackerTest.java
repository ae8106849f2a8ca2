package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TrackerTest {
  private final RecordingBackend backend = new RecordingBackend();

  private Tracker tracker() {
    return Tracker.builder().backend(backend).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).build();
  }

  @Test
  void closeFlushesPendingMetricsAndEndsRunsFinished() {
    String id;
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment("iris").startRun("lr-0.1");
      id = run.id();
      run.logParams(Map.of("lr", 0.1, "epochs", 50));
      for (int i = 0; i < 50; i++) {
        run.logMetric("loss", 1.0 / (i + 1), i);
      }
    }
    assertThat(backend.metrics(id)).hasSize(50);
    assertThat(backend.params(id)).containsEntry("lr", "0.1").containsEntry("epochs", "50")
        .containsKey("seed");
    assertThat(backend.status(id)).isEqualTo(RunStatus.FINISHED);
    assertThat(backend.isClosed()).isTrue();
    assertThat(backend.spec(id).tags()).containsEntry("mlflow.runName", "lr-0.1")
        .containsEntry("mlflow.source.type", "LOCAL");
  }

  @Test
  void aRunNameTagNamesARunStartedWithoutANameAndMustMatchAGivenName() {
    try (Tracker tracker = tracker()) {
      Experiment e = tracker.experiment("e");
      assertThatThrownBy(() -> e.newRun("x").tag("mlflow.runName", "y").start())
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("run name 'x' and tag 'mlflow.runName' 'y' must be the same; give the name"
              + " once");
      assertThat(backend.runIds()).isEmpty();
      Run tagged = e.newRun(null).tag("mlflow.runName", "chosen").start();
      Run same = e.newRun("both").tag("mlflow.runName", "both").start();
      assertThat(tagged.name()).isEqualTo("chosen");
      tracker.flush();
      assertThat(backend.spec(tagged.id()).runName()).isEqualTo("chosen");
      assertThat(backend.spec(same.id()).runName()).isEqualTo("both");
      assertThat(backend.spec(same.id()).tags()).containsEntry("mlflow.runName", "both");
    }
  }

  @Test
  void arrayParamsAreStoredAsTheirElementsNotTheirIdentity() {
    String id;
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment("e").startRun("r");
      id = run.id();
      run.logParam("layers", new int[] {64, 32});
      run.logParams(Map.of("names", new String[] {"a", "b"}, "grid", new double[][] {{0.1}, {1}}));
      run.logParam("layers", new int[] {64, 32}); // the same value again: a no-op
    }
    assertThat(backend.params(id)).containsEntry("layers", "[64, 32]")
        .containsEntry("names", "[a, b]").containsEntry("grid", "[[0.1], [1.0]]");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void logMetricReturnsWhileTheBackendIsBlocked() throws Exception {
    // held before the run starts, so the dispatcher's first call (createRun) is the one held
    backend.block();
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment("e").startRun("r");
      tracker.pipelineForTest().flush();
      try {
        assertThat(backend.awaitBlocked(10)).isTrue();
        for (int i = 0; i < 1000; i++) {
          run.logMetric("loss", i, i); // returns although the backend is held
        }
        assertThat(backend.batches()).isEmpty();
      } finally {
        backend.release(); // else a failed assertion leaves close() waiting on the backend
      }
      tracker.flush();
      assertThat(backend.metrics(run.id())).hasSize(1000);
    }
  }

  @Test
  void flushReportsBackendFailureOnceAndLoggingGoesOn() {
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment("e").startRun("r");
      tracker.flush();
      backend.failWith(new IOException("disk full"));
      run.logMetric("loss", 1.0, 0);
      assertThatThrownBy(tracker::flush).isInstanceOf(TrackerException.class)
          .hasMessageContaining("disk full");
      backend.failWith(null);
      run.logMetric("loss", 2.0, 1);
      tracker.flush();
      assertThat(backend.metrics(run.id())).extracting(Metric::value).containsExactly(2.0);
    }
  }

  @Test
  void lambdaRunEndsFailedAndRethrows() {
    try (Tracker tracker = tracker()) {
      IllegalStateException boom = new IllegalStateException("boom");
      assertThatThrownBy(() -> tracker.experiment("e").run("r", run -> {
        run.logMetric("m", 1);
        throw boom;
      })).isSameAs(boom);
      tracker.flush();
      String id = backend.runIds().get(0);
      assertThat(backend.status(id)).isEqualTo(RunStatus.FAILED);
      assertThat(backend.tags(id)).containsEntry("tracker.failure",
          "java.lang.IllegalStateException: boom");
    }
  }

  @Test
  void childRunsAreTaggedWithTheirParent() {
    try (Tracker tracker = tracker()) {
      Run parent = tracker.experiment("e").startRun("p");
      Run child = parent.startChildRun("c");
      tracker.flush();
      assertThat(backend.spec(child.id()).tags()).containsEntry("mlflow.parentRunId", parent.id());
      assertThat(child.seeds().root()).isEqualTo(parent.seeds().derive("c"));
    }
  }

  /** A rerun with the same seed gives unnamed children the same seeds, whose names are new. */
  @Test
  void unnamedChildrenDeriveTheirSeedsFromTheirOrderSoARerunRepeatsThem() {
    List<Long> seeds = new ArrayList<>();
    for (int rerun = 0; rerun < 2; rerun++) {
      try (Tracker tracker = tracker()) {
        Run parent = tracker.experiment("e").newRun("p").seed(7).start();
        Run first = parent.startChildRun(null);
        Run second = parent.startChildRun(null);
        assertThat(first.seeds().root()).isEqualTo(parent.seeds().derive("#1"));
        assertThat(second.seeds().root()).isEqualTo(parent.seeds().derive("#2"));
        seeds.add(first.seeds().root());
      }
    }
    assertThat(seeds.get(1)).isEqualTo(seeds.get(0));
  }

  @Test
  void seedComesFromConfigurationAndIsRecorded() {
    try (Tracker tracker = Tracker.builder().backend(backend).shutdownHook(false)
        .systemProperties(k -> null).environment(Map.of("TRACKER_SEED", "42")::get).build()) {
      Run run = tracker.experiment("e").startRun("r");
      assertThat(run.seeds().root()).isEqualTo(42);
      tracker.flush();
      assertThat(backend.params(run.id())).containsEntry("seed", "42");
    }
  }

  @Test
  void loggingAfterCloseThrowsAndCloseTwiceDoesNothing() {
    Tracker tracker = tracker();
    Run run = tracker.experiment("e").startRun("r");
    tracker.close();
    tracker.close();
    assertThatThrownBy(() -> run.logMetric("loss", 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("run 'r' (" + run.id() + ") has ended with status FINISHED;"
            + " cannot log metric 'loss'");
    assertThatThrownBy(() -> tracker.experiment("e").startRun("x"))
        .isInstanceOf(IllegalStateException.class).hasMessage("tracker is closed");
    assertThat(backend.calls()).containsSubsequence(List.of("createRun", "endRun", "close"));
  }
}
