package dev.tracker.bench;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.http.testing.FakeMlflowServer;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mlflow.tracking.MlflowClient;

@Timeout(60)
class ChecksTest {
  private EmulatedMlflow served;
  private FakeMlflowServer server;
  private MlflowClient client;
  private String experiment;

  @BeforeEach
  void start() throws IOException {
    served = EmulatedMlflow.of(new FakeMlflowServer());
    server = served.fake;
    client = new MlflowClient(served.uri());
    experiment = MlflowClientLoops.experiment(client, "checks");
  }

  @AfterEach
  void stop() {
    client.close();
    served.close();
  }

  @Test
  void passesWhenEveryPointParamAndTagArrived() {
    String runId = MlflowClientLoops.handBatched(client, experiment, "all", 120);

    Checks.everythingArrived(server, runId, 120);
    // the points alone, of some of the keys: the others are points too many
    assertThatThrownBy(() -> Checks.pointsArrived(server, runId,
        Workload.METRIC_KEYS.subList(0, 5), 120))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("expected 600 points in run " + runId
            + " but the server received 1200 (0 missing, 0 twice)");
  }

  @Test
  void pointsArrivedNeedsTheRunFinished() {
    String runId = client.createRun(experiment).getRunId();

    assertThatThrownBy(() -> Checks.pointsArrived(server, runId, Workload.METRIC_KEYS, 0))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("expected run " + runId + " to be FINISHED but was RUNNING");
  }

  @Test
  void failsWhenAPointIsMissing() {
    String runId = MlflowClientLoops.handBatched(client, experiment, "short", 119);

    assertThatThrownBy(() -> Checks.everythingArrived(server, runId, 120))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("expected 1200 points in run " + runId
            + " but the server received 1190 (10 missing, 0 twice)");
  }

  @Test
  void failsWhenThePointsArriveTwice() {
    String runId = MlflowClientLoops.handBatched(client, experiment, "twice", 60);
    // the same points again, into the same run
    for (int step = 0; step < 60; step++) {
      client.logMetric(runId, Workload.METRIC_KEYS.get(0), Workload.value(0, step), 1, step);
    }

    assertThatThrownBy(() -> Checks.everythingArrived(server, runId, 60))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("expected 600 points in run " + runId
            + " but the server received 660 (0 missing, 60 twice)");
  }

  @Test
  void failsWhenTheRunDidNotEnd() {
    String runId = client.createRun(experiment).getRunId();

    assertThatThrownBy(() -> Checks.everythingArrived(server, runId, 0))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("expected param 'param_00' = 'value-0' in run " + runId + " but was null");
  }

  @Test
  void failsWhenThereIsNoSuchRun() {
    assertThatThrownBy(() -> Checks.everythingArrived(server, null, 10))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("the server has no run null");
  }

}
