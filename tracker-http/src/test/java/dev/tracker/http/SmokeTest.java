package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.http.testing.FakeMlflowServer;
import java.nio.file.Files;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @TempDir Path tmp;

  @Test
  void aRunArrives() throws Exception {
    FakeMlflowServer fake = new FakeMlflowServer();
    try (MockWebServer server = Fixtures.start(fake)) {
      MlflowBackend backend = Fixtures.backend(server, tmp.resolve("spool"),
          new Fixtures.TestSleeper()).build();
      Path file = Files.writeString(tmp.resolve("notes.txt"), "hello");
      String id;
      try (Tracker tracker = Fixtures.tracker(backend)) {
        Run run = tracker.experiment("iris").startRun("lr");
        id = run.id();
        run.logParam("lr", 0.1);
        for (int i = 0; i < 10; i++) {
          run.logMetric("loss", 1.0 / (i + 1), i);
        }
        run.logArtifact(file, "docs");
        run.close();
      }
      assertThat(fake.runs()).hasSize(1);
      FakeMlflowServer.Run r = fake.run(fake.runs().get(0));
      assertThat(r.metrics()).hasSize(10);
      assertThat(r.params()).containsEntry("lr", "0.1");
      assertThat(r.tags()).containsEntry("tracker.runId", id);
      assertThat(r.status()).isEqualTo("FINISHED");
      assertThat(r.artifacts()).containsKey("docs/notes.txt");
      System.out.println(fake.requests());
    }
  }
}
