package dev.tracker;

import java.util.Objects;

/**
 * What a backend knows of a run, as read back from it.
 *
 * @param id the run id (32 lowercase hex characters for runs created by Tracker)
 * @param name the run name
 * @param experimentId the experiment's id in the backend
 * @param experimentName the experiment's name
 * @param status the status
 * @param startTime start in milliseconds since the epoch
 * @param endTime end in milliseconds since the epoch, or 0 while the run has not ended
 * @param parentRunId the parent run's id, or null for a top-level run
 */
public record RunInfo(
    String id,
    String name,
    String experimentId,
    String experimentName,
    RunStatus status,
    long startTime,
    long endTime,
    String parentRunId) {
  /** Checks that id and status are present. */
  public RunInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
  }

  /** Milliseconds from start to end, or -1 while the run has not ended. */
  public long durationMillis() {
    return endTime > 0 ? endTime - startTime : -1;
  }
}
