package dev.tracker.bench;

import java.util.Map;

/** What a benchmark checks after it ran, so that a fast result is never a lossy one. */
final class Checks {
  private Checks() {}

  /**
   * Fails unless the server's run received every point of the {@link Workload} exactly once,
   * every param and tag, and ended FINISHED. Forgets the run afterwards.
   *
   * @throws IllegalStateException naming what is missing
   */
  static void everythingArrived(MlflowServer server, String runId) {
    everythingArrived(server, runId, Workload.STEPS);
  }

  /** As {@link #everythingArrived(MlflowServer, String)}, for a workload of {@code steps}. */
  static void everythingArrived(MlflowServer server, String runId, int steps) {
    MlflowServer.Received r = runId == null ? null : server.received(runId);
    if (r == null) {
      throw new IllegalStateException("the server has no run " + runId);
    }
    long points = (long) steps * Workload.METRIC_KEYS.size();
    long missing = server.missingPoints(runId, Workload.keys(), steps);
    if (missing != 0 || r.metricPoints() != points || r.duplicatePoints() != 0) {
      throw new IllegalStateException("expected " + points + " points in run " + runId
          + " but the server received " + r.metricPoints() + " (" + missing + " missing, "
          + r.duplicatePoints() + " twice)");
    }
    requireAll("param", Workload.PARAM_VALUES, r.params(), runId);
    requireAll("tag", Workload.TAG_VALUES, r.tags(), runId);
    if (!"FINISHED".equals(r.status())) {
      throw new IllegalStateException("expected run " + runId + " to be FINISHED but was "
          + r.status());
    }
    server.clearRuns();
  }

  private static void requireAll(String kind, Map<String, String> expected,
      Map<String, String> got, String runId) {
    for (Map.Entry<String, String> e : expected.entrySet()) {
      if (!e.getValue().equals(got.get(e.getKey()))) {
        throw new IllegalStateException("expected " + kind + " '" + e.getKey() + "' = '"
            + e.getValue() + "' in run " + runId + " but was " + got.get(e.getKey()));
      }
    }
  }
}
