package dev.tracker.internal;

import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.nio.file.Path;

/** The backend of {@code Tracker.noop()}: accepts everything, keeps nothing. */
public final class NoopBackend implements TrackingBackend {
  @Override
  public String describe() {
    return "noop";
  }

  @Override
  public String createExperiment(String name) {
    return name;
  }

  @Override
  public void createRun(RunSpec spec) {}

  @Override
  public void logBatch(String runId, Batch batch) {}

  @Override
  public void logArtifact(String runId, Path file, String artifactPath) {}

  @Override
  public void logArtifact(String runId, byte[] content, String artifactPath) {}

  @Override
  public void endRun(String runId, RunStatus status, long endTime) {}

  @Override
  public void logInputs(String runId, java.util.List<dev.tracker.DatasetInput> inputs) {}

  @Override
  public void close() {}
}
