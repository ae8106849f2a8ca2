package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.RunStatus;
import dev.tracker.spi.RunSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** Which credentials go out, as MLflow sends them, and only to the tracking server. */
class AuthTest extends FakeServerTest {
  private String authorizationSentBy(MlflowBackend.Builder builder) throws Exception {
    try (MlflowBackend backend = builder.spoolDir(tmp).build()) {
      backend.listExperiments();
    }
    RecordedRequest r = server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
    assertThat(r.getHeaders().get("User-Agent")).isEqualTo("tracker-http");
    return r.getHeaders().get("Authorization");
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
  }

  private String url() {
    return server.url("/").toString();
  }

  @Test
  void usernameAndPasswordAreSentAsBasic() throws Exception {
    assertThat(authorizationSentBy(MlflowBackend.builder().uri(url()).username("alice")
        .password("pa:ss é"))).isEqualTo(basic("alice", "pa:ss é"));
  }

  @Test
  void aTokenIsSentAsBearer() throws Exception {
    assertThat(authorizationSentBy(MlflowBackend.builder().uri(url()).token("tok-1")))
        .isEqualTo("Bearer tok-1");
  }

  @Test
  void basicWinsWhenBothKindsAreSetAsInMlflow() throws Exception {
    assertThat(authorizationSentBy(MlflowBackend.builder().uri(url()).token("tok-1")
        .username("alice").password("pw"))).isEqualTo(basic("alice", "pw"));
  }

  @Test
  void userInfoInTheUriIsUsedWhenNothingElseIs() throws Exception {
    String withUserInfo = "http://bob:tok-2@localhost:" + server.getPort() + "/";
    assertThat(authorizationSentBy(MlflowBackend.builder().uri(withUserInfo)))
        .isEqualTo(basic("bob", "tok-2"));
  }

  @Test
  void givenCredentialsWinOverUserInfo() throws Exception {
    String withUserInfo = "http://bob:tok-2@localhost:" + server.getPort() + "/";
    assertThat(authorizationSentBy(MlflowBackend.builder().uri(withUserInfo).token("tok-1")))
        .isEqualTo("Bearer tok-1");
  }

  @Test
  void withoutCredentialsNoAuthorizationIsSent() throws Exception {
    assertThat(authorizationSentBy(MlflowBackend.builder().uri(url()))).isNull();
  }

  @Test
  void credentialsAreNotSentToAnotherArtifactHost() throws Exception {
    try (MockWebServer artifacts = new MockWebServer()) {
      artifacts.enqueue(new MockResponse.Builder().code(200).body("{}").build());
      artifacts.start();
      fake.artifactRoot("http://127.0.0.1:" + artifacts.getPort()
          + "/api/2.0/mlflow-artifacts/artifacts/store");
      Path file = Files.writeString(tmp.resolve("a.txt"), "x");
      try (MlflowBackend backend = MlflowBackend.builder().uri(url()).token("tok-1")
          .spoolDir(tmp.resolve("spool")).build()) {
        backend.createRun(new RunSpec("r", backend.createExperiment("e"), "e", "r", 1,
            Map.of(), null, false));
        backend.logArtifact("r", file, "a.txt");
        backend.endRun("r", RunStatus.FINISHED, 2);
      }
      RecordedRequest put = artifacts.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
      assertThat(put.getTarget()).isEqualTo("/api/2.0/mlflow-artifacts/artifacts/store/1/"
          + fake.runs().get(0) + "/artifacts/a.txt");
      assertThat(put.getHeaders().get("Authorization")).isNull();
      assertThat(server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT).getHeaders()
          .get("Authorization")).isEqualTo("Bearer tok-1");
    }
  }
}
