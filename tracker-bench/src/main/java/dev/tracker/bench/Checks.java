package dev.tracker.bench;

import dev.tracker.http.testing.FakeMlflowServer;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/** What a benchmark checks after it ran, so that a fast result is never a lossy one. */
final class Checks {
  private Checks() {}

  /**
   * Fails unless the server's run received every point of the {@link Workload} exactly once,
   * every param and tag, and ended FINISHED. Forgets the server's runs afterwards.
   *
   * @throws IllegalStateException naming what is missing
   */
  static void everythingArrived(FakeMlflowServer server, String runId) {
    everythingArrived(server, runId, Workload.STEPS);
  }

  /** As {@link #everythingArrived(FakeMlflowServer, String)}, for a workload of {@code steps}. */
  static void everythingArrived(FakeMlflowServer server, String runId, int steps) {
    if (runId == null || !server.runs().contains(runId)) {
      throw new IllegalStateException("the server has no run " + runId);
    }
    FakeMlflowServer.Run r = server.run(runId);
    Map<String, BitSet> seen = new HashMap<>();
    long twice = 0;
    for (FakeMlflowServer.Point p : r.metrics()) {
      BitSet keySteps = seen.computeIfAbsent(p.key(), k -> new BitSet());
      if (p.step() >= 0 && p.step() < Integer.MAX_VALUE) {
        twice += keySteps.get((int) p.step()) ? 1 : 0;
        keySteps.set((int) p.step());
      }
    }
    long missing = 0;
    for (String key : Workload.METRIC_KEYS) {
      BitSet s = seen.get(key);
      missing += steps - (s == null ? 0 : s.get(0, steps).cardinality());
    }
    long points = (long) steps * Workload.METRIC_KEYS.size();
    if (missing != 0 || r.metrics().size() != points || twice != 0) {
      throw new IllegalStateException("expected " + points + " points in run " + runId
          + " but the server received " + r.metrics().size() + " (" + missing + " missing, "
          + twice + " twice)");
    }
    requireAll("param", Workload.PARAM_VALUES, r.params(), runId);
    requireAll("tag", Workload.TAG_VALUES, r.tags(), runId);
    if (!"FINISHED".equals(r.status())) {
      throw new IllegalStateException("expected run " + runId + " to be FINISHED but was "
          + r.status());
    }
    server.clearRuns();
  }

  /** The id of the server's run named {@code runName}, or null. */
  static String runIdByName(FakeMlflowServer server, String runName) {
    for (String id : server.runs()) {
      if (runName.equals(server.run(id).name())) {
        return id;
      }
    }
    return null;
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
