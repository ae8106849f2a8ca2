package dev.tracker.bench;

import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.nio.file.Path;

/**
 * A backend that accepts every record and keeps none, so that a benchmark measures the caller's
 * side of the pipeline only. It counts the metric points it was handed.
 */
final class DiscardingBackend implements TrackingBackend {
  private volatile long metricPoints; // written by the one dispatcher thread only

  /** How many metric points the pipeline handed over so far. */
  long metricPoints() {
    return metricPoints;
  }

  @Override
  public String describe() {
    return "discard";
  }

  @Override
  public String createExperiment(String name) {
    return name;
  }

  @Override
  public void createRun(RunSpec spec) {}

  @Override
  public void logBatch(String runId, Batch batch) {
    metricPoints += batch.metrics().size();
  }

  @Override
  public void logArtifact(String runId, Path file, String artifactPath) {}

  @Override
  public void endRun(String runId, RunStatus status, long endTime) {}

  @Override
  public void close() {}
}
