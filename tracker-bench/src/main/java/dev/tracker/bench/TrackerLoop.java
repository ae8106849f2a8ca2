package dev.tracker.bench;

import dev.tracker.Run;
import dev.tracker.Tracker;
import java.util.List;

/** The {@link Workload} logged with Tracker, the way its users write it. */
final class TrackerLoop {
  private TrackerLoop() {}

  /**
   * Starts a run named {@code runName}, logs the params, the tags and every point of {@code
   * steps} steps one call each, and closes the run: it ends, and the call returns once the
   * backend has everything (for the http backend: the server acknowledged it).
   */
  static void perPoint(Tracker tracker, String runName, int steps) {
    try (Run run = tracker.experiment().startRun(runName)) {
      run.logParams(Workload.PARAM_VALUES);
      run.setTags(Workload.TAG_VALUES);
      List<String> keys = Workload.METRIC_KEYS;
      for (int step = 0; step < steps; step++) {
        for (int k = 0; k < keys.size(); k++) {
          run.logMetric(keys.get(k), Workload.value(k, step), step);
        }
      }
    }
  }
}
