package dev.tracker.http.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.http.testing.FakeMlflowServer.Point;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one-request-per-record endpoints that MLflow's own Java client uses. */
class PerRecordEndpointsTest extends OneRunTest {
  @Test
  void logMetricKeepsThePointWithIntegersAndNanWrittenAsStrings() {
    Client.Answer a = client.post("runs/log-metric", "{\"run_id\":\"" + runId
        + "\",\"key\":\"loss\",\"value\":\"NaN\",\"timestamp\":\"17\",\"step\":\"3\"}");

    assertThat(a).isEqualTo(new Client.Answer(200, "{}"));
    assertThat(fake.run(runId).metrics()).containsExactly(new Point("loss", Double.NaN, 17, 3));
  }

  @Test
  void logMetricAcceptsTheOlderRunUuid() {
    client.post("runs/log-metric", "{\"run_uuid\":\"" + runId
        + "\",\"key\":\"loss\",\"value\":0.5,\"timestamp\":1}");

    assertThat(fake.run(runId).metrics()).containsExactly(new Point("loss", 0.5, 1, 0));
  }

  @Test
  void logMetricWithoutAValueIsRefused() {
    Client.Answer a = client.post("runs/log-metric", "{\"run_id\":\"" + runId
        + "\",\"key\":\"loss\",\"timestamp\":1}");

    assertThat(a).isEqualTo(new Client.Answer(400, "{\"error_code\":\"INVALID_PARAMETER_VALUE\","
        + "\"message\":\"Missing value for required parameter 'value'. See the API docs for more"
            + " information about request parameters.\"}"));
    assertThat(fake.run(runId).metrics()).isEmpty();
  }

  @Test
  void logMetricToAnUnknownRunIsNotFound() {
    Client.Answer a = client.post("runs/log-metric",
        "{\"run_id\":\"nope\",\"key\":\"loss\",\"value\":1,\"timestamp\":1}");

    assertThat(a).isEqualTo(new Client.Answer(404, "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\","
        + "\"message\":\"Run with id=nope not found\"}"));
  }

  @Test
  void logParameterKeepsTheFirstValueAndRefusesAnother() {
    client.post("runs/log-parameter", "{\"run_id\":\"" + runId
        + "\",\"key\":\"lr\",\"value\":\"0.1\"}");

    Client.Answer a = client.post("runs/log-parameter", "{\"run_id\":\"" + runId
        + "\",\"key\":\"lr\",\"value\":\"0.2\"}");

    assertThat(a).isEqualTo(new Client.Answer(400, "{\"error_code\":\"INVALID_PARAMETER_VALUE\","
        + "\"message\":\"Changing param values is not allowed. Param with key='lr' was already"
        + " logged with value='0.1' for run ID='" + runId + "'. Attempted logging new value"
        + " '0.2'.\"}"));
    assertThat(fake.run(runId).params()).isEqualTo(Map.of("lr", "0.1"));
  }

  @Test
  void setTagReplacesTheValue() {
    client.post("runs/set-tag", "{\"run_id\":\"" + runId + "\",\"key\":\"stage\",\"value\":\"a\"}");
    client.post("runs/set-tag", "{\"run_id\":\"" + runId + "\",\"key\":\"stage\",\"value\":\"b\"}");

    assertThat(fake.run(runId).tags()).containsEntry("stage", "b");
    assertThat(fake.count("runs/set-tag")).isEqualTo(2);
  }

  @Test
  void clearRunsForgetsRunsButKeepsExperiments() {
    fake.createExperiment("kept");

    fake.clearRuns();

    assertThat(fake.runs()).isEmpty();
    assertThat(fake.experimentNames()).containsExactly("Default", "kept");
  }

  @Test
  void findsARunByNameAndItsStatusWithoutCopyingIt() {
    client.post("runs/create", "{\"experiment_id\":\"0\",\"start_time\":1,\"run_name\":\"b\"}");
    String named = fake.runId("b");
    client.post("runs/update", "{\"run_id\":\"" + named + "\",\"status\":\"FINISHED\"}");

    assertThat(fake.runStatus(named)).isEqualTo("FINISHED");
    assertThat(fake.runStatus(runId)).isEqualTo("RUNNING");
    assertThat(fake.runId("nope")).isNull();
    assertThatThrownBy(() -> fake.runStatus("nope"))
        .isExactlyInstanceOf(AssertionError.class).hasMessageStartingWith("no run nope; runs: ");
  }

  @Test
  @Timeout(10)
  void awaitReturnsOnceARequestMadeTheConditionTrue() throws Exception {
    Thread finisher = new Thread(() -> client.post("runs/update",
        "{\"run_id\":\"" + runId + "\",\"status\":\"FINISHED\"}"));
    finisher.start();

    assertThat(fake.await(f -> f.runStatus(runId).equals("FINISHED"), Duration.ofSeconds(5)))
        .isTrue();
    finisher.join();
  }

  @Test
  void awaitSaysWhenTheConditionDidNotHoldInTime() throws Exception {
    assertThat(fake.await(f -> f.runStatus(runId).equals("FINISHED"), Duration.ofMillis(1)))
        .isFalse();
  }
}
