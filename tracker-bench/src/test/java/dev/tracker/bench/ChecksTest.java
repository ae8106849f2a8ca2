package dev.tracker.bench;

import static org.assertj.core.api.Assertions.assertThat;
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
  private Served served;
  private FakeMlflowServer server;
  private MlflowClient client;
  private String experiment;

  @BeforeEach
  void start() throws IOException {
    served = new Served(new FakeMlflowServer());
    server = served.fake;
    client = served.client;
    experiment = MlflowClientLoops.experiment(client, "checks");
  }

  @AfterEach
  void stop() {
    served.close();
  }

  @Test
  void passesWhenEveryPointParamAndTagArrivedAndForgetsTheRun() {
    String runId = MlflowClientLoops.handBatched(client, experiment, "all", 120);

    Checks.everythingArrived(server, runId, 120);

    assertThat(server.runs()).isEmpty();
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

  @Test
  void findsARunByItsName() {
    String runId = MlflowClientLoops.handBatched(client, experiment, "named", 1);

    assertThat(Checks.runIdByName(server, "named")).isEqualTo(runId);
    assertThat(Checks.runIdByName(server, "other")).isNull();
  }
}
