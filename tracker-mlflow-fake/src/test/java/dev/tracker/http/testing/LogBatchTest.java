package dev.tracker.http.testing;

import static org.assertj.core.api.Assertions.assertThat;

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
}
