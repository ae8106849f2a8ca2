package dev.tracker.internal.delivery;

import dev.tracker.Backlog;
import dev.tracker.DatasetInput;
import dev.tracker.FlushResult;
import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;

/** Writes straight to a local backend (files) on the dispatcher thread. */
public final class DirectSink implements Sink {
  private final TrackingBackend backend;
  private final Map<String, String> experimentIds = new HashMap<>();

  /** A sink for a backend that writes directly. */
  public DirectSink(TrackingBackend backend) {
    this.backend = backend;
  }

  @Override
  public void createRun(RunSpec spec) throws IOException {
    String experimentId = experimentIds.get(spec.experimentName());
    if (experimentId == null) {
      experimentId = backend.createExperiment(spec.experimentName());
      experimentIds.put(spec.experimentName(), experimentId);
    }
    backend.createRun(new RunSpec(spec.runId(), experimentId, spec.experimentName(),
        spec.runName(), spec.startTime(), spec.tags(), spec.parentRunId(), spec.resume()));
  }

  @Override
  public void logBatch(String runId, Batch batch) throws IOException {
    backend.logBatch(runId, batch);
  }

  @Override
  public void logArtifact(String runId, Path file, String artifactPath) throws IOException {
    backend.logArtifact(runId, file, artifactPath);
  }

  @Override
  public void logArtifact(String runId, byte[] content, String artifactPath)
      throws IOException {
    backend.logArtifact(runId, content, artifactPath);
  }

  @Override
  public void logInputs(String runId, List<DatasetInput> inputs) throws IOException {
    backend.logInputs(runId, inputs);
  }

  @Override
  public void endRun(String runId, RunStatus status, long endTime) throws IOException {
    backend.endRun(runId, status, endTime);
  }

  @Override
  public Durable flush() throws IOException {
    return new Durable(backend.flush(), 0);
  }

  @Override
  public FlushResult awaitDelivered(Durable mark, long deadline) {
    return mark.result();
  }

  @Override
  public List<Exception> takeFailures() {
    return List.of();
  }

  @Override
  public Optional<String> waitingForRoom() {
    return Optional.empty();
  }

  @Override
  public boolean caughtUp() {
    return false;
  }

  @Override
  public Backlog backlog() {
    return new Backlog(0, 0, 0, "", backend.describe());
  }

  @Override
  public Backlog close(long deadline) throws IOException {
    backend.close();
    return backlog();
  }
}
