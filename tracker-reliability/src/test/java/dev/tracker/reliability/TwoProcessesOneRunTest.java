package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunStatus;
import dev.tracker.file.FileBackend;
import dev.tracker.file.MetricsCsv;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs append to one file-backend run at the same time: one creates the run, the other
 * resumes it by id ({@code Tracker.builder().resumeRun(id)}).
 *
 * <p>What keeps them apart is whole-line appends: each batch of rows is encoded as complete lines
 * and written with one {@code write} call on a {@code metrics.csv} opened with {@code O_APPEND}, so
 * the operating system places each batch at the end of the file as one piece and two batches never
 * interleave inside a line. The {@code .lock} file in the run folder is taken only for the YAML
 * files (params and tags are merged, not overwritten) and for the header or the mark of a cut
 * line when {@code metrics.csv} is opened; appending rows takes it shared, so the two writers
 * append at once and only wait for one of those.
 */
class TwoProcessesOneRunTest {
  private static final long POINTS = 200_000;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void twoProcessesAppendingToOneRunNeverTearOrInterleaveARowAndLoseNothing() throws Exception {
    Path root = tmp.resolve("runs");
    long started = System.nanoTime();
    Process a = FileChildLogger.start(tmp.resolve("a.err"), "writer", root.toString(), "a",
        Long.toString(POINTS));
    Process b = null;
    try (BufferedReader outA = FileChildLogger.output(a)) {
      String runId = expect(outA, "run ", "a").substring(4);
      b = FileChildLogger.start(tmp.resolve("b.err"), "writer", root.toString(), "b",
          Long.toString(POINTS), runId);
      try (BufferedReader outB = FileChildLogger.output(b)) {
        assertThat(expect(outB, "run ", "b")).isEqualTo("run " + runId);
        // both have the run open: start them together
        for (Process p : List.of(a, b)) {
          OutputStream in = p.getOutputStream();
          in.write("go\n".getBytes(StandardCharsets.UTF_8));
          in.flush();
        }
        assertThat(expect(outA, "done ", "a")).isEqualTo("done " + POINTS);
        assertThat(expect(outB, "done ", "b")).isEqualTo("done " + POINTS);
      }
      assertThat(FileChildLogger.await(a, 30)).isZero();
      assertThat(FileChildLogger.await(b, 30)).isZero();
      long millis = (System.nanoTime() - started) / 1_000_000;

      Path csv = root.resolve(FileChildLogger.SHARED_EXPERIMENT).resolve(runId)
          .resolve(FileBackend.METRICS_FILE);
      MetricsCsv.Result result = MetricsCsv.read(csv);
      assertThat(result.problems()).isEmpty();
      assertThat(result.tornLastLine()).isFalse();
      List<Metric> rows = result.metrics();
      assertThat(rows).hasSize((int) (2 * POINTS));
      assertThat(Files.readAllLines(csv)).hasSize((int) (2 * POINTS + 1)); // + the header only
      assertWriter(rows, "writer/a");
      assertWriter(rows, "writer/b");
      try (FileBackend reader = FileBackend.create(root)) {
        RunData run = reader.readRun(runId).orElseThrow();
        assertThat(run.info().status()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.params()).containsEntry("seed", Long.toString(FileChildLogger.SEED));
        assertThat(run.metrics()).isEqualTo(rows);
      }
      System.out.printf("[figures] two processes, one run: sent %d, stored %d, duplicates 0,"
          + " torn or interleaved rows 0, switches between writers in the file %d, %d ms%n",
          2 * POINTS, rows.size(), switches(rows), millis);
    } finally {
      a.destroyForcibly();
      if (b != null) {
        b.destroyForcibly();
      }
    }
  }

  /** The writer's rows are steps 0 … POINTS - 1 in file order, each once, with its value. */
  private static void assertWriter(List<Metric> rows, String key) {
    long next = 0;
    for (Metric m : rows) {
      if (!m.key().equals(key)) {
        continue;
      }
      if (m.step() != next || m.value() != FileChildLogger.value(next)) {
        throw new AssertionError(key + ": expected step " + next + " = "
            + FileChildLogger.value(next) + " but the next row was " + m);
      }
      next++;
    }
    assertThat(next).as("rows of %s", key).isEqualTo(POINTS);
  }

  /** How often the file goes from one writer's rows to the other's: how much they overlapped. */
  private static int switches(List<Metric> rows) {
    int n = 0;
    for (int i = 1; i < rows.size(); i++) {
      if (!rows.get(i).key().equals(rows.get(i - 1).key())) {
        n++;
      }
    }
    return n;
  }

  /** The next line of a child's output, which must start with {@code prefix}. */
  private String expect(BufferedReader out, String prefix, String child) throws IOException {
    String line = out.readLine();
    if (line == null || !line.startsWith(prefix)) {
      Path err = tmp.resolve(child + ".err");
      throw new AssertionError("child " + child + " should print '" + prefix + "…' but printed "
          + line + "; its stderr: " + (Files.exists(err) ? Files.readString(err) : ""));
    }
    return line;
  }
}
