package dev.tracker.http.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.http.testing.FakeMlflowServer.Point;
import org.junit.jupiter.api.Test;

/** Runs, their names, their experiments and their pages, as MLflow 3.6's SQL store keeps them. */
class RunsTest extends OneRunTest {
  private static final String INVALID = "{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":";

  private String runIn(String experimentId, String extra) {
    String body = client.post("runs/create", "{\"experiment_id\":\"" + experimentId
        + "\",\"start_time\":1" + extra + "}").body();
    int at = body.indexOf("\"run_id\":\"") + 10;
    return body.substring(at, at + 32);
  }

  @Test
  void deletingAnExperimentDeletesItsRunsWhichThenTakeNothing() {
    String exp = fake.createExperiment("gone");
    String run = runIn(exp, "");

    fake.deleteExperiment(exp);

    assertThat(client.get("runs/get?run_id=" + run).body())
        .contains("\"lifecycle_stage\":\"deleted\"");
    String refused = INVALID + "\"The run " + run + " must be in the 'active' state. Current"
        + " state is deleted.\"}";
    assertThat(client.post("runs/log-batch", Client.batch(run, 1)))
        .isEqualTo(new Client.Answer(400, refused));
    assertThat(client.post("runs/update", "{\"run_id\":\"" + run + "\",\"status\":\"FINISHED\"}"))
        .isEqualTo(new Client.Answer(400, refused));
    assertThat(client.post("runs/search", "{\"experiment_ids\":[\"" + exp + "\"]}").body())
        .doesNotContain(run);
    assertThat(fake.runStatus(run)).isEqualTo("RUNNING");
    assertThat(fake.runStatus(runId)).isEqualTo("RUNNING");
  }

  @Test
  void aRunNameAndAnotherMlflowRunNameTagAreRefused() {
    Client.Answer a = client.post("runs/create", "{\"experiment_id\":\"0\",\"start_time\":1,"
        + "\"run_name\":\"a\",\"tags\":[{\"key\":\"mlflow.runName\",\"value\":\"b\"}]}");

    assertThat(a).isEqualTo(new Client.Answer(400, INVALID + "\"Both 'run_name' argument and"
        + " 'mlflow.runName' tag are specified, but with different values (run_name='a',"
        + " mlflow.runName='b').\"}"));
    assertThat(fake.runs()).containsExactly(runId);
  }

  @Test
  void theRunNameTagNamesTheRunWhenNoRunNameIsGiven() {
    String run = runIn("0", ",\"tags\":[{\"key\":\"mlflow.runName\",\"value\":\"b\"}]");

    assertThat(fake.run(run).name()).isEqualTo("b");
    assertThat(fake.run(run).tags()).containsEntry("mlflow.runName", "b");
  }

  @Test
  void settingTheRunNameTagOrUpdatingTheRunNameRenamesTheRun() {
    client.post("runs/set-tag", "{\"run_id\":\"" + runId
        + "\",\"key\":\"mlflow.runName\",\"value\":\"tagged\"}");
    assertThat(client.get("runs/get?run_id=" + runId).body())
        .contains("\"run_name\":\"tagged\"");

    client.post("runs/log-batch", "{\"run_id\":\"" + runId
        + "\",\"tags\":[{\"key\":\"mlflow.runName\",\"value\":\"batched\"}]}");
    assertThat(fake.run(runId).name()).isEqualTo("batched");

    client.post("runs/update", "{\"run_id\":\"" + runId + "\",\"run_name\":\"updated\"}");
    assertThat(fake.run(runId).name()).isEqualTo("updated");
    assertThat(fake.run(runId).tags()).containsEntry("mlflow.runName", "updated");
  }

  @Test
  void searchesRefuseMaxResultsOutsideOneTo50000() {
    assertThat(client.post("runs/search", "{\"experiment_ids\":[\"0\"],\"max_results\":50001}"))
        .isEqualTo(new Client.Answer(400, INVALID + "\"Invalid value 50001 for parameter"
            + " 'max_results' supplied:  Hint: Value was of type 'int'. See the API docs for more"
            + " information about request parameters.\"}"));
    assertThat(client.post("runs/search", "{\"experiment_ids\":[\"0\"],\"max_results\":0}"))
        .isEqualTo(new Client.Answer(400, INVALID + "\"Invalid value 0 for parameter"
            + " 'max_results' supplied. It must be a positive integer\"}"));
    assertThat(client.post("experiments/search", "{\"max_results\":50001}"))
        .isEqualTo(new Client.Answer(400, INVALID + "\"Invalid value 50001 for parameter"
            + " 'max_results' supplied. It must be at most 50000\"}"));
    assertThat(client.post("runs/search", "{\"experiment_ids\":[\"0\"],\"max_results\":50000}")
        .code()).isEqualTo(200);
  }

  @Test
  void aFullPageOfRunsOffersANextPageEvenWhenNothingFollows() {
    String first = client.post("runs/search", "{\"experiment_ids\":[\"0\"],\"max_results\":1}")
        .body();
    int at = first.indexOf("\"next_page_token\":\"") + 19;
    String token = first.substring(at, first.indexOf('"', at));

    assertThat(first).contains(runId);
    assertThat(client.post("runs/search", "{\"experiment_ids\":[\"0\"],\"max_results\":1,"
        + "\"page_token\":\"" + token + "\"}").body()).doesNotContain("next_page_token")
        .doesNotContain(runId);
  }

  @Test
  void historyOfAnUnknownRunOrKeyIsEmptyAndMaxResultsHasNoUpperBound() {
    client.post("runs/log-batch", Client.batch(runId, 2));

    assertThat(client.get("metrics/get-history?run_id=nope&metric_key=m&max_results=10"))
        .isEqualTo(new Client.Answer(200, "{}"));
    assertThat(client.get("metrics/get-history?run_id=" + runId
        + "&metric_key=m&max_results=30000").body()).contains("\"step\":1");
    assertThat(client.get("metrics/get-history?run_id=" + runId + "&metric_key=x"))
        .isEqualTo(new Client.Answer(200, "{}"));
    assertThat(client.get("metrics/get-history?run_id=" + runId + "&metric_key=m"))
        .isEqualTo(new Client.Answer(200, "{\"next_page_token\":\""
            + FakeMlflowServer.STUCK_TOKEN + "\"}"));
  }

  @Test
  void likeTheSqlStoreHistoryIsOrderedByTimestampStepAndValue() {
    fake.dedupeMetrics(true);
    client.post("runs/log-batch", "{\"run_id\":\"" + runId + "\",\"metrics\":["
        + "{\"key\":\"m\",\"value\":2,\"timestamp\":5,\"step\":0},"
        + "{\"key\":\"m\",\"value\":1,\"timestamp\":5,\"step\":0},"
        + "{\"key\":\"m\",\"value\":3,\"timestamp\":1,\"step\":9}]}");

    assertThat(client.get("metrics/get-history?run_id=" + runId
        + "&metric_key=m&max_results=2").body()).startsWith("{\"metrics\":["
        + "{\"key\":\"m\",\"value\":3.0,\"timestamp\":1,\"step\":9},"
        + "{\"key\":\"m\",\"value\":1.0,\"timestamp\":5,\"step\":0}]");
    assertThat(fake.run(runId).metrics()).first().isEqualTo(new Point("m", 2, 5, 0));
  }

  @Test
  void emptyListsAreLeftOutOfRepliesAsMlflowLeavesThem() {
    assertThat(client.get("runs/get?run_id=" + runId).body())
        .endsWith("\"lifecycle_stage\":\"active\"},\"data\":{\"tags\":[{\"key\":\"mlflow.runName\","
            + "\"value\":\"run-" + runId.substring(24) + "\"}]},\"inputs\":{}}}");
    assertThat(client.post("runs/search", "{\"experiment_ids\":[\"0\"],"
        + "\"filter\":\"params.x = '1'\"}")).isEqualTo(new Client.Answer(200, "{}"));
    assertThat(client.get("experiments/get?experiment_id=0").body()).doesNotContain("tags");
    assertThat(client.get("artifacts/list?run_id=" + runId).body())
        .isEqualTo("{\"root_uri\":\"mlflow-artifacts:/0/" + runId + "/artifacts\"}");
  }

  @Test
  void aTakenExperimentNameAndAnOverlongOneAreRefusedAsMlflowRefusesThem() {
    fake.deleteExperiment(fake.createExperiment("old"));

    assertThat(client.post("experiments/create", "{\"name\":\"old\"}")).isEqualTo(
        new Client.Answer(400, "{\"error_code\":\"RESOURCE_ALREADY_EXISTS\",\"message\":"
            + "\"Experiment(name=old) already exists. Error: (sqlite3.IntegrityError) UNIQUE"
            + " constraint failed: experiments.name\"}"));
    assertThat(client.post("experiments/create", "{\"name\":\"" + "\u00e9".repeat(501) + "\"}"))
        .isEqualTo(new Client.Answer(400, INVALID
            + "\"'name' exceeds the maximum length of 500 characters\"}"));
    assertThat(client.post("experiments/create", "{\"name\":\"" + "\u00e9".repeat(500) + "\"}")
        .code()).isEqualTo(200);
  }
}
