package dev.tracker.internal.delivery;

import dev.tracker.Backlog;
import dev.tracker.DatasetInput;
import dev.tracker.FlushResult;
import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RemoteDelivery;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Journal-first delivery to a remote backend: the dispatcher appends each write to the {@link
 * Journal}, an {@link Uploader} delivers it. The dispatcher never waits on the server.
 */
public final class JournalSink implements Sink {
  private static final Logger log = LoggerFactory.getLogger(JournalSink.class);
  private static final long STOP_GRACE_MILLIS = 1000;

  private final TrackingBackend backend;
  private final Journal journal;
  private final Uploader uploader;

  /**
   * Opens the journal under the policy's directory and starts the uploader, which first
   * delivers what earlier processes left there.
   *
   * @param sleeper waits between attempts; null for real waits
   * @param inFlight the most requests in flight at once
   * @throws IOException when the journal directory cannot be read
   */
  public JournalSink(TrackingBackend backend, RemoteDelivery policy, long limitBytes,
      InstantSource clock, Sleeper sleeper, int inFlight) throws IOException {
    this.backend = backend;
    this.journal = new Journal(policy.journalDirectory(), policy.server(), limitBytes, clock);
    this.uploader = new Uploader(backend, journal, policy, sleeper,
        () -> ThreadLocalRandom.current().nextDouble(), System::nanoTime, 0,
        inFlight);
    uploader.start();
  }

  /** The journal, for tests. */
  public Journal journal() {
    return journal;
  }

  @Override
  public void createRun(RunSpec spec) throws IOException {
    append(new Op.CreateRun(spec, false));
  }

  @Override
  public void logBatch(String runId, Batch batch) throws IOException {
    append(new Op.LogBatch(runId, batch));
  }

  @Override
  public void logArtifact(String runId, Path file, String artifactPath) throws IOException {
    try {
      journal.appendArtifact(runId, file, artifactPath);
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  @Override
  public void logArtifact(String runId, byte[] content, String artifactPath)
      throws IOException {
    try {
      journal.appendArtifact(runId, content, artifactPath);
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  @Override
  public void logInputs(String runId, List<DatasetInput> inputs) throws IOException {
    append(new Op.LogInputs(runId, inputs));
  }

  @Override
  public void endRun(String runId, RunStatus status, long endTime) throws IOException {
    append(new Op.EndRun(runId, status, endTime));
  }

  private void append(Op op) throws IOException {
    try {
      journal.append(op);
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  private static IOException interrupted(InterruptedException e) {
    return interrupted("waiting for room in the journal", e);
  }

  /** Restores the interrupt flag and says what was interrupted, as an I/O failure. */
  static InterruptedIOException interrupted(String what, InterruptedException e) {
    Thread.currentThread().interrupt();
    InterruptedIOException io = new InterruptedIOException("interrupted while " + what);
    io.initCause(e);
    return io;
  }

  @Override
  public Durable flush() throws IOException {
    journal.force();
    return new Durable(FlushResult.SPOOLED, journal.appended());
  }

  @Override
  public FlushResult awaitDelivered(Durable mark, long deadline) throws InterruptedException {
    return journal.awaitDelivered(mark.mark(), deadline) ? FlushResult.DELIVERED
        : FlushResult.SPOOLED;
  }

  @Override
  public List<Exception> takeFailures() {
    return uploader.takeFailures();
  }

  @Override
  public Optional<String> waitingForRoom() {
    return journal.waitingForRoom();
  }

  @Override
  public boolean caughtUp() {
    return journal.pending() == 0;
  }

  @Override
  public Backlog backlog() {
    long pending = journal.pending();
    return new Backlog(pending, 0, 0, journal.directory().toString(), journal.server());
  }

  @Override
  public Backlog close(long deadline) throws IOException {
    IOException failure = null;
    try {
      journal.force();
    } catch (IOException e) {
      // not on disk for sure, but still delivered if the server takes it; and whatever
      // failed, the uploader stops and the journal lets go of its segments' locks below
      failure = e;
    }
    try {
      journal.awaitDelivered(journal.appended(), deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    uploader.stop();
    try {
      // cancels a request in flight, so that the uploader lets go of the journal
      backend.close();
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    try {
      if (!uploader.join(STOP_GRACE_MILLIS)) {
        log.warn("the uploader for {} did not stop within {} ms", journal.server(),
            STOP_GRACE_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Backlog left = journal.close();
    if (!left.isEmpty()) {
      log.warn("{}", left.describe());
    }
    if (failure != null) {
      throw failure;
    }
    return left;
  }

}
