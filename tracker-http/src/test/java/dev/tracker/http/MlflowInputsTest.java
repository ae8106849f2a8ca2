package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.DatasetInput;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code runs/log-inputs} body, and inputs read back from a server's run. */
class MlflowInputsTest {
  private static final DatasetInput FILE = new DatasetInput("iris-train",
      "900150983cd24fb0d6963f7d28e17f72", "local", "/d/train.csv", "training", 3, 1,
      "{\"mlflow_colspec\": []}", "0123456789abcdef0123456789abcdef");
  private static final DatasetInput URL = new DatasetInput("x.csv", null, "http",
      "https://h/x.csv", "evaluation", -1, -1, null, null);

  @Test
  void theBodyIsMlflowsWithSourceSchemaAndProfileAsJsonStrings() {
    String body = new String(Dto.bytes(MlflowInputs.body("s1", List.of(FILE, URL))),
        StandardCharsets.UTF_8);
    assertThat(body).isEqualTo("{\"run_id\":\"s1\",\"datasets\":[{\"dataset\":{"
        + "\"name\":\"iris-train\",\"digest\":\"900150983cd24fb0d6963f7d28e17f72\","
        + "\"source_type\":\"local\",\"source\":\"{\\\"uri\\\":\\\"/d/train.csv\\\"}\","
        + "\"schema\":\"{\\\"mlflow_colspec\\\": []}\",\"profile\":\"{\\\"size\\\":3,"
        + "\\\"files\\\":1,\\\"dvc_md5\\\":\\\"0123456789abcdef0123456789abcdef\\\"}\"},"
        + "\"tags\":[{\"key\":\"mlflow.data.context\",\"value\":\"training\"}]},"
        + "{\"dataset\":{\"name\":\"x.csv\",\"source_type\":\"http\","
        + "\"source\":\"{\\\"url\\\":\\\"https://h/x.csv\\\"}\"},"
        + "\"tags\":[{\"key\":\"mlflow.data.context\",\"value\":\"evaluation\"}]}]}");
  }

  @Test
  void inputsReadBackFromWhatTheBodySentAndFromOtherClientsInputs() throws Exception {
    var sent = MlflowInputs.body("s1", List.of(FILE, URL));
    assertThat(MlflowInputs.read(new MlflowInputs.Inputs(sent.datasets())))
        .containsExactly(FILE, URL);

    // what MLflow's Python client logs for a pandas DataFrame: no context tag, its own profile
    var python = Dto.MAPPER.readValue(("{\"dataset_inputs\":[{\"dataset\":{\"name\":\"df\",\"digest\":"
        + "\"1a2b3c4d\",\"source_type\":\"code\",\"source\":\"{\\\"tags\\\": {}}\","
        + "\"profile\":\"{\\\"num_rows\\\": 150}\"}}]}").getBytes(StandardCharsets.UTF_8), MlflowInputs.Inputs.class);
    assertThat(MlflowInputs.read(python)).containsExactly(new DatasetInput("df", "1a2b3c4d",
        "code", "{\"tags\": {}}", "", -1, -1, null, null));
    assertThat(MlflowInputs.read(new MlflowInputs.Inputs(null))).isEmpty();
    assertThat(MlflowInputs.read(null)).isEmpty();
  }
}
