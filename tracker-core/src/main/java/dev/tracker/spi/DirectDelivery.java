package dev.tracker.spi;

import dev.tracker.DatasetInput;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.internal.delivery.Op;
import dev.tracker.internal.delivery.Uploader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A backend's writes delivered now, on the caller's thread, by the uploader a tracker uses: the
 * same retries with back-off and jitter, {@code Retry-After}, classification of failures, and
 * batches split over {@value Tracker#DEFAULT_UPLOADS_IN_FLIGHT} requests in flight (each key's
 * points in order). {@code tracker sync} uploads run folders with it. Each call returns once its
 * operation was delivered, or throws after {@value JournalReplay#ATTEMPTS} attempts; the
 * back-off is the backend's ({@link TrackingBackend#remoteDelivery()}), the default one for a
 * backend without.
 *
 * <pre>{@code
 * try (DirectDelivery to = DirectDelivery.to(mlflow)) {
 *   to.createRun(spec);
 *   to.logBatch(spec.runId(), batch);
 *   to.endRun(spec.runId(), RunStatus.FINISHED, endTime);
 * }
 * }</pre>
 */
public final class DirectDelivery implements AutoCloseable {
  private final Uploader uploader;

  private DirectDelivery(Uploader uploader) {
    this.uploader = uploader;
  }

  /** Delivers to {@code backend}, which the caller keeps and closes. */
  public static DirectDelivery to(TrackingBackend backend) {
    RemoteDelivery policy = backend.remoteDelivery()
        .orElseGet(() -> RemoteDelivery.of(Path.of(""), backend.describe()));
    return new DirectDelivery(new Uploader(backend, null, policy, null,
        () -> ThreadLocalRandom.current().nextDouble(), System::nanoTime, JournalReplay.ATTEMPTS,
        Tracker.DEFAULT_UPLOADS_IN_FLIGHT));
  }

  /**
   * Creates a run, and its experiment (by {@link RunSpec#experimentName()}) when the server has
   * none of that name; {@link RunSpec#experimentId()} is ignored.
   *
   * @throws DeliveryException when it failed {@value JournalReplay#ATTEMPTS} times, or for good
   */
  public void createRun(RunSpec spec) throws IOException {
    deliver(new Op.CreateRun(spec, false));
  }

  /**
   * Delivers a batch; a batch cut short by a transient failure is resumed after what went
   * through, never sent twice.
   *
   * @throws DeliveryException when it failed {@value JournalReplay#ATTEMPTS} times, or some
   *     records were refused
   */
  public void logBatch(String runId, Batch batch) throws IOException {
    if (!batch.isEmpty()) {
      deliver(new Op.LogBatch(runId, batch));
    }
  }

  /**
   * Stores a file as an artifact of a run.
   *
   * @throws DeliveryException when it failed {@value JournalReplay#ATTEMPTS} times, or for good
   */
  public void logArtifact(String runId, Path file, String artifactPath) throws IOException {
    deliver(new Op.LogArtifact(runId, file.toAbsolutePath().toString(), artifactPath));
  }

  /**
   * Records the data sets a run used ({@link TrackingBackend#logInputs}).
   *
   * @throws DeliveryException when it failed {@value JournalReplay#ATTEMPTS} times, or for good
   */
  public void logInputs(String runId, List<DatasetInput> inputs) throws IOException {
    if (!inputs.isEmpty()) {
      deliver(new Op.LogInputs(runId, inputs));
    }
  }

  /**
   * Ends a run.
   *
   * @throws DeliveryException when it failed {@value JournalReplay#ATTEMPTS} times, or for good
   */
  public void endRun(String runId, RunStatus status, long endTime) throws IOException {
    deliver(new Op.EndRun(runId, status, endTime));
  }

  private void deliver(Op op) throws IOException {
    uploader.deliverNow(op);
  }

  /** Ends the threads of the requests in flight; the backend stays open. Safe to call twice. */
  @Override
  public void close() {
    uploader.closeLanes();
  }
}
