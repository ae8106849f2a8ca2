package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunData;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A JVM killed with SIGKILL while logging leaves every flushed row readable and none torn. */
class KilledWriterTest {
  private static final int FLUSHED_BEFORE_KILL = 20_000;

  @TempDir Path root;

  /** The child JVM: logs batches forever, printing how many rows each flush covered. */
  public static void main(String[] args) {
    Tracker tracker = Tracker.builder().uri(Path.of(args[0]).toUri().toString())
        .shutdownHook(false).standardTags(false).build();
    Run run = tracker.experiment("killed").startRun("victim");
    System.out.println("run " + run.id());
    for (long step = 0; ; step++) {
      run.logMetric("loss", 1.0 / (step + 1), step);
      if (step % 1000 == 999) {
        tracker.flush();
        System.out.println("flushed " + (step + 1));
        System.out.flush();
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyRowFlushedBeforeAKillIsReadableAndTheRunStaysRunning() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        KilledWriterTest.class.getName(), root.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String runId = null;
    long flushed = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while (flushed < FLUSHED_BEFORE_KILL && (line = out.readLine()) != null) {
        if (line.startsWith("run ")) {
          runId = line.substring(4);
        } else if (line.startsWith("flushed ")) {
          flushed = Long.parseLong(line.substring(8));
        }
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(runId).isNotNull();
    assertThat(flushed).isGreaterThanOrEqualTo(FLUSHED_BEFORE_KILL);

    Path csv = root.resolve("killed").resolve(runId).resolve("metrics.csv");
    MetricsCsv.Result result = MetricsCsv.read(csv);
    assertThat(result.problems()).isEmpty();
    List<Metric> rows = result.metrics();
    assertThat(rows.size()).isGreaterThanOrEqualTo((int) flushed);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i).step()).isEqualTo(i);
      assertThat(rows.get(i).value()).isEqualTo(1.0 / (i + 1));
    }
    try (FileBackend reader = FileBackend.create(root)) {
      RunData run = reader.readRun(runId).orElseThrow();
      assertThat(run.info().status()).isEqualTo(RunStatus.RUNNING);
      assertThat(run.params()).containsKey("seed");
      assertThat(run.metrics()).hasSize(rows.size());
    }
  }
}
