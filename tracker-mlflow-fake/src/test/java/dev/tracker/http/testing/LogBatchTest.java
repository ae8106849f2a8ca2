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
}
