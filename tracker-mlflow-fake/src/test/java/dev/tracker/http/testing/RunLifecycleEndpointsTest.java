package dev.tracker.http.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code runs/delete} and {@code runs/restore}, as MLflow's handlers and SQL store do them: the
 * run is marked, still read by {@code runs/get}, left out of a default search, and refuses
 * writes until restored.
 */
class RunLifecycleEndpointsTest extends OneRunTest {
  private static final String NOT_ACTIVE = "{\"error_code\":\"INVALID_PARAMETER_VALUE\","
      + "\"message\":\"The run %s must be in the 'active' state. Current state is deleted.\"}";

  private String search(String view) {
    return client.post("runs/search", "{\"experiment_ids\":[\"0\"]"
        + (view == null ? "" : ",\"run_view_type\":\"" + view + "\"") + "}").body();
  }

  @Test
  void aDeletedRunIsStillReadByIdMarkedDeleted() {
    Client.Answer a = client.post("runs/delete", "{\"run_id\":\"" + runId + "\"}");

    assertThat(a).isEqualTo(new Client.Answer(200, "{}"));
    assertThat(client.get("runs/get?run_id=" + runId).body())
        .contains("\"lifecycle_stage\":\"deleted\"");
  }

  @Test
  void aDefaultSearchLeavesADeletedRunOutAndTheOtherViewsFindIt() {
    client.post("runs/delete", "{\"run_id\":\"" + runId + "\"}");

    assertThat(search(null)).doesNotContain(runId);
    assertThat(search("ACTIVE_ONLY")).doesNotContain(runId);
    assertThat(search("DELETED_ONLY")).contains(runId);
    assertThat(search("ALL")).contains(runId);
  }

  @Test
  void aDeletedRunRefusesBatchesAndUpdatesUntilRestored() {
    client.post("runs/delete", "{\"run_id\":\"" + runId + "\"}");

    assertThat(client.post("runs/log-batch", Client.batch(runId, 1)))
        .isEqualTo(new Client.Answer(400, NOT_ACTIVE.formatted(runId)));
    assertThat(client.post("runs/update", "{\"run_id\":\"" + runId
        + "\",\"status\":\"FINISHED\"}"))
        .isEqualTo(new Client.Answer(400, NOT_ACTIVE.formatted(runId)));

    assertThat(client.post("runs/restore", "{\"run_id\":\"" + runId + "\"}"))
        .isEqualTo(new Client.Answer(200, "{}"));
    assertThat(client.post("runs/log-batch", Client.batch(runId, 1)).code()).isEqualTo(200);
    assertThat(search(null)).contains(runId);
    assertThat(search("DELETED_ONLY")).doesNotContain(runId);
  }

  @Test
  void deletingAnUnknownRunIsNotFoundAndOneWithoutIdIsRefused() {
    assertThat(client.post("runs/delete", "{\"run_id\":\"nope\"}")).isEqualTo(new Client.Answer(
        404, "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"Run with id=nope not"
        + " found\"}"));
    assertThat(client.post("runs/restore", "{}")).isEqualTo(new Client.Answer(400,
        "{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":\"Missing value for required"
        + " parameter 'run_id'.\"}"));
  }
}
