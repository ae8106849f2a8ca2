package dev.tracker.http.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Model Registry endpoints answer as the real server did (mlflow-observed.md). */
class RegistryEndpointsTest extends OneRunTest {
  private String source;

  @Override
  FakeMlflowServer newFake() {
    return new FakeMlflowServer(() -> Instant.ofEpochMilli(5));
  }

  @BeforeEach
  void source() {
    source = "mlflow-artifacts:/0/" + runId + "/artifacts/model";
  }

  private String version(int n, String aliases) {
    return "{\"name\":\"iris\",\"version\":\"" + n + "\",\"creation_timestamp\":5,"
        + "\"last_updated_timestamp\":5,\"current_stage\":\"None\",\"source\":\"" + source
        + "\",\"run_id\":\"" + runId + "\",\"status\":\"READY\"" + aliases + "}";
  }

  private Client.Answer createVersion() {
    return client.post("model-versions/create", "{\"name\":\"iris\",\"source\":\"" + source
        + "\",\"run_id\":\"" + runId + "\"}");
  }

  @Test
  void aModelIsCreatedOnceAndItsVersionsAreNumberedAsStrings() {
    assertThat(client.post("registered-models/create", "{\"name\":\"iris\"}")).isEqualTo(
        new Client.Answer(200, "{\"registered_model\":{\"name\":\"iris\","
            + "\"creation_timestamp\":5,\"last_updated_timestamp\":5}}"));
    assertThat(client.post("registered-models/create", "{\"name\":\"iris\"}")).isEqualTo(
        new Client.Answer(400, "{\"error_code\":\"RESOURCE_ALREADY_EXISTS\","
            + "\"message\":\"Registered Model (name=iris) already exists.\"}"));
    assertThat(createVersion()).isEqualTo(new Client.Answer(200, "{\"model_version\":"
        + version(1, "") + "}"));
    assertThat(createVersion().body()).contains("\"version\":\"2\"");
    assertThat(fake.run(runId).tags()).doesNotContainKey("tracker.registeredModels");
    assertThat(client.get("model-versions/get?name=iris&version=3")).isEqualTo(
        new Client.Answer(404, "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\","
            + "\"message\":\"Model Version (name=iris, version=3) not found\"}"));
  }

  @Test
  void aliasesAreCheckedWithMlflowsRules() {
    client.post("registered-models/create", "{\"name\":\"iris\"}");
    createVersion();
    String refusal = "{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":\"";
    assertThat(setAlias("a".repeat(256))).isEqualTo(new Client.Answer(400, refusal
        + "'Registered model alias name' exceeds the maximum length of 255 characters\"}"));
    assertThat(setAlias("Latest")).isEqualTo(new Client.Answer(400, refusal
        + "'latest' alias name (case insensitive) is reserved.\"}"));
    assertThat(setAlias("V12")).isEqualTo(new Client.Answer(400, refusal
        + "Version alias name 'V12' is reserved.\"}"));
    assertThat(setAlias("a.b")).isEqualTo(new Client.Answer(400, refusal
        + "Invalid alias name: 'a.b'. Names may only contain alphanumerics, underscores (_),"
        + " and dashes (-).\"}"));
    assertThat(setAlias("a".repeat(255)).code()).isEqualTo(200);
    assertThat(setAlias("prod-2_\u00fcn\u00ef").code()).isEqualTo(200);
  }

  private Client.Answer setAlias(String alias) {
    return client.post("registered-models/alias", "{\"name\":\"iris\",\"alias\":\"" + alias
        + "\",\"version\":\"1\"}");
  }

  @Test
  void aliasesPointAtVersionsAndAnUnknownAliasIsA400() {
    client.post("registered-models/create", "{\"name\":\"iris\"}");
    createVersion();
    createVersion();
    assertThat(client.post("registered-models/alias",
        "{\"name\":\"iris\",\"alias\":\"champion\",\"version\":\"2\"}"))
        .isEqualTo(new Client.Answer(200, "{}"));
    assertThat(client.get("registered-models/alias?name=iris&alias=champion")).isEqualTo(
        new Client.Answer(200, "{\"model_version\":" + version(2, ",\"aliases\":[\"champion\"]")
            + "}"));
    assertThat(client.get("registered-models/alias?name=iris&alias=nope")).isEqualTo(
        new Client.Answer(400, "{\"error_code\":\"INVALID_PARAMETER_VALUE\","
            + "\"message\":\"Registered model alias nope not found.\"}"));
    assertThat(client.get("registered-models/get?name=iris").body()).endsWith(
        "\"aliases\":[{\"alias\":\"champion\",\"version\":\"2\"}]}}");
    assertThat(client.get("model-versions/get-download-uri?name=iris&version=1")).isEqualTo(
        new Client.Answer(200, "{\"artifact_uri\":\"" + source + "\"}"));
    assertThat(client.get("registered-models/get?name=nope")).isEqualTo(
        new Client.Answer(404, "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\","
            + "\"message\":\"Registered Model with name=nope not found\"}"));
  }

  /** "name/version" of each version in a search answer, in its order. */
  private static List<String> refs(Client.Answer answer) {
    assertThat(answer.code()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\"name\":\"(\\w+)\",\"version\":\"(\\d+)\"")
        .matcher(answer.body());
    while (m.find()) {
      out.add(m.group(1) + "/" + m.group(2));
    }
    return out;
  }

  private void register(String model, String run) {
    client.post("registered-models/create", "{\"name\":\"" + model + "\"}");
    client.post("model-versions/create", "{\"name\":\"" + model + "\",\"source\":\"s\","
        + "\"run_id\":\"" + run + "\"}");
  }

  @Test
  void searchByRunIdFindsExactlyThatRunsVersionsAcrossModels() {
    String other = client.createRun();
    register("iris", runId);
    register("iris", other);
    register("wine", runId);
    register("wine", runId);
    // one timestamp for all, so MLflow's order falls to name, then highest version first
    assertThat(refs(client.get("model-versions/search?filter=run_id = '" + runId + "'")))
        .containsExactly("iris/1", "wine/2", "wine/1");
    assertThat(refs(client.get("model-versions/search?filter=run_id=\"" + other + "\"")))
        .containsExactly("iris/2");
    assertThat(refs(client.get("model-versions/search?filter=name = 'wine' AND run_id = '"
        + runId + "'"))).containsExactly("wine/2", "wine/1");
    assertThat(refs(client.get("model-versions/search?filter=name = 'iris' and run_id = '"
        + other + "'"))).containsExactly("iris/2");
    assertThat(refs(client.get("model-versions/search?filter=run_id = '" + runId.substring(1)
        + "'"))).isEmpty();
    assertThat(refs(client.get("model-versions/search?filter=name LIKE 'w_n%'")))
        .containsExactly("wine/2", "wine/1");
    assertThat(refs(client.get("model-versions/search?filter=name like 'Wine'"))).isEmpty();
  }

  @Test
  void aFilterThisFakeDoesNotKnowIsA400NamingIt() {
    assertThat(client.get("model-versions/search?filter=run_id != 'a'")).isEqualTo(
        new Client.Answer(400, "{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":"
            + "\"Invalid filter 'run_id != 'a'' (this fake knows name and run_id = or LIKE"
            + " '...', joined by and, only)\"}"));
    assertThat(client.get("model-versions/search?filter=run_id = 'a' or name = 'b'").body())
        .contains("Invalid filter 'run_id = 'a' or name = 'b''");
  }
}
