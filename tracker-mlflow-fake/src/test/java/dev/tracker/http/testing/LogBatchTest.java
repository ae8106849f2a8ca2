package dev.tracker.http.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.http.testing.FakeMlflowServer.Point;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code runs/log-batch} validated and stored as MLflow 3.6's handler and SQL store do. */
class LogBatchTest extends OneRunTest {
  @Test
  void aConflictingParamRefusesTheWholeBatchNamingEveryConflictAsTheSqlStoreDoes() {
    fake.putParam(runId, "lr", "0.5");
    fake.putParam(runId, "opt", "it's");

    Client.Answer a = client.post("runs/log-batch", "{\"run_id\":\"" + runId + "\","
        + "\"metrics\":[{\"key\":\"m\",\"value\":1,\"timestamp\":1}],"
        + "\"params\":[{\"key\":\"lr\",\"value\":\"0.1\"},{\"key\":\"new\",\"value\":\"x\"},"
        + "{\"key\":\"opt\",\"value\":\"a\\\\b\"}]}");

    assertThat(a).isEqualTo(new Client.Answer(400, "{\"error_code\":\"INVALID_PARAMETER_VALUE\","
        + "\"message\":\"Changing param values is not allowed. Params were already logged="
        + "'[{'key': 'lr', 'old_value': '0.5', 'new_value': '0.1'}, {'key': 'opt', 'old_value':"
        + " \\\"it's\\\", 'new_value': 'a\\\\\\\\b'}]' for run ID='" + runId + "'.\"}"));
    assertThat(fake.run(runId).params()).isEqualTo(Map.of("lr", "0.5", "opt", "it's"));
    assertThat(fake.run(runId).metrics()).isEmpty();
  }

  @Test
  void theInfinitiesAreKeptAsTheLargestDoublesAndMinusZeroAsZeroAsObserved() {
    client.post("runs/log-batch", "{\"run_id\":\"" + runId + "\",\"metrics\":["
        + "{\"key\":\"m\",\"value\":\"Infinity\",\"timestamp\":1,\"step\":0},"
        + "{\"key\":\"m\",\"value\":\"-Infinity\",\"timestamp\":1,\"step\":1},"
        + "{\"key\":\"m\",\"value\":-0.0,\"timestamp\":1,\"step\":2},"
        + "{\"key\":\"m\",\"value\":\"NaN\",\"timestamp\":1,\"step\":3}]}");

    assertThat(fake.run(runId).metrics()).containsExactly(new Point("m", Double.MAX_VALUE, 1, 0),
        new Point("m", -Double.MAX_VALUE, 1, 1), new Point("m", 0.0, 1, 2),
        new Point("m", Double.NaN, 1, 3));
    assertThat(client.get("metrics/get-history?run_id=" + runId + "&metric_key=m&max_results=9"))
        .isEqualTo(new Client.Answer(200, "{\"metrics\":["
            + "{\"key\":\"m\",\"value\":1.7976931348623157E308,\"timestamp\":1,\"step\":0},"
            + "{\"key\":\"m\",\"value\":-1.7976931348623157E308,\"timestamp\":1,\"step\":1},"
            + "{\"key\":\"m\",\"value\":0.0,\"timestamp\":1,\"step\":2},"
            + "{\"key\":\"m\",\"value\":\"NaN\",\"timestamp\":1,\"step\":3}]}"));
  }

  private Client.Answer batch(String entries) {
    return client.post("runs/log-batch", "{\"run_id\":\"" + runId + "\"," + entries + "}");
  }

  private static Client.Answer invalid(String message) {
    return new Client.Answer(400, "{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":\""
        + message + "\"}");
  }

  private static final String CHARACTERS = "Names may only contain alphanumerics, underscores"
      + " (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).";

  @Test
  void keysAreCheckedWithMlflowsRulesAndMessages() {
    assertThat(batch("\"metrics\":[{\"key\":\"ok\",\"value\":1,\"timestamp\":1},"
        + "{\"key\":\"a$b\",\"value\":1,\"timestamp\":1}]"))
        .isEqualTo(invalid("Invalid value \\\"a$b\\\" for parameter 'metrics[1].name' supplied: "
            + CHARACTERS));
    assertThat(batch("\"params\":[{\"key\":\"a//b/\",\"value\":\"1\"}]"))
        .isEqualTo(invalid("Invalid value \\\"a//b/\\\" for parameter 'params[0].key' supplied:"
            + " Names may be treated as files in certain cases, and must not resolve to other"
            + " names when treated as such. This name would resolve to 'a/b'"));
    assertThat(batch("\"tags\":[{\"key\":\"" + "k".repeat(251) + "\",\"value\":\"v\"}]"))
        .isEqualTo(invalid("'tags[0].key' exceeds the maximum length of 250 characters"));
    assertThat(batch("\"metrics\":[{\"key\":\"" + "m".repeat(251)
        + "\",\"value\":1,\"timestamp\":1}]"))
        .isEqualTo(invalid("'Metric name' exceeds the maximum length of 250 characters"));
    // Python's \\w: letters and numbers, not combining marks
    assertThat(batch("\"params\":[{\"key\":\"cafe\u0301\",\"value\":\"1\"}]"))
        .isEqualTo(invalid("Invalid value \\\"cafe\\\\u0301\\\" for parameter 'params[0].key'"
            + " supplied: " + CHARACTERS));
    assertThat(batch("\"params\":[{\"key\":\"caf\u00e9 x\u00b2: 1/2\",\"value\":\"1\"}]")
        .code()).isEqualTo(200);
    assertThat(fake.run(runId).params()).containsOnlyKeys("caf\u00e9 x\u00b2: 1/2");
  }

  @Test
  void entriesWithoutARequiredFieldAreRefusedByPath() {
    assertThat(batch("\"metrics\":[{\"key\":\"m\",\"value\":1,\"timestamp\":1},"
        + "{\"key\":\"m\",\"value\":1}]"))
        .isEqualTo(invalid("Missing value for required parameter 'metrics[1].timestamp'. See the"
            + " API docs for more information about request parameters."));
    assertThat(batch("\"params\":[{\"key\":\"\",\"value\":\"1\"}]"))
        .isEqualTo(invalid("Missing value for required parameter 'params[0].key'. See the"
            + " API docs for more information about request parameters."));
    assertThat(batch("\"metrics\":[{\"key\":\"m\",\"value\":1,\"timestamp\":-1}]"))
        .isEqualTo(invalid("Invalid value -1 for parameter 'metrics[0].timestamp' supplied:"
            + " metric 'm' (value=1.0). Timestamp must be a nonnegative long (64-bit integer) "));
    assertThat(fake.run(runId).metrics()).isEmpty();
  }

  @Test
  void longValuesAreCutToMlflowsLimitsInCodePointsAsTheServerDoesByDefault() {
    String emoji = "\ud83d\ude00";
    assertThat(batch("\"params\":[{\"key\":\"p\",\"value\":\"" + emoji.repeat(6001) + "\"}],"
        + "\"tags\":[{\"key\":\"t\",\"value\":\"" + "t".repeat(8001) + "\"}]").code())
        .isEqualTo(200);
    client.post("runs/set-tag", "{\"run_id\":\"" + runId + "\",\"key\":\"u\",\"value\":\""
        + "u".repeat(9000) + "\"}");
    client.post("runs/log-parameter", "{\"run_id\":\"" + runId + "\",\"key\":\"q\"}");

    FakeMlflowServer.Run run = fake.run(runId);
    assertThat(run.params().get("p")).isEqualTo(emoji.repeat(6000));
    assertThat(run.tags().get("t")).isEqualTo("t".repeat(8000));
    assertThat(run.tags().get("u")).isEqualTo("u".repeat(8000));
    assertThat(run.params().get("q")).isEmpty();
  }

  @Test
  void theOneRecordEndpointsCheckKeysWithTheirOwnPaths() {
    assertThat(client.post("runs/log-metric", "{\"run_id\":\"" + runId
        + "\",\"key\":\"../m\",\"value\":1,\"timestamp\":1}"))
        .isEqualTo(invalid("Invalid value \\\"../m\\\" for parameter 'name' supplied: Names may be"
            + " treated as files in certain cases, and must not resolve to other names when"
            + " treated as such. This name would resolve to '../m'"));
    assertThat(client.post("runs/set-tag", "{\"run_id\":\"" + runId
        + "\",\"key\":\"t!\",\"value\":\"v\"}"))
        .isEqualTo(invalid("Invalid value \\\"t!\\\" for parameter 'key' supplied: " + CHARACTERS));
    assertThat(client.post("runs/log-batch", "{\"run_id\":\"no such run\"}"))
        .isEqualTo(invalid("Invalid value \\\"no such run\\\" for parameter 'run_id' supplied."));
  }
}
