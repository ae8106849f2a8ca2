package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunData;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.file.FileBackend;
import dev.tracker.file.MetricsCsv;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM logging through a whole {@link Tracker} to the file backend is killed with SIGKILL
 * ({@link ProcessHandle#destroyForcibly()}) in the middle of its run: nothing flushed is lost,
 * nothing is torn but at most the last line, and the run is resumed with no broken line.
 *
 * <p>A killed run reads as {@link RunStatus#RUNNING}: a SIGKILL runs no shutdown hook, and a
 * reader cannot tell a dead writer from a live one in another process (a heartbeat would be
 * needed), so the file backend does not guess. Resuming the run and closing it ends it.
 */
class FileKillTest {
  /** How many points the child must have flushed before it is killed. */
  private static final long FLUSHED_BEFORE_KILL = 50_000;
  private static final int RESUMED_POINTS = 10_000;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void everyRowFlushedBeforeAKillIsReadIntactAndTheResumedRunAppendsAfterIt() throws Exception {
    Path root = tmp.resolve("runs");
    long started = System.nanoTime();
    Process child = FileChildLogger.start(tmp.resolve("child.err"), "kill", root.toString());
    String runId = null;
    long flushed = 0;
    try (BufferedReader out = FileChildLogger.output(child)) {
      String line;
      while (flushed < FLUSHED_BEFORE_KILL && (line = out.readLine()) != null) {
        if (line.startsWith("run ")) {
          runId = line.substring(4);
        } else if (line.startsWith("flushed ")) {
          flushed = Long.parseLong(line.substring(8));
        }
      }
      child.destroyForcibly(); // SIGKILL: the child is still logging
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(flushed).as("points flushed; child's stderr: %s", stderr())
        .isGreaterThanOrEqualTo(FLUSHED_BEFORE_KILL);
    assertThat(child.exitValue()).isEqualTo(137); // 128 + SIGKILL: killed, not ended

    // What the kill left: every row up to the last whole line, in order, exact.
    Path csv = root.resolve(FileChildLogger.KILLED_EXPERIMENT).resolve(runId)
        .resolve(FileBackend.METRICS_FILE);
    MetricsCsv.Result left = MetricsCsv.read(csv);
    assertThat(left.problems()).isEmpty();
    List<Metric> rows = left.metrics();
    assertThat((long) rows.size()).isGreaterThanOrEqualTo(flushed);
    assertSteps(rows, 0, rows.size());
    try (FileBackend reader = FileBackend.create(root)) {
      RunData run = reader.readRun(runId).orElseThrow();
      assertThat(run.info().status()).isEqualTo(RunStatus.RUNNING);
      assertThat(run.info().endTime()).isZero();
      assertThat(run.params()).containsEntry("seed", Long.toString(FileChildLogger.SEED));
      assertThat(run.metrics()).isEqualTo(rows);
    }

    // A tracker resuming the run appends after what the kill left, with no broken line.
    int before = rows.size();
    try (Tracker tracker = FileChildLogger.tracker(root).resumeRun(runId).build()) {
      Run run = tracker.experiment(FileChildLogger.KILLED_EXPERIMENT).startRun("victim");
      assertThat(run.id()).isEqualTo(runId);
      for (long step = before; step < before + RESUMED_POINTS; step++) {
        run.logMetric("loss", FileChildLogger.value(step), step);
      }
    }
    MetricsCsv.Result after = MetricsCsv.read(csv);
    assertThat(after.tornLastLine()).isFalse();
    assertThat(after.metrics()).hasSize(before + RESUMED_POINTS);
    assertSteps(after.metrics(), 0, before + RESUMED_POINTS);
    // the row the kill cut short was moved out when the run was resumed: a clean CSV
    assertThat(after.problems()).isEmpty();
    assertThat(csv.resolveSibling("metrics.csv.torn").toFile().exists())
        .isEqualTo(left.tornLastLine());
    try (FileBackend reader = FileBackend.create(root)) {
      assertThat(reader.readRun(runId).orElseThrow().info().status())
          .isEqualTo(RunStatus.FINISHED);
    }
    System.out.printf("[figures] process killed: flushed before kill %d, rows read after kill %d,"
        + " torn rows %d, resumed +%d, rows read %d, duplicates 0, %d ms%n", flushed, before,
        left.tornLastLine() ? 1 : 0, RESUMED_POINTS, after.metrics().size(),
        (System.nanoTime() - started) / 1_000_000);
  }

  /** The rows are steps {@code from … to - 1} of {@code loss}, in order, with their values. */
  private static void assertSteps(List<Metric> rows, int from, int to) {
    assertThat(rows).hasSize(to - from);
    for (int i = 0; i < rows.size(); i++) {
      Metric m = rows.get(i);
      long step = from + i;
      if (m.step() != step || m.value() != FileChildLogger.value(step)
          || !m.key().equals("loss")) {
        throw new AssertionError("row " + i + " should be loss at step " + step + " = "
            + FileChildLogger.value(step) + " but was " + m);
      }
    }
  }

  private String stderr() throws java.io.IOException {
    Path err = tmp.resolve("child.err");
    return Files.exists(err) ? Files.readString(err) : "";
  }
}
