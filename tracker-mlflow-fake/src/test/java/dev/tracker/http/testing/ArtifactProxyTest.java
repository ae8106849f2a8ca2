package dev.tracker.http.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The artifact proxy stores any path, as MLflow's does; a run's root holds its artifacts. */
class ArtifactProxyTest extends OneRunTest {
  @Test
  void aPathUnderARunsRootIsItsArtifactAndAnyOtherPathIsStoredToo() {
    assertThat(client.artifact("PUT", "0/" + runId + "/artifacts/a/b.txt", "run's").code())
        .isEqualTo(200);
    assertThat(client.artifact("PUT", "elsewhere/c.txt", "loose").code()).isEqualTo(200);

    assertThat(fake.run(runId).artifacts()).containsOnlyKeys("a/b.txt");
    assertThat(client.artifact("GET", "elsewhere/c.txt", null))
        .isEqualTo(new Client.Answer(200, "loose"));
    assertThat(client.artifact("GET", "0/" + runId + "/artifacts/a/b.txt", null))
        .isEqualTo(new Client.Answer(200, "run's"));
    assertThat(client.get("../mlflow-artifacts/artifacts?path=elsewhere").body())
        .isEqualTo("{\"files\":[{\"path\":\"c.txt\",\"is_dir\":false,\"file_size\":5}]}");
    assertThat(client.get("../mlflow-artifacts/artifacts?path=0/" + runId + "/artifacts").body())
        .isEqualTo("{\"files\":[{\"path\":\"a\",\"is_dir\":true}]}");
  }

  @Test
  void aFileNobodyPutIsNotFound() {
    assertThat(client.artifact("GET", "nowhere/x.txt", null)).isEqualTo(new Client.Answer(404,
        "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"File not found:"
            + " nowhere/x.txt\"}"));
  }
}
