package dev.tracker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Tracker;
import dev.tracker.http.testing.FakeMlflowServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The benchmarks' server, and Tracker's loop logging to it as the benchmark does. */
@Timeout(60)
class EmulatedMlflowTest {
  @TempDir
  Path spool;
  private EmulatedMlflow mlflow;

  @BeforeEach
  void start() throws IOException {
    mlflow = EmulatedMlflow.of(new FakeMlflowServer());
  }

  @AfterEach
  void stop() {
    mlflow.close();
  }

  @Test
  void trackersRunIsFinishedOnTheServerWithEverythingItLogged() throws Exception {
    String name = mlflow.nextRunName("tracker");
    long callerNanos;
    try (Tracker tracker = TrackerLoop.http(mlflow.uri(), spool)) {
      callerNanos = TrackerLoop.perPoint(tracker, name, 20);
    }

    String runId = mlflow.awaitFinished(name);

    assertThat(name).isEqualTo("tracker-1");
    assertThat(callerNanos).isPositive();
    Checks.everythingArrived(mlflow.fake, runId, 20);
  }

  @Test
  void awaitFinishedFailsNamingTheRunThatDidNotFinish() {
    mlflow.fake.createExperiment("e");

    assertThatThrownBy(() -> mlflow.awaitFinished("nowhere", Duration.ofMillis(1)))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("run nowhere was not FINISHED on the server after PT0.001S");
  }

  @Test
  void forgetDropsTheRuns() throws Exception {
    String name = mlflow.nextRunName("tracker");
    try (Tracker tracker = TrackerLoop.http(mlflow.uri(), spool)) {
      TrackerLoop.perPoint(tracker, name, 1);
    }
    mlflow.awaitFinished(name);

    mlflow.forget();

    assertThat(mlflow.fake.runs()).isEmpty();
  }

  @Test
  void mlflow36ServerCostsWhatMlflow36Costs() throws Exception {
    try (EmulatedMlflow four = EmulatedMlflow.mlflow36(4)) {
      assertThat(four.fake.costs()).isEqualTo(FakeMlflowServer.mlflow36(4).costs());
      assertThat(four.uri()).startsWith("http://").doesNotEndWith("/");
    }
  }
}
