package dev.tracker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.http.testing.FakeMlflowServer;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mlflow.tracking.MlflowClient;

/** MLflow's own Java client, as the benchmark drives it, against the fake server. */
@Timeout(60)
class MlflowClientLoopsTest {
  private EmulatedMlflow served;
  private FakeMlflowServer server;
  private MlflowClient client;

  @BeforeEach
  void start() throws IOException {
    served = EmulatedMlflow.of(new FakeMlflowServer());
    server = served.fake;
    client = new MlflowClient(served.uri());
  }

  @AfterEach
  void stop() {
    client.close();
    served.close();
  }

  @Test
  void perPointLoopSendsARequestPerPointParamAndTag() {
    String experiment = MlflowClientLoops.experiment(client, "bench");
    String runId = MlflowClientLoops.perPoint(client, experiment, "per-point", 30);

    FakeMlflowServer.Run r = server.run(runId);
    assertThat(r.params()).isEqualTo(Workload.PARAM_VALUES);
    assertThat(r.tags()).containsAllEntriesOf(Workload.TAG_VALUES)
        .containsEntry("mlflow.runName", "per-point");
    assertThat(server.count("runs/log-metric")).isEqualTo(300);
    assertThat(server.count("runs/log-parameter")).isEqualTo(50);
    assertThat(server.count("runs/set-tag")).isEqualTo(20);
    assertThat(server.count("runs/create") + server.count("runs/log-metric")
        + server.count("runs/log-parameter") + server.count("runs/set-tag")
        + server.count("runs/update")).isEqualTo(Workload.perPointRequests(30));
    Checks.everythingArrived(server, runId, 30);
  }

  @Test
  void handBatchedLoopSendsBatchesOfAThousand() {
    String experiment = MlflowClientLoops.experiment(client, "bench");
    String runId = MlflowClientLoops.handBatched(client, experiment, "batched", 250);

    // one batch of params and tags, then 1000 + 1000 + 500 points
    assertThat(server.count("runs/log-batch")).isEqualTo(4);
    assertThat(server.charges()).filteredOn(c -> c.endpoint().equals("runs/log-batch"))
        .extracting(FakeMlflowServer.Charge::points).containsExactly(0, 1000, 1000, 500);
    Checks.everythingArrived(server, runId, 250);
  }

  @Test
  void findsAnExperimentCreatedBefore() {
    String first = MlflowClientLoops.experiment(client, "again");

    assertThat(MlflowClientLoops.experiment(client, "again")).isEqualTo(first);
    assertThat(first).isNotEqualTo("0");
  }

  @Test
  void perPointBenchmarkCountsTheRequestsOfItsSubset() {
    assertThat(MlflowComparisonBenchmark.PER_POINT_REQUESTS)
        .isEqualTo(Workload.perPointRequests(MlflowComparisonBenchmark.PER_POINT_STEPS));
    assertThat(Workload.perPointRequests(Workload.STEPS)).isEqualTo(100_072);
  }
}
