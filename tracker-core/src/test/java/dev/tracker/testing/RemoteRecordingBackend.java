package dev.tracker.testing;

import dev.tracker.spi.Batch;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.RemoteDelivery;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link RecordingBackend} that asks for journal-first delivery (as a remote backend does), with
 * millisecond back-offs, and fails its next batches as scripted. Tests may override calls.
 */
public class RemoteRecordingBackend extends ForwardingBackend {
  private final Path journal;
  private final ConcurrentLinkedQueue<DeliveryException> batchFailures =
      new ConcurrentLinkedQueue<>();

  /** Records into {@code recording}; journals under {@code journal}. */
  public RemoteRecordingBackend(RecordingBackend recording, Path journal) {
    super(recording);
    this.journal = journal;
  }

  /** The recording backend behind. */
  public RecordingBackend recording() {
    return (RecordingBackend) delegate;
  }

  /** The next batch fails with {@code e} (after delivering its first {@code e.delivered()}). */
  public void failNextBatch(DeliveryException e) {
    batchFailures.add(e);
  }

  @Override
  public String describe() {
    return "fake://server";
  }

  @Override
  public Optional<RemoteDelivery> remoteDelivery() {
    return Optional.of(new RemoteDelivery(journal, describe(), Duration.ofMillis(1),
        Duration.ofMillis(5), Duration.ZERO));
  }

  @Override
  public void logBatch(String runId, Batch batch) throws IOException {
    DeliveryException e = batchFailures.poll();
    if (e == null) {
      delegate.logBatch(runId, batch);
      return;
    }
    if (e.delivered() > 0) {
      Batch all = batch;
      int n = e.delivered();
      delegate.logBatch(runId, new Batch(all.metrics().subList(0, Math.min(n,
          all.metrics().size())), java.util.List.of(), java.util.List.of()));
    }
    throw e;
  }
}
