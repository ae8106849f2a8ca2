package dev.tracker.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.RunStatus;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment folder without its lock file (a process killed between making the folder and the
 * file, or the file deleted by hand) is held by no one: the next process delivers its journal, or
 * removes it when it holds none.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocklessSegmentTest {
  @TempDir Path tmp;

  private static final Op CREATE = new Op.CreateRun(new RunSpec("r1", null, "e", "run",
      5, Map.of(), null, false), false);
  private static final Op END = new Op.EndRun("r1", RunStatus.FINISHED, 9);

  @Test
  void aSegmentWhoseLockFileWasDeletedIsDeliveredByTheNextProcess() throws Exception {
    Segment s = Segment.create(tmp, 0);
    s.append(CREATE);
    s.append(END);
    s.close();
    Files.delete(s.dir().resolve(Segment.LOCK));

    Journal next = new Journal(tmp, "s", Journal.DEFAULT_LIMIT_BYTES, InstantSource.system());
    List<Segment> adopted = new ArrayList<>();
    Segment found = next.nextLeftover(adopted);

    assertThat(found).as("adopted").isNotNull();
    assertThat(found.dir()).isEqualTo(s.dir());
    assertThat(found.next().op()).isEqualTo(CREATE);
    assertThat(next.skippedLeftovers()).isZero();
    found.close();
  }

  @Test
  void aSegmentFolderLeftWithoutLockFileOrJournalIsRemovedAndNotCountedAsHeld()
      throws Exception {
    // a process killed right after it made the folder, before its lock file
    Path dir = folderWithoutLockFile();

    assertThat(heldAfterALook()).isZero();
    assertThat(dir).doesNotExist();
  }

  @Test
  void aFolderAnotherProcessIsCreatingNowIsLeftToItAndCountedAsHeld() throws Exception {
    // another process made the folder and holds the directory's creation lock: its lock file and
    // journal come next
    Path dir = folderWithoutLockFile();
    Process creator = holdInAnotherProcess(tmp.resolve(Segment.CREATING));
    try {
      assertThat(heldAfterALook()).isEqualTo(1);
      assertThat(dir.resolve(Segment.ARTIFACTS)).isDirectory();
    } finally {
      creator.getOutputStream().close();
      assertThat(creator.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    // the creator died before it finished: the folder is nobody's
    assertThat(heldAfterALook()).isZero();
    assertThat(dir).doesNotExist();
  }

  @Test
  void aProcessMakesNoSegmentFolderWhileAnotherHoldsTheCreationLock() throws Exception {
    // the order the rule above rests on: the creation lock first, then the folder
    Process other = holdInAnotherProcess(tmp.resolve(Segment.CREATING));
    CompletableFuture<Segment> created = CompletableFuture.supplyAsync(() -> {
      try {
        return Segment.create(tmp, 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try {
      assertThatThrownBy(() -> created.get(300, TimeUnit.MILLISECONDS))
          .isExactlyInstanceOf(TimeoutException.class);
      assertThat(Journal.segmentDirectories(tmp)).isEmpty();
    } finally {
      other.getOutputStream().close();
      assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    Segment s = created.get(30, TimeUnit.SECONDS);
    assertThat(Journal.segmentDirectories(tmp)).containsExactly(s.dir());
    assertThat(s.dir().resolve(Segment.JOURNAL)).exists();
    s.close();
  }

  /** A segment folder as a creator leaves it between making it and making its lock file. */
  private Path folderWithoutLockFile() throws IOException {
    Path dir = tmp.resolve("20260101T000000.000Z-4242-000001-0a0b");
    Files.createDirectories(dir.resolve(Segment.ARTIFACTS));
    return dir;
  }

  /** A new process's journal looks for leftovers: none adopted; how many were held. */
  private int heldAfterALook() throws IOException {
    Journal next = new Journal(tmp, "s", Journal.DEFAULT_LIMIT_BYTES, InstantSource.system());
    assertThat(next.nextLeftover(new ArrayList<>())).isNull();
    return next.skippedLeftovers();
  }

  /** A child JVM holding an OS lock on {@code file} until its input is closed. */
  private static Process holdInAnotherProcess(Path file) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classes = Path.of(HoldLockProbe.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI()).toString();
    Process p = new ProcessBuilder(javaBin, "-XX:-UsePerfData", "-cp", classes,
        HoldLockProbe.class.getName(), file.toString()).redirectErrorStream(true).start();
    byte[] locked = p.getInputStream().readNBytes("locked".length());
    assertThat(new String(locked, StandardCharsets.US_ASCII)).isEqualTo("locked");
    return p;
  }
}
