package dev.tracker.http.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code runs/log-inputs} as a real server answers it (mlflow-observed.md). */
class LogInputsTest extends OneRunTest {
  private String input(String name, String digest, String context) {
    return "{\"dataset\":{\"name\":\"" + name + "\"" + (digest == null ? ""
        : ",\"digest\":\"" + digest + "\"") + ",\"source_type\":\"local\",\"source\":"
        + "\"{\\\"uri\\\": \\\"/d/" + name + "\\\"}\"},\"tags\":[{\"key\":\"mlflow.data.context\","
        + "\"value\":\"" + context + "\"}]}";
  }

  @Test
  void theSameNameAndDigestIsKeptOnceAndADatasetWithoutDigestIsAccepted() {
    Client.Answer a = client.post("runs/log-inputs", "{\"run_id\":\"" + runId
        + "\",\"datasets\":[" + input("train", "abc", "training") + ","
        + input("train", "abc", "validation") + "," + input("raw", null, "training") + "]}");
    assertThat(a).isEqualTo(new Client.Answer(200, "{}"));
    client.post("runs/log-inputs", "{\"run_id\":\"" + runId + "\",\"datasets\":["
        + input("train", "abc", "evaluation") + "]}");

    String run = client.get("runs/get?run_id=" + runId).body();
    assertThat(run).contains("\"inputs\":{\"dataset_inputs\":[{\"dataset\":{\"name\":\"train\","
        + "\"digest\":\"abc\",\"source_type\":\"local\",\"source\":\"{\\\"uri\\\": \\\"/d/train"
        + "\\\"}\"},\"tags\":[{\"key\":\"mlflow.data.context\",\"value\":\"training\"}]},"
        + "{\"dataset\":{\"name\":\"raw\",\"digest\":\"\",");
    assertThat(run.split("\"name\":\"train\"", -1)).hasSize(2);
    String search = client.post("runs/search", "{\"experiment_ids\":[\"0\"]}").body();
    assertThat(search).contains("\"dataset_inputs\":[{\"dataset\":{\"name\":\"train\"");
  }

  @Test
  void aRunWithoutInputsHasAnEmptyInputsObject() {
    assertThat(client.get("runs/get?run_id=" + runId).body()).contains("\"inputs\":{}");
  }

  @Test
  void tooLongFieldsAndAMissingRunAreRefusedAsMlflowDoes() {
    assertThat(client.post("runs/log-inputs", "{\"run_id\":\"" + runId + "\",\"datasets\":["
        + input("n".repeat(501), "abc", "training") + "]}")).isEqualTo(new Client.Answer(400,
            "{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":\"'name' exceeds the"
            + " maximum length of 500 characters\"}"));
    assertThat(client.post("runs/log-inputs", "{\"run_id\":\"" + runId + "\",\"datasets\":["
        + input("d", "x".repeat(37), "training") + "]}").body())
        .contains("'digest' exceeds the maximum length of 36 characters");
    assertThat(client.post("runs/log-inputs", "{\"run_id\":\"" + runId + "\",\"datasets\":["
        + input("d", "abc", "c".repeat(501)) + "]}").body())
        .contains("'value' exceeds the maximum length of 500 characters");
    assertThat(client.post("runs/log-inputs", "{\"datasets\":[]}")).isEqualTo(
        new Client.Answer(400, "{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":"
            + "\"Missing value for required parameter 'run_id'. See the API docs for more"
            + " information about request parameters.\"}"));
    assertThat(client.get("runs/get?run_id=" + runId).body()).contains("\"inputs\":{}");
  }
}
