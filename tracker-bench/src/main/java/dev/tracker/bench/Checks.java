package dev.tracker.bench;

import dev.tracker.http.testing.FakeMlflowServer;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What a benchmark checks after it ran, so that a fast result is never a lossy one. */
final class Checks {
  private Checks() {}

  /**
   * Fails unless the server's run received every point of the {@link Workload} exactly once,
   * every param and tag, and ended FINISHED.
   *
   * @throws IllegalStateException naming what is missing
   */
  static void everythingArrived(FakeMlflowServer server, String runId) {
    everythingArrived(server, runId, Workload.STEPS);
  }

  /** As {@link #everythingArrived(FakeMlflowServer, String)}, for a workload of {@code steps}. */
  static void everythingArrived(FakeMlflowServer server, String runId, int steps) {
    FakeMlflowServer.Run r = everyPoint(server, runId, Workload.METRIC_KEYS, steps);
    requireAll("param", Workload.PARAM_VALUES, r.params(), runId);
    requireAll("tag", Workload.TAG_VALUES, r.tags(), runId);
    requireFinished(r);
  }

  /**
   * Fails unless the server's run received the points of {@code keys} at steps {@code
   * 0..steps-1} exactly once, and nothing else, and ended FINISHED.
   *
   * @throws IllegalStateException naming what is missing
   */
  static void pointsArrived(FakeMlflowServer server, String runId, List<String> keys,
      int steps) {
    requireFinished(everyPoint(server, runId, keys, steps));
  }

  private static FakeMlflowServer.Run everyPoint(FakeMlflowServer server, String runId,
      List<String> keys, int steps) {
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
    for (String key : keys) {
      BitSet s = seen.get(key);
      missing += steps - (s == null ? 0 : s.get(0, steps).cardinality());
    }
    long points = (long) steps * keys.size();
    if (missing != 0 || r.metrics().size() != points || twice != 0) {
      throw new IllegalStateException("expected " + points + " points in run " + runId
          + " but the server received " + r.metrics().size() + " (" + missing + " missing, "
          + twice + " twice)");
    }
    return r;
  }

  private static void requireFinished(FakeMlflowServer.Run r) {
    if (!"FINISHED".equals(r.status())) {
      throw new IllegalStateException("expected run " + r.id() + " to be FINISHED but was "
          + r.status());
    }
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
