package dev.tracker.spi;

import java.util.Map;
import java.util.Objects;

/**
 * What a backend needs to create (or resume) a run.
 *
 * @param runId the run's id, chosen by Tracker: 32 lowercase hex characters, or the id given to
 *     resume a run
 * @param experimentId the experiment's id as returned by {@link TrackingBackend#createExperiment}
 * @param experimentName the experiment's name
 * @param runName the run's name ({@code mlflow.runName})
 * @param startTime milliseconds since the epoch
 * @param tags the tags known at start (standard {@code mlflow.*} tags among them)
 * @param parentRunId the parent run's id, or null
 * @param resume true when the run already exists in the backend and is to be continued
 */
public record RunSpec(
    String runId,
    String experimentId,
    String experimentName,
    String runName,
    long startTime,
    Map<String, String> tags,
    String parentRunId,
    boolean resume) {
  /** Copies the tags. */
  public RunSpec {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(experimentName, "experimentName");
    tags = Map.copyOf(tags);
  }
}
