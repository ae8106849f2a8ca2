package dev.tracker.bench;

import dev.tracker.internal.NoopBackend;
import dev.tracker.spi.Batch;
import dev.tracker.testing.ForwardingBackend;

/**
 * A backend that accepts every record and keeps none ({@code Tracker.noop()}'s backend), so that
 * a benchmark measures the caller's side of the pipeline only. It counts the metric points it was
 * handed.
 */
final class DiscardingBackend extends ForwardingBackend {
  private volatile long metricPoints; // written by the one dispatcher thread only

  DiscardingBackend() {
    super(new NoopBackend());
  }

  /** How many metric points the pipeline handed over so far. */
  long metricPoints() {
    return metricPoints;
  }

  @Override
  public String describe() {
    return "discard";
  }

  @Override
  public void logBatch(String runId, Batch batch) {
    metricPoints += batch.metrics().size();
  }
}
