package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.file.FileBackend;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code tracker sync} of one runs folder to one server at once would each create the runs
 * and send every point: the second stops, naming the lock the first holds.
 */
class SyncLockTest {
  private static final String TO = SyncTest.TO;

  @TempDir Path root;
  @TempDir Path journals;
  private final RecordingBackend server = new RecordingBackend();
  private SyncTest.Target target;

  @BeforeEach
  void threeRuns() throws IOException {
    try (FileBackend b = Fixtures.threeRuns(FileBackend.create(root))) {
      b.flush();
    }
    target = new SyncTest.Target(server, journals);
  }

  private Harness.Result sync() {
    return new Harness(uri -> uri.toString().equals(TO) ? target : FileBackend.create(root))
        .run("sync", "--to", TO);
  }

  @Test
  void aSecondSyncOfTheSameRunsToTheSameServerStopsWhileTheFirstRuns() throws IOException {
    Path lockFile = root.resolve(".tracker-sync.mlflow_5000.lock");
    try (FileChannel first = FileChannel.open(lockFile, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock held = first.lock()) {
      Harness.Result second = sync();

      assertThat(second.code()).isEqualTo(TrackerCli.BACKEND_ERROR);
      assertThat(second.err()).isEqualTo("tracker sync: another tracker sync to"
          + " http://mlflow:5000 from file:" + root + " is running (it holds " + lockFile
          + "); run this one once it has ended\n");
      assertThat(second.out()).isEmpty();
      assertThat(server.runIds()).isEmpty();
    }

    Harness.Result after = sync();

    assertThat(after.code()).as(after.err()).isZero();
    assertThat(server.runIds()).hasSize(3);
    assertThat(sync().out()).startsWith("lr-0.5 (c3d4e5f6) -> 00000001: up to date\n");
  }
}
