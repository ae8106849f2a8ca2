package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.http.testing.FakeMlflowServer;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** The Model Registry requests on the wire, in MLflow's shapes (versions as strings). */
class ModelRegistryWireTest extends ServerTest {

  /** The registry and tag requests since the last call, as "METHOD path body". */
  private List<String> registryRequests() throws InterruptedException {
    List<String> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(50, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
      String path = r.getUrl().encodedPath();
      if (path.contains("registered-models") || path.contains("model-versions")
          || path.endsWith("set-tag")) {
        out.add(r.getMethod() + " " + path.substring("/api/2.0/mlflow/".length()) + " "
            + (r.getBody() == null ? "" : r.getBody().utf8())
            + (r.getUrl().query() == null ? "" : "?" + r.getUrl().query()));
      }
    }
    return out;
  }

  @Test
  void registeringCreatesTheModelThenAVersionOfTheRunsArtifactsAndTagsTheRun() throws Exception {
    try (Tracker tracker = Fixtures.tracker(backend);
        Run run = tracker.experiment("e").startRun("train")) {
      run.logText("w", "model/w.txt");
      tracker.models().register("iris", run, "model");
      String id = fake.runId("train");
      tracker.models().register("iris", run.id(), "model");
      tracker.models().setAlias("iris", "champion", 2);
      tracker.models().deleteAlias("iris", "champion");
      String source = "mlflow-artifacts:/1/" + id + "/artifacts/model";
      assertThat(registryRequests()).containsSubsequence(
          "POST registered-models/create {\"name\":\"iris\"}",
          "POST model-versions/create {\"name\":\"iris\",\"source\":\"" + source
              + "\",\"run_id\":\"" + id + "\"}",
          "POST runs/set-tag {\"run_id\":\"" + id
              + "\",\"key\":\"tracker.registeredModels\",\"value\":\"iris/1\"}",
          "POST registered-models/create {\"name\":\"iris\"}",
          "POST model-versions/create {\"name\":\"iris\",\"source\":\"" + source
              + "\",\"run_id\":\"" + id + "\"}",
          "POST runs/set-tag {\"run_id\":\"" + id
              + "\",\"key\":\"tracker.registeredModels\",\"value\":\"iris/1,iris/2\"}",
          "GET model-versions/get ?name=iris&version=2",
          "POST registered-models/alias {\"name\":\"iris\",\"alias\":\"champion\","
              + "\"version\":\"2\"}",
          "GET registered-models/alias ?name=iris&alias=champion",
          "DELETE registered-models/alias {\"name\":\"iris\",\"alias\":\"champion\"}");
    }
  }

  @Test
  void aServerThatRefusesTheModelFailsTheRegistrationWithItsMessage() throws Exception {
    fake.script("registered-models/create", FakeMlflowServer.error(403, "PERMISSION_DENIED",
        "User cannot create models"));
    try (Tracker tracker = Fixtures.tracker(backend);
        Run run = tracker.experiment("e").startRun("train")) {
      run.logText("w", "model/w.txt");
      assertThatThrownBy(() -> tracker.models().register("iris", run, "model"))
          .isExactlyInstanceOf(MlflowServerException.class)
          .hasMessage("POST registered-models/create failed with HTTP 403 PERMISSION_DENIED:"
              + " User cannot create models (the credentials given lack permission for this)");
      assertThat(fake.count("model-versions/create")).isZero();
    }
  }

  @Test
  void anUnknownAliasOnTheServerIsAClearError() throws Exception {
    try (Tracker tracker = Fixtures.tracker(backend);
        Run run = tracker.experiment("e").startRun("train")) {
      run.logText("w", "model/w.txt");
      tracker.models().register("iris", run, "model");
      assertThatThrownBy(() -> tracker.models().get("iris", "nope"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("model 'iris' has no alias 'nope'; its versions: 1; its aliases: none");
      assertThat(fake.requests()).contains("GET registered-models/alias");
    }
  }
}
