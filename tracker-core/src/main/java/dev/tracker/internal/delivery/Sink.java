package dev.tracker.internal.delivery;

import dev.tracker.Backlog;
import dev.tracker.DatasetInput;
import dev.tracker.FlushResult;
import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the dispatcher hands a run's writes: straight to a local backend ({@link DirectSink}), or
 * to the journal that an uploader delivers to a remote one ({@link JournalSink}). Called from the
 * dispatcher thread only, except {@link #awaitDelivered} and {@link #takeFailures}.
 */
public sealed interface Sink permits DirectSink, JournalSink {
  /** Creates the run (its experiment first, when needed). */
  void createRun(RunSpec spec) throws IOException;

  /** Records a batch. */
  void logBatch(String runId, Batch batch) throws IOException;

  /** Stores a file as an artifact. */
  void logArtifact(String runId, Path file, String artifactPath) throws IOException;

  /** Stores bytes as an artifact. */
  void logArtifact(String runId, byte[] content, String artifactPath) throws IOException;

  /** Records data sets a run used. */
  void logInputs(String runId, List<DatasetInput> inputs) throws IOException;

  /** Ends a run. */
  void endRun(String runId, RunStatus status, long endTime) throws IOException;

  /**
   * Makes everything handed over durable (written by the backend, or forced to the journal).
   *
   * @return how far delivery goes now, and the mark to wait for with {@link #awaitDelivered}
   */
  Durable flush() throws IOException;

  /**
   * Waits, on the caller's thread, until what was durable at {@code mark} is delivered, until
   * {@code deadline} ({@link System#nanoTime()}).
   */
  FlushResult awaitDelivered(Durable mark, long deadline) throws InterruptedException;

  /** Failures found away from the dispatcher since the last call (the uploader's). */
  List<Exception> takeFailures();

  /**
   * True when records handed over now would go out at once: a remote sink whose uploader has
   * delivered everything and waits for more. The dispatcher then hands records over sooner than
   * the flush interval ({@code Pipeline#EAGER_INTERVAL}), so that the server is never far behind
   * the loop and a run's end finds little left to send. Always false for a local backend, which
   * writes in the dispatcher's batches.
   */
  boolean caughtUp();

  /**
   * Why making records durable waits on the server now, or empty: a remote sink whose journal is
   * at its limit. Always empty for a local backend, whose writes wait on the disk only.
   */
  Optional<String> waitingForRoom();

  /** What waits undelivered (empty for a local backend). */
  Backlog backlog();

  /**
   * Delivers until {@code deadline}, then stops delivering and closes the backend.
   *
   * @return what was left undelivered
   */
  Backlog close(long deadline) throws IOException;

  /** Where records stand after a flush. */
  record Durable(FlushResult result, long mark) {}
}
