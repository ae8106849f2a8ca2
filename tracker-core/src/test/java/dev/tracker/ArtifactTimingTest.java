package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A logged file is read by the dispatcher, after the call: what the run gets when the file changes
 * in between, as MLflow users expect the bytes of the call ({@code log_artifact} uploads at once).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ArtifactTimingTest {
  @TempDir Path dir;

  private final RecordingBackend backend = new RecordingBackend();

  private Tracker tracker() {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).build();
  }

  /**
   * A run that logged a point and then {@code file}; the dispatcher is held in sending the point,
   * so it has not read the file yet: {@code backend.release()} lets it go on.
   */
  private Run loggedWhileTheDispatcherIsHeld(Tracker tracker, Path file) throws Exception {
    Run run = tracker.experiment("e").startRun("r");
    tracker.flush();
    backend.block();
    run.logMetric("loss", 0.5, 5); // sent before the artifact
    run.logArtifact(file);
    assertThat(backend.awaitBlocked(10)).isTrue();
    return run;
  }

  @Test
  void aFileChangedBeforeTheDispatcherReadItIsStoredAsReadAndReportedAtFlush() throws Exception {
    Path model = Files.writeString(dir.resolve("model.bin"), "epoch 5");
    try (Tracker tracker = tracker()) {
      Run run = loggedWhileTheDispatcherIsHeld(tracker, model);
      Files.writeString(model, "epoch 6, longer");
      backend.release();

      assertThatThrownBy(tracker::flush)
          .isExactlyInstanceOf(TrackerException.class)
          .hasMessage("storing artifact 'model.bin' from " + model + " of run " + run.id()
              + " failed on recording: " + model + " changed after logArtifact returned and"
              + " before it was read (size 7 → 15 bytes): the run holds the file as it was"
              + " read, not as it was at the call; keep a logged file unchanged until flush()"
              + " or close() returns");
      assertThat(backend.artifactText(run.id(), "model.bin")).isEqualTo("epoch 6, longer");

      run.logArtifact(model); // unchanged until read: nothing to report
      tracker.flush();
      Files.writeString(model, "epoch 7"); // after the flush: the run keeps what it stored
      run.close();
      assertThat(backend.artifactText(run.id(), "model.bin")).isEqualTo("epoch 6, longer");
    }
  }

  @Test
  void aFileDeletedBeforeTheDispatcherReadItIsReportedAsDeletedAtFlush() throws Exception {
    Path model = Files.writeString(dir.resolve("model.bin"), "epoch 5");
    try (Tracker tracker = tracker()) {
      Run run = loggedWhileTheDispatcherIsHeld(tracker, model);
      Files.delete(model);
      backend.release();

      assertThatThrownBy(tracker::flush)
          .isExactlyInstanceOf(TrackerException.class)
          .hasMessage("storing artifact 'model.bin' from " + model + " of run " + run.id()
              + " failed on recording: " + model + " was deleted after logArtifact returned and"
              + " before it was read, so nothing was stored; keep a logged file until flush()"
              + " or close() returns");
      assertThat(backend.artifacts(run.id())).doesNotContainKey("model.bin");
    }
  }
}
