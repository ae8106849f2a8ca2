package dev.tracker.internal.system;

/**
 * What the system monitor does to a run: a narrow view of {@link dev.tracker.Run}, so that tests
 * can record calls without a tracker. Calls may throw {@link IllegalStateException} once the run
 * has ended; callers treat that as "stop".
 */
interface RunHandle {
  /** True while the run accepts records. */
  boolean active();

  /** True for a run without parent. */
  boolean topLevel();

  /** Logs a metric point. */
  void metric(String key, double value, long step, long timestampMillis);

  /** Sets a tag. */
  void tag(String key, String value);

  /** Stores text as an artifact file. */
  void text(String text, String artifactFile);
}
