package dev.tracker.internal.system;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread, {@value #THREAD_NAME}, started when the first task is scheduled, shared by
 * every run of a tracker.
 */
final class ExecutorScheduler implements Scheduler {
  static final String THREAD_NAME = "tracker-system-metrics";

  private final Object lock = new Object();
  private ScheduledThreadPoolExecutor executor; // guarded by lock
  private boolean shutdown; // guarded by lock

  @Override
  public Scheduled schedule(Runnable task, Duration delay) {
    ScheduledThreadPoolExecutor e;
    synchronized (lock) {
      if (shutdown) {
        return () -> {};
      }
      if (executor == null) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
          Thread t = new Thread(r, THREAD_NAME);
          t.setDaemon(true);
          return t;
        });
        executor.setRemoveOnCancelPolicy(true);
      }
      e = executor;
    }
    try {
      ScheduledFuture<?> f = e.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    } catch (RejectedExecutionException shutDownMeanwhile) {
      return () -> {};
    }
  }

  @Override
  public void shutdown() {
    ScheduledThreadPoolExecutor e;
    synchronized (lock) {
      shutdown = true;
      e = executor;
    }
    if (e != null) {
      // interrupts a sample waiting for nvidia-smi or for room in a run's queue
      e.shutdownNow();
    }
  }
}
