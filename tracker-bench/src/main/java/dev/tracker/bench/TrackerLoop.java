package dev.tracker.bench;

import dev.tracker.Run;
import dev.tracker.Tracker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The {@link Workload} logged with Tracker, the way its users write it. */
final class TrackerLoop {
  private TrackerLoop() {}

  /**
   * A tracker with the http backend (tracker-http, found for the URI's scheme) logging to the
   * experiment "tracker" at {@code uri}, spooling under {@code spool}; no shutdown hook, no
   * standard tags, nothing read from the environment or system properties.
   */
  static Tracker http(String uri, Path spool) {
    Map<String, String> env = Map.of("TRACKER_SPOOL_DIR", spool.toString());
    return Tracker.builder().uri(uri).experiment("tracker").shutdownHook(false)
        .standardTags(false).environment(env::get).systemProperties(k -> null).build();
  }

  /**
   * Starts a run named {@code runName}, logs the params, the tags and every point of {@code
   * steps} steps one call each, and closes the run: it ends, and the backend delivers
   * everything (for the http backend, the run is FINISHED on the server once it has all of it).
   *
   * @return the nanoseconds the calling thread spent in the logging calls, from starting the
   *     run to the last point (the run's close excluded)
   */
  static long perPoint(Tracker tracker, String runName, int steps) {
    long start = System.nanoTime();
    Run run = tracker.experiment().startRun(runName);
    long logging;
    try {
      run.logParams(Workload.PARAM_VALUES);
      run.setTags(Workload.TAG_VALUES);
      List<String> keys = Workload.METRIC_KEYS;
      for (int step = 0; step < steps; step++) {
        for (int k = 0; k < keys.size(); k++) {
          run.logMetric(keys.get(k), Workload.value(k, step), step);
        }
      }
      logging = System.nanoTime() - start;
    } finally {
      run.close();
    }
    return logging;
  }
}
