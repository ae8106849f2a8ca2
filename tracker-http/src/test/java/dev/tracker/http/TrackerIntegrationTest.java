package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.FlushResult;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.http.testing.FakeMlflowServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Tracker configured only by MLflow's variables logs everything to the server. */
class TrackerIntegrationTest extends FakeServerTest {
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void start() throws Exception {
    env.put("MLFLOW_TRACKING_URI", "http://localhost:" + server.getPort());
    env.put("MLFLOW_TRACKING_TOKEN", "tok");
    env.put("MLFLOW_EXPERIMENT_NAME", "iris");
    env.put("TRACKER_SPOOL_DIR", tmp.resolve("spool").toString());
  }

  private Tracker tracker() {
    return Tracker.builder().environment(env::get).systemProperties(k -> null)
        .shutdownHook(false).flushInterval(Duration.ofMillis(50)).build();
  }

  @Test
  void everyParamMetricTagAndArtifactArrivesAndTheRunEndsFinished() throws Exception {
    Path model = Files.writeString(tmp.resolve("model.txt"), "w = 0.5");
    String trackerRunId;
    try (Tracker tracker = tracker()) {
      assertThat(tracker.uri()).isEqualTo("http://localhost:" + server.getPort());
      try (Run run = tracker.experiment().startRun("lr-0.1")) {
        trackerRunId = run.id();
        run.logParams(Map.of("lr", 0.1, "epochs", 50));
        for (int epoch = 0; epoch < 50; epoch++) {
          run.logMetric("loss", 1.0 / (epoch + 1), epoch);
          run.logMetric("accuracy", epoch / 50.0, epoch);
        }
        run.setTag("optimizer", "sgd");
        run.logArtifact(model, "models");
        run.logText("# notes", "notes.md");
        Run child = run.startChildRun("fold-1");
        child.logMetric("loss", 0.3, 0);
        child.close();
      }
    }

    assertThat(fake.experimentNames()).containsExactly("Default", "iris");
    assertThat(fake.runs()).hasSize(2);
    FakeMlflowServer.Run run = fake.run(fake.runs().get(0));
    assertThat(run.name()).isEqualTo("lr-0.1");
    assertThat(run.status()).isEqualTo("FINISHED");
    assertThat(run.endTime()).isPositive();
    assertThat(run.startTime()).isPositive();
    assertThat(run.params()).containsEntry("lr", "0.1").containsEntry("epochs", "50")
        .containsKey("seed");
    assertThat(run.tags()).containsEntry("optimizer", "sgd")
        .containsEntry("mlflow.runName", "lr-0.1").containsEntry("tracker.runId", trackerRunId)
        .containsKeys("mlflow.source.type", "mlflow.user");
    assertThat(run.metrics()).hasSize(100);
    assertThat(new String(run.artifacts().get("models/model.txt"), StandardCharsets.UTF_8))
        .isEqualTo("w = 0.5");
    assertThat(run.artifacts()).containsKey("notes.md");
    FakeMlflowServer.Run child = fake.run(fake.runs().get(1));
    assertThat(child.tags()).containsEntry("mlflow.parentRunId", run.id());
    assertThat(child.status()).isEqualTo("FINISHED");

    RecordedRequest first = server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
    assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer tok");
  }

  @Test
  void mlflowRunIdResumesAnExistingRunFromAnotherProcess() throws Exception {
    String serverRun;
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment().newRun("shared").seed(1).start();
      run.logMetric("loss", 1, 0);
      run.close();
      serverRun = fake.runs().get(0);
    }
    env.put("MLFLOW_RUN_ID", serverRun);
    env.put("TRACKER_SEED", "1"); // the same root seed, so the seed param agrees
    try (Tracker worker = tracker()) {
      Run run = worker.experiment().startRun();
      assertThat(run.id()).isEqualTo(serverRun);
      run.logMetric("loss", 0.5, 1);
      assertThat(worker.flush()).isEqualTo(FlushResult.DELIVERED);
    }

    assertThat(fake.runs()).containsExactly(serverRun);
    assertThat(fake.run(serverRun).metrics()).extracting(FakeMlflowServer.Point::step)
        .containsExactly(0L, 1L);
    assertThat(fake.run(serverRun).name()).isEqualTo("shared");
    assertThat(fake.run(serverRun).status()).isEqualTo("FINISHED");
  }

  @Test
  void theTrackersRunIdResumesTheRunToo() throws Exception {
    String trackerRunId;
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment().newRun("first").seed(5).start();
      trackerRunId = run.id();
      run.logMetric("loss", 1, 0);
    }
    String serverRun = fake.runs().get(0);
    assertThat(fake.run(serverRun).status()).isEqualTo("FINISHED");
    env.put("MLFLOW_RUN_ID", trackerRunId);
    env.put("TRACKER_SEED", "5");
    try (Tracker again = tracker()) {
      Run run = again.experiment().startRun();
      again.flush();
      assertThat(fake.run(serverRun).status()).isEqualTo("RUNNING");
      assertThat(fake.run(serverRun).endTime()).isZero();
      run.logMetric("loss", 0.5, 1);
    }

    assertThat(fake.runs()).containsExactly(serverRun);
    assertThat(fake.run(serverRun).metrics()).hasSize(2);
    assertThat(fake.run(serverRun).status()).isEqualTo("FINISHED");
  }

  @Test
  void resumingARunTheServerDoesNotHaveCreatesItTaggedWithTheId() throws Exception {
    env.put("MLFLOW_RUN_ID", "0123456789abcdef0123456789abcdef");
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment().startRun("fresh");
      run.logMetric("loss", 1, 0);
    }

    FakeMlflowServer.Run run = fake.run(fake.runs().get(0));
    assertThat(run.name()).isEqualTo("fresh");
    assertThat(run.tags()).containsEntry("tracker.runId", "0123456789abcdef0123456789abcdef");
    assertThat(run.metrics()).hasSize(1);
  }

  @Test
  void twoTrackersLogIntoOneRunWithoutLosingOrRepeatingAPoint() throws Exception {
    String serverRun;
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment().newRun("distributed").seed(3).start();
      tracker.flush();
      serverRun = fake.runs().get(0);
      env.put("MLFLOW_RUN_ID", serverRun);
      env.put("TRACKER_SEED", "3");
      try (Tracker worker = tracker()) {
        Run part = worker.experiment().startRun();
        for (int i = 0; i < 500; i++) {
          run.logMetric("loss/driver", i, i);
          part.logMetric("loss/worker", i, i);
        }
        part.close();
      }
      run.close();
    }

    List<FakeMlflowServer.Point> points = fake.run(serverRun).metrics();
    assertThat(points).hasSize(1000).doesNotHaveDuplicates();
  }
}
