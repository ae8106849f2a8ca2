package dev.tracker.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Metric;
import dev.tracker.RunStatus;
import dev.tracker.testing.ForwardingBackend;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Ops delivered one at a time, on the caller's thread, with a tracker's retries. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DirectDeliveryTest {
  private static final long T0 = 1_700_000_000_000L;

  @TempDir Path tmp;
  private final RecordingBackend server = new RecordingBackend();

  /** The server behind a backend that fails as told, retrying within milliseconds. */
  private final class Flaky extends ForwardingBackend {
    final List<IOException> failures = new ArrayList<>();
    int attempts;

    Flaky() {
      super(server);
    }

    @Override
    public Optional<RemoteDelivery> remoteDelivery() {
      return Optional.of(new RemoteDelivery(tmp, "flaky", Duration.ofMillis(1),
          Duration.ofMillis(2), Duration.ZERO));
    }

    @Override
    public void logBatch(String runId, Batch batch) throws IOException {
      attempts++;
      if (!failures.isEmpty()) {
        IOException e = failures.remove(0);
        if (e instanceof DeliveryException d && d.delivered() > 0) {
          super.logBatch(runId, new Batch(batch.metrics().subList(0, d.delivered()), List.of(),
              List.of()));
        }
        throw e;
      }
      super.logBatch(runId, batch);
    }
  }

  private static List<Metric> points(int n) {
    List<Metric> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Metric("loss", 1.0 / (i + 1), T0 + i, i));
    }
    return out;
  }

  private static RunSpec spec(String runId) {
    return new RunSpec(runId, null, "iris", "lr-0.1", T0, Map.of(), null, false);
  }

  @Test
  void createsTheExperimentByNameThenTheRunThenDeliversAndEndsIt() throws IOException {
    try (DirectDelivery to = DirectDelivery.to(server)) {
      to.createRun(spec("r1"));
      to.logBatch("r1", Batch.ofMetrics(points(3)));
      to.endRun("r1", RunStatus.FINISHED, T0 + 10);
    }

    assertThat(server.calls()).containsExactly("createExperiment", "createRun", "logBatch",
        "endRun");
    assertThat(server.spec("r1").experimentId()).isEqualTo("exp-iris");
    assertThat(server.metrics("r1")).isEqualTo(points(3));
    assertThat(server.status("r1")).isEqualTo(RunStatus.FINISHED);
  }

  @Test
  void aBatchCutShortIsResumedAfterWhatWentThroughAndNothingIsSentTwice() throws IOException {
    Flaky flaky = new Flaky();
    flaky.failures.add(DeliveryException.transientFailure("503 busy", null, null)
        .afterDelivering(2));
    flaky.failures.add(new SocketException("Connection reset"));
    try (DirectDelivery to = DirectDelivery.to(flaky)) {
      to.createRun(spec("r1"));
      to.logBatch("r1", Batch.ofMetrics(points(5)));
    }

    assertThat(flaky.attempts).isEqualTo(3);
    assertThat(server.metrics("r1")).isEqualTo(points(5));
  }

  @Test
  void givesUpAfterThreeAttemptsWithTheLastFailure() throws IOException {
    Flaky flaky = new Flaky();
    for (int i = 0; i < 3; i++) {
      flaky.failures.add(new SocketException("Connection reset"));
    }
    try (DirectDelivery to = DirectDelivery.to(flaky)) {
      to.createRun(spec("r1"));
      assertThatThrownBy(() -> to.logBatch("r1", Batch.ofMetrics(points(2))))
          .isInstanceOf(DeliveryException.class).hasMessage("Connection reset")
          .satisfies(e -> assertThat(((DeliveryException) e).kind())
              .isEqualTo(DeliveryException.Kind.TRANSIENT));
      assertThat(flaky.attempts).isEqualTo(JournalReplay.ATTEMPTS);

      to.logBatch("r1", Batch.ofMetrics(points(2))); // the next op starts afresh
    }
    assertThat(server.metrics("r1")).isEqualTo(points(2));
  }

  @Test
  void aPermanentFailureIsThrownAtOnce() throws IOException {
    Flaky flaky = new Flaky();
    flaky.failures.add(DeliveryException.permanent("run r1 does not exist", null));
    try (DirectDelivery to = DirectDelivery.to(flaky)) {
      assertThatThrownBy(() -> to.logBatch("r1", Batch.ofMetrics(points(2))))
          .isInstanceOf(DeliveryException.class).hasMessage("run r1 does not exist");
    }
    assertThat(flaky.attempts).isEqualTo(1);
  }

  @Test
  void anInterruptedRetryThrowsAnInterruptedIoExceptionAndKeepsTheFlag() throws IOException {
    Flaky flaky = new Flaky();
    flaky.failures.add(new SocketException("Connection reset"));
    try (DirectDelivery to = DirectDelivery.to(flaky)) {
      to.createRun(spec("r1"));
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> to.logBatch("r1", Batch.ofMetrics(points(2))))
          .isInstanceOf(InterruptedIOException.class)
          .hasMessage("interrupted while logging 2 records to run r1");
      assertThat(Thread.interrupted()).isTrue();
    }
    assertThat(flaky.attempts).isEqualTo(1);
  }

  @Test
  void anEmptyBatchSendsNothing() throws IOException {
    try (DirectDelivery to = DirectDelivery.to(server)) {
      to.logBatch("r1", Batch.ofMetrics(List.of()));
    }
    assertThat(server.calls()).isEmpty();
  }
}
