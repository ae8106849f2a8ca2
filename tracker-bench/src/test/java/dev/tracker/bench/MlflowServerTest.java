package dev.tracker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mlflow.tracking.MlflowClient;

/** The benchmark's server must count exactly what MLflow's own client sends it. */
@Timeout(60)
class MlflowServerTest {
  private MlflowServer server;
  private MlflowClient client;

  @BeforeEach
  void start() throws IOException {
    server = MlflowServer.start(2);
    client = new MlflowClient(server.uri());
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void countsEveryPointParamAndTagOfThePerPointLoop() {
    String experiment = MlflowClientLoops.experiment(client, "bench");
    String runId = MlflowClientLoops.perPoint(client, experiment, "per-point", 30);

    MlflowServer.Received r = server.received(runId);
    assertThat(r.metricPoints()).isEqualTo(300);
    assertThat(r.duplicatePoints()).isZero();
    assertThat(server.missingPoints(runId, Workload.keys(), 30)).isZero();
    assertThat(r.params()).isEqualTo(Workload.PARAM_VALUES);
    assertThat(r.tags()).containsAllEntriesOf(Workload.TAG_VALUES)
        .containsEntry("mlflow.runName", "per-point");
    assertThat(r.status()).isEqualTo("FINISHED");
    assertThat(server.runIdByName("per-point")).isEqualTo(runId);
    assertThat(server.requests()).containsEntry("runs/log-metric", 300L)
        .containsEntry("runs/log-parameter", 50L).containsEntry("runs/set-tag", 20L);
  }

  @Test
  void countsEveryPointOfTheHandBatchedLoopInBatchesOfAThousand() {
    String experiment = MlflowClientLoops.experiment(client, "bench");
    String runId = MlflowClientLoops.handBatched(client, experiment, "batched", 250);

    MlflowServer.Received r = server.received(runId);
    assertThat(r.metricPoints()).isEqualTo(2500);
    assertThat(server.missingPoints(runId, Workload.keys(), 250)).isZero();
    assertThat(r.params()).isEqualTo(Workload.PARAM_VALUES);
    assertThat(r.tags()).containsAllEntriesOf(Workload.TAG_VALUES);
    // one batch of params and tags, then 1000 + 1000 + 500 points
    assertThat(server.requests()).containsEntry("runs/log-batch", 4L);
  }

  @Test
  void reportsTheStepsThatNeverArrived() {
    String experiment = MlflowClientLoops.experiment(client, "bench");
    String runId = MlflowClientLoops.handBatched(client, experiment, "short", 8);

    // 10 keys logged at steps 0..7 only: steps 8 and 9 of each key are missing
    assertThat(server.missingPoints(runId, Workload.keys(), 10)).isEqualTo(20);
  }

  @Test
  void findsAnExperimentCreatedBefore() {
    String first = MlflowClientLoops.experiment(client, "again");

    assertThat(MlflowClientLoops.experiment(client, "again")).isEqualTo(first);
    assertThat(first).isNotEqualTo("0");
  }

  @Test
  void rejectsABatchOverMlflowsLimitAndKeepsNoneOfIt() throws Exception {
    String experiment = MlflowClientLoops.experiment(client, "bench");
    String runId = client.createRun(experiment).getRunId();
    StringBuilder metrics = new StringBuilder();
    for (int i = 0; i <= 1000; i++) {
      metrics.append(i == 0 ? "" : ",").append("{\"key\":\"m\",\"value\":1,\"timestamp\":1,\"step\":")
          .append(i).append('}');
    }

    HttpResponse<String> response = post("runs/log-batch",
        "{\"run_id\":\"" + runId + "\",\"metrics\":[" + metrics + "]}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Json.parse(response.body())).isEqualTo(Map.of(
        "error_code", "INVALID_PARAMETER_VALUE",
        "message", "A batch logging request can contain at most 1000 metrics, 100 params and"
            + " 100 tags (1000 in all) but this one had 1001 metrics, 0 params and 0 tags"));
    assertThat(server.received(runId).metricPoints()).isZero();
  }

  @Test
  void rejectsABatchWithABadPointAndKeepsNoneOfIt() throws Exception {
    String runId = client.createRun().getRunId();

    HttpResponse<String> response = post("runs/log-batch", "{\"run_id\":\"" + runId
        + "\",\"metrics\":[{\"key\":\"a\",\"value\":1,\"timestamp\":1},"
        + "{\"key\":\"b\",\"value\":\"high\",\"timestamp\":1}]}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Json.parse(response.body())).isEqualTo(Map.of(
        "error_code", "INVALID_PARAMETER_VALUE",
        "message", "Expected 'value' to be a number but was high"));
    assertThat(server.received(runId).metricPoints()).isZero();
  }

  @Test
  void acceptsNanAndIntegersWrittenAsStringsAsProtobufWritesThem() throws Exception {
    String runId = client.createRun().getRunId();

    HttpResponse<String> response = post("runs/log-metric", "{\"run_id\":\"" + runId
        + "\",\"key\":\"loss\",\"value\":\"NaN\",\"timestamp\":\"17\",\"step\":\"3\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(server.missingPoints(runId, java.util.List.of("loss"), 4)).isEqualTo(3);
  }

  @Test
  void answersAnUnknownRunWithResourceDoesNotExist() throws Exception {
    HttpResponse<String> response = post("runs/log-metric",
        "{\"run_id\":\"nope\",\"key\":\"loss\",\"value\":1,\"timestamp\":1}");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(Json.parse(response.body())).isEqualTo(Map.of(
        "error_code", "RESOURCE_DOES_NOT_EXIST", "message", "Run 'nope' not found"));
  }

  @Test
  void answersMalformedJsonWithMalformedRequest() throws Exception {
    HttpResponse<String> response = post("runs/log-batch", "{\"run_id\":");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Json.parse(response.body())).isEqualTo(Map.of(
        "error_code", "MALFORMED_REQUEST",
        "message", "Malformed JSON: Expected a value at offset 10 but was end of input"));
  }

  @Test
  void refusesToChangeAParam() throws Exception {
    String runId = client.createRun().getRunId();
    client.logParam(runId, "lr", "0.1");

    HttpResponse<String> response = post("runs/log-parameter",
        "{\"run_id\":\"" + runId + "\",\"key\":\"lr\",\"value\":\"0.2\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    Map<String, String> expected = new HashMap<>();
    expected.put("error_code", "INVALID_PARAMETER_VALUE");
    expected.put("message", "Changing param values is not allowed. Param with key='lr' was"
        + " already logged with value='0.1' for run ID. Attempted logging new value '0.2'.");
    assertThat(Json.parse(response.body())).isEqualTo(expected);
    assertThat(server.received(runId).params()).isEqualTo(Map.of("lr", "0.1"));
  }

  private HttpResponse<String> post(String endpoint, String json) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    return http.send(HttpRequest.newBuilder(URI.create(server.uri() + MlflowServer.API + endpoint))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
