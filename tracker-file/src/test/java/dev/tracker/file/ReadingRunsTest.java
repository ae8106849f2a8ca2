package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunSummary;
import dev.tracker.Tracker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reading runs back from run folders, while the same tracker writes them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadingRunsTest {
  @TempDir Path root;
  @TempDir Path out;

  private Tracker tracker() {
    return Tracker.builder().backend(FileBackend.create(root)).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null).build();
  }

  @Test
  void queriesWhileTheSameTrackerLogsSeeAGrowingConsistentPrefix() throws Exception {
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment("busy").startRun("writer");
      tracker.flush();
      int points = 5_000;
      CompletableFuture<Void> logging = CompletableFuture.runAsync(() -> {
        for (int step = 0; step < points; step++) {
          run.logMetric("loss", step, step);
          if (step % 500 == 0) {
            tracker.flush();
          }
        }
        tracker.flush();
      });
      long lastStep = -1;
      int queries = 0;
      while (!logging.isDone() || queries == 0) {
        RunSummary seen = tracker.runs().experiment("busy").filter("metrics.loss >= 0").first()
            .orElse(null);
        if (seen != null) {
          Metric latest = seen.metrics().get("loss");
          assertThat(latest.step()).isGreaterThanOrEqualTo(lastStep);
          assertThat(latest.value()).isEqualTo((double) latest.step());
          lastStep = latest.step();
        }
        queries++;
      }
      logging.get(30, TimeUnit.SECONDS);
      assertThat(tracker.history(run.id(), "loss")).hasSize(points);
      assertThat(tracker.runs().filter("metrics.loss = " + (points - 1)).list()).hasSize(1);
    }
  }

  @Test
  void artifactsDownloadFromRunFolders() throws Exception {
    String id;
    try (Tracker tracker = tracker(); Run run = tracker.experiment("art").startRun("a")) {
      id = run.id();
      run.logText("weights", "model/w.txt");
      run.logText("notes", "notes.txt");
    }
    try (Tracker reader = tracker()) {
      Path all = reader.downloadArtifacts(id.substring(0, 8), "", out);
      assertThat(all).isEqualTo(out.toAbsolutePath().normalize());
      assertThat(Files.readString(out.resolve("model/w.txt"), StandardCharsets.UTF_8))
          .isEqualTo("weights");
      assertThat(Files.readString(out.resolve("notes.txt"), StandardCharsets.UTF_8))
          .isEqualTo("notes");
      assertThat(reader.downloadArtifacts(id, "model/w.txt", out.resolve("again")))
          .hasContent("weights");
      assertThatThrownBy(() -> reader.downloadArtifacts(id, "nope", out))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("run " + id + " has no artifact 'nope'; its artifacts: model/w.txt,"
              + " notes.txt");
    }
  }

  @Test
  void aSearchOverExperimentsThatDoNotExistFindsNothing() {
    try (Tracker tracker = tracker()) {
      assertThat(tracker.runs().list()).isEmpty();
      assertThat(tracker.runs().experiment("none").first()).isEmpty();
      List<RunSummary> none = tracker.runs().filter("params.x = 'y'").list();
      assertThat(none).isEmpty();
    }
  }
}
