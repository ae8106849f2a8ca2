package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Param;
import dev.tracker.RunData;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Params and tags whose write failed (a full disk, a file that cannot be replaced for a while)
 * are kept and written once the files can be written again, as metric rows are.
 */
class FailedYamlWriteTest {
  private static final String ID = "0123456789abcdef0123456789abcdef";

  @TempDir Path root;

  private Path dir() {
    return root.resolve("exp").resolve(ID);
  }

  private static RunSpec spec() {
    return new RunSpec(ID, "exp", "exp", "run", 1_700_000_000_000L,
        Map.of("mlflow.runName", "run"), null, false);
  }

  /** Puts a folder where {@code name} is, so that it can be neither read nor replaced. */
  private Path block(String name) throws IOException {
    Path file = dir().resolve(name);
    Path aside = dir().resolve(name + ".aside");
    Files.move(file, aside);
    Files.createDirectories(file.resolve("blocker"));
    return aside;
  }

  private void unblock(String name, Path aside) throws IOException {
    Path file = dir().resolve(name);
    Files.delete(file.resolve("blocker"));
    Files.delete(file);
    Files.move(aside, file);
  }

  private static Batch paramsAndTags() {
    return new Batch(List.of(), List.of(new Param("lr", "0.1")),
        List.of(new Tag("phase", "fit")));
  }

  @Test
  void paramsAndTagsAFailedWriteLeftAreWrittenOnceTheFilesCanBeWritten() throws IOException {
    try (FileBackend backend = FileBackend.create(root)) {
      backend.createRun(spec());
      Path params = block(FileBackend.PARAMS_FILE);
      Path run = block(FileBackend.RUN_FILE);
      assertThatThrownBy(() -> backend.logBatch(ID, paramsAndTags()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("1 params and 1 tags not yet written are kept and written when"
              + " the files can be written again");
      unblock(FileBackend.PARAMS_FILE, params);
      unblock(FileBackend.RUN_FILE, run);
      backend.flush();
      RunData read = backend.readRun(ID).orElseThrow();
      assertThat(read.params()).containsEntry("lr", "0.1");
      assertThat(read.tags()).containsEntry("phase", "fit");
      backend.endRun(ID, RunStatus.FINISHED, 1_700_000_000_001L);
    }
  }

  @Test
  void paramsStillUnwrittenWhenTheRunEndsAreCountedAsLost() throws IOException {
    try (FileBackend backend = FileBackend.create(root)) {
      backend.createRun(spec());
      block(FileBackend.PARAMS_FILE);
      assertThatThrownBy(() -> backend.logBatch(ID, new Batch(List.of(),
          List.of(new Param("lr", "0.1")), List.of())))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> backend.endRun(ID, RunStatus.FINISHED, 1_700_000_000_001L))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("1 params and 0 tags that could not be written are lost");
    }
  }
}
