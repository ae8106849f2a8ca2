package dev.tracker.internal.system;

import java.time.Duration;

/** Runs tasks after a delay on the sampling thread; tests use a manual one. */
interface Scheduler {
  /** Runs {@code task} once after {@code delay}. */
  Scheduled schedule(Runnable task, Duration delay);

  /** Stops the thread; scheduled tasks do not run. */
  void shutdown();

  /** A task waiting to run. */
  interface Scheduled {
    /** Keeps the task from running if it has not started. */
    void cancel();
  }
}
