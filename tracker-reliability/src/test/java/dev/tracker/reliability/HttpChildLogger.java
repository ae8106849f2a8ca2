package dev.tracker.reliability;

import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.Tracker;

/**
 * The child JVM of {@link HttpKillTest}: logs one run to the MLflow server that the environment
 * names ({@code MLFLOW_TRACKING_URI}, {@code TRACKER_SPOOL_DIR}, {@code MLFLOW_HTTP_REQUEST_*}),
 * as an MLflow user's program would, until it is killed. After each flush it prints {@code
 * flushed <points> <DELIVERED|SPOOLED>}: every point up to there is then acknowledged or on disk.
 */
final class HttpChildLogger {
  static final String EXPERIMENT = "killed";
  static final String KEY = "loss";
  static final int POINTS_PER_FLUSH = 1000;
  private static final long START = 1_700_000_000_000L;

  private HttpChildLogger() {}

  /** The point the child logs at {@code step}, so that the parent knows what to expect. */
  static Metric point(long step) {
    return new Metric(KEY, step / 8.0, START + step, step);
  }

  public static void main(String[] args) {
    Tracker tracker = Tracker.builder().shutdownHook(false).standardTags(false).build();
    Run run = tracker.experiment(EXPERIMENT).startRun("victim");
    run.logParam("lr", 0.1);
    System.out.println("run " + run.id());
    for (long step = 0; ; step++) {
      Metric m = point(step);
      run.logMetric(m.key(), m.value(), m.step(), m.timestamp());
      if (step % POINTS_PER_FLUSH == POINTS_PER_FLUSH - 1) {
        long start = System.nanoTime();
        FlushResult result = tracker.flush();
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("flushed " + (step + 1) + " " + result + " " + millis);
        System.out.flush();
      }
    }
  }
}
