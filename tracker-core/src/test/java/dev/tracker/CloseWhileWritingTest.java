package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import dev.tracker.testing.RemoteRecordingBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A close that times out while the dispatcher is still writing (here: copying an artifact that
 * is slow to read into the journal) returns in time, and what the dispatcher writes afterwards
 * still reaches the journal, for the next tracker.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseWhileWritingTest {
  @TempDir Path tmp;

  private static Tracker.Builder builder(RemoteRecordingBackend backend) {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null);
  }

  private static void logSteps(Run run, int from, int to) {
    for (int i = from; i < to; i++) {
      run.logMetric("loss", i, i, 1_700_000_000_000L + i);
    }
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC}) // mkfifo
  void whatTheDispatcherWritesAfterACloseTimedOutReachesTheJournalAndTheNextTracker()
      throws Exception {
    // a named pipe: copying it into the journal blocks until the test writes into it
    Path pipe = tmp.resolve("model.bin");
    assertThat(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor()).isZero();
    Path journal = tmp.resolve("journal");
    RecordingBackend server = new RecordingBackend();
    CountDownLatch backendClosed = new CountDownLatch(1);
    RemoteRecordingBackend backend = new RemoteRecordingBackend(server, journal) {
      @Override
      public void close() throws IOException {
        super.close();
        backendClosed.countDown();
      }
    };
    Tracker tracker = builder(backend).closeTimeout(Duration.ofMillis(200)).build();
    Run run = tracker.experiment("e").startRun("r");
    String runId = run.id();
    logSteps(run, 0, 100);
    run.logArtifact(pipe, "models");
    logSteps(run, 100, 200);

    assertThatThrownBy(tracker::close).isInstanceOf(TrackerException.class)
        .hasMessageStartingWith("flush did not complete within PT0.2S: the dispatcher is still"
            + " writing to fake://server; records are still queued and will be written");
    assertThat(backendClosed.getCount()).as("the backend closed under the dispatcher")
        .isEqualTo(1);

    try (OutputStream out = Files.newOutputStream(pipe)) {
      out.write("weights".getBytes(StandardCharsets.UTF_8));
    }
    // the dispatcher writes what was queued, then closes the backend and the journal
    assertThat(tracker.pipelineForTest().awaitWorkerEnd(Duration.ofSeconds(30))).isTrue();
    assertThat(backendClosed.getCount()).as("closed once written").isZero();

    try (Tracker next = builder(new RemoteRecordingBackend(server, journal)).build()) {
      Run probe = next.experiment("probe").startRun("p");
      probe.close();
      // leftovers go first: once the probe is delivered, so is everything the first one left
      assertThat(next.flush(Duration.ofSeconds(30))).isEqualTo(FlushResult.DELIVERED);
    }
    assertThat(server.metrics(runId)).extracting(Metric::step)
        .isEqualTo(LongStream.range(0, 200).boxed().toList());
    assertThat(new String(server.artifacts(runId).get("models/model.bin"),
        StandardCharsets.UTF_8)).isEqualTo("weights");
    assertThat(server.status(runId)).isEqualTo(RunStatus.FINISHED);
  }
}
