package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunData;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.file.FileBackend;
import dev.tracker.file.FileFaultyDisk;
import dev.tracker.file.MetricsCsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The disk under a file-backend run fails: it fills up, its file system turns read-only, or the
 * run folder becomes unwritable. Each time {@code flush()} or {@code close()} throws a {@link
 * TrackerException} naming the file and the cause, the training thread keeps logging without an
 * exception, and nothing already written is damaged.
 *
 * <p>A full disk and a read-only file system are simulated on the channel the rows are appended
 * to ({@link FileFaultyDisk}): a small quota or a remount needs root tools a build cannot count
 * on. The unwritable folder is real: its permissions, or, where they are not enforced (tests run
 * as root), the immutable attribute ({@code chattr +i}).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DiskTroubleTest {
  private static final int POINTS = 10_000;

  @TempDir Path tmp;

  private Tracker tracker(FileBackend backend) {
    // batches leave only when full (1000 points) or at a flush: which batch fails is known
    return Tracker.builder().backend(backend).seed(7).shutdownHook(false).standardTags(false)
        .systemMetrics(false).flushInterval(Duration.ofHours(1)).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"No space left on device", "Read-only file system"})
  void aFailingDiskFailsFlushWithFileAndCauseTrainingGoesOnAndNothingIsLostOnceItWorks(
      String reason) throws Exception {
    long started = System.nanoTime();
    Path root = tmp.resolve("runs");
    FileFaultyDisk disk = new FileFaultyDisk();
    Tracker tracker = tracker(disk.backend(root));
    Run run = tracker.experiment("disk").startRun("trouble");
    Path csv = root.resolve("disk").resolve(run.id()).resolve(FileBackend.METRICS_FILE);
    log(run, 0, POINTS);
    assertThat(tracker.flush()).isEqualTo(FlushResult.DELIVERED);

    disk.fail(12_345, reason); // a few hundred rows more fit, the last one in part
    AtomicReference<Throwable> trainingFailure = new AtomicReference<>();
    CountDownLatch trained = new CountDownLatch(1);
    Thread training = new Thread(() -> {
      try {
        log(run, POINTS, 3 * POINTS);
      } catch (Throwable t) {
        trainingFailure.set(t);
      } finally {
        trained.countDown();
      }
    }, "training");
    training.start();
    assertThat(trained.await(20, TimeUnit.SECONDS)).as("training finished").isTrue();
    assertThat(trainingFailure.get()).isNull();

    String first = "logging 1000 metrics, 0 params and 0 tags to run " + run.id()
        + " failed on file:" + root + ": writing " + csv + " failed: " + reason + "; ";
    assertThatThrownBy(tracker::flush).isInstanceOf(TrackerException.class)
        .hasMessageMatching("\\d+ backend operations failed; the first: " + Pattern.quote(first)
            + "\\d+ rows not yet written are kept and written when the file can be written"
            + " again")
        .satisfies(e -> assertThat(e.getSuppressed()).isNotEmpty() // later batches, the flush
            .allSatisfy(s -> assertThat(s).hasMessageContaining("writing " + csv + " failed: "
                + reason)));

    // While the disk fails, what was written before reads whole: the earlier rows, the rows
    // that fitted, and the one row cut short skipped as a torn last line.
    MetricsCsv.Result during = MetricsCsv.read(csv);
    assertThat(during.problems()).isEmpty();
    assertThat(during.tornLastLine()).isTrue();
    int storedDuring = during.metrics().size();
    assertThat(storedDuring).isBetween(POINTS + 1, POINTS + 1000);
    assertSteps(during.metrics(), storedDuring);

    disk.heal();
    assertThat(tracker.flush()).isEqualTo(FlushResult.DELIVERED);
    log(run, 3 * POINTS, 4 * POINTS);
    tracker.close();

    MetricsCsv.Result after = MetricsCsv.read(csv);
    assertThat(after.problems()).isEmpty();
    assertThat(after.tornLastLine()).isFalse();
    assertSteps(after.metrics(), 4 * POINTS);
    try (FileBackend reader = FileBackend.create(root)) {
      RunData data = reader.readRun(run.id()).orElseThrow();
      assertThat(data.info().status()).isEqualTo(RunStatus.FINISHED);
      assertThat(data.metrics()).hasSize(4 * POINTS);
    }
    System.out.printf("[figures] disk trouble (%s, then room again): sent %d, stored %d,"
        + " duplicates 0, readable while failing %d, %d ms%n", reason, 4 * POINTS,
        after.metrics().size(), storedDuring, (System.nanoTime() - started) / 1_000_000);
  }

  @Test
  void aDiskThatStaysFullFailsCloseSayingHowManyRowsAreLostAndDamagesNothingWritten()
      throws Exception {
    Path root = tmp.resolve("runs");
    FileFaultyDisk disk = new FileFaultyDisk();
    Tracker tracker = tracker(disk.backend(root));
    Run run = tracker.experiment("disk").startRun("full");
    Path csv = root.resolve("disk").resolve(run.id()).resolve(FileBackend.METRICS_FILE);
    log(run, 0, POINTS);
    tracker.flush();
    disk.fail(0, "No space left on device");
    log(run, POINTS, POINTS + 2500); // two full batches fail now, the rest at close

    assertThatThrownBy(tracker::close).isInstanceOf(TrackerException.class)
        .satisfies(e -> assertThat(messages(e)).contains("ending with status FINISHED of run "
            + run.id() + " failed on file:" + root + ": writing " + csv + " failed: No space"
            + " left on device; 2500 rows that could not be written are lost"));
    assertThat(tracker.isClosed()).isTrue();
    MetricsCsv.Result result = MetricsCsv.read(csv);
    assertThat(result.problems()).isEmpty();
    assertThat(result.tornLastLine()).isFalse();
    assertSteps(result.metrics(), POINTS);
    try (FileBackend reader = FileBackend.create(root)) {
      assertThat(reader.readRun(run.id()).orElseThrow().metrics()).hasSize(POINTS);
    }
  }

  @Test
  void anUnwritableRunFolderFailsFlushAndCloseNamingTheFileAndKeepsEverythingWritten()
      throws Exception {
    Path root = tmp.resolve("runs");
    Tracker tracker = tracker(FileBackend.create(root));
    Run run = tracker.experiment("disk").startRun("read-only");
    Path dir = root.resolve("disk").resolve(run.id());
    run.logParam("lr", 0.1);
    run.setTag("phase", "warm-up");
    log(run, 0, POINTS);
    tracker.flush();
    Map<String, String> paramsBefore;
    try (FileBackend reader = FileBackend.create(root)) {
      paramsBefore = reader.readRun(run.id()).orElseThrow().params();
    }

    Unwritable lock = Unwritable.make(dir);
    try {
      log(run, POINTS, POINTS + POINTS / 2); // metrics.csv is open already: appending goes on
      run.logParam("epochs", 5); // params.yaml must be replaced: fails, the param is kept
      assertThatThrownBy(tracker::flush).isInstanceOf(TrackerException.class)
          .hasMessageContaining("logging 0 metrics, 1 params and 0 tags to run " + run.id()
              + " failed on file:" + root + ": cannot write " + dir.resolve("params.yaml")
              + ": " + lock.reason)
          .hasMessageEndingWith("; 1 params and 0 tags not yet written are kept and written"
              + " when the files can be written again");
      log(run, POINTS + POINTS / 2, 2 * POINTS);
      run.setTag("phase", "train"); // written after the kept param: fails there, both kept
      assertThatThrownBy(tracker::flush).isInstanceOf(TrackerException.class)
          .hasMessageContaining("logging 0 metrics, 0 params and 1 tags to run " + run.id()
              + " failed on file:" + root + ": cannot write " + dir.resolve("params.yaml")
              + ": " + lock.reason)
          .hasMessageEndingWith("; 1 params and 1 tags not yet written are kept and written"
              + " when the files can be written again");
      // close ends the run: run.yaml cannot get its end
      assertThatThrownBy(tracker::close).isInstanceOf(TrackerException.class)
          .hasMessageStartingWith("ending with status FINISHED of run " + run.id()
              + " failed on file:" + root + ": cannot write " + dir.resolve("run.yaml") + ": "
              + lock.reason);
    } finally {
      lock.undo();
    }

    try (FileBackend reader = FileBackend.create(root)) {
      RunData data = reader.readRun(run.id()).orElseThrow();
      assertThat(data.params()).isEqualTo(paramsBefore).containsEntry("lr", "0.1");
      assertThat(data.tags()).containsEntry("phase", "warm-up");
      assertThat(data.info().status()).isEqualTo(RunStatus.RUNNING); // the end was not written
      assertSteps(data.metrics(), 2 * POINTS);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(".lock", "run.yaml", "params.yaml", "metrics.csv",
              "artifacts"); // no temporary file left behind
    }
  }

  // ------------------------------------------------------------------------------ helpers

  /** The messages of an exception and of its suppressed exceptions. */
  private static List<String> messages(Throwable e) {
    return Stream.concat(Stream.of(e), Stream.of(e.getSuppressed()))
        .map(Throwable::getMessage).toList();
  }

  private static void log(Run run, long from, long to) {
    for (long step = from; step < to; step++) {
      run.logMetric("loss", FileChildLogger.value(step), step);
    }
  }

  /** The rows are {@code loss} at steps 0 … count - 1, in order, with their values. */
  private static void assertSteps(List<Metric> rows, int count) {
    assertThat(rows).hasSize(count);
    for (int i = 0; i < count; i++) {
      Metric m = rows.get(i);
      if (m.step() != i || m.value() != FileChildLogger.value(i) || !m.key().equals("loss")) {
        throw new AssertionError("row " + i + " should be loss at step " + i + " but was " + m);
      }
    }
  }

  /**
   * A folder made unwritable: read-only permissions where they are enforced, else (root) the
   * immutable attribute; the test is skipped where neither works.
   */
  private static final class Unwritable {
    final Path dir;
    final String reason;
    private final boolean immutable;

    private Unwritable(Path dir, String reason, boolean immutable) {
      this.dir = dir;
      this.reason = reason;
      this.immutable = immutable;
    }

    static Unwritable make(Path dir) throws IOException, InterruptedException {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
      if (!canCreateIn(dir)) {
        return new Unwritable(dir, "permission denied", false);
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      // permissions are not enforced for this user (root): try the immutable attribute
      if (chattr("+i", dir) && !canCreateIn(dir)) {
        return new Unwritable(dir, "Operation not permitted", true);
      }
      chattr("-i", dir);
      Assumptions.abort("cannot make a folder unwritable here: permissions are not enforced for"
          + " this user and 'chattr +i' is not available");
      throw new AssertionError("unreachable");
    }

    void undo() throws IOException, InterruptedException {
      if (immutable) {
        assertThat(chattr("-i", dir)).isTrue();
      } else {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }

    private static boolean canCreateIn(Path dir) {
      try {
        Files.delete(Files.createFile(dir.resolve("probe")));
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    private static boolean chattr(String flag, Path dir) throws InterruptedException {
      try {
        Process p = new ProcessBuilder("chattr", flag, dir.toString())
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
      } catch (IOException noChattr) {
        return false;
      }
    }
  }
}
