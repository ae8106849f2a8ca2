package dev.tracker.internal.system;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** Runs scheduled tasks when the test says so, on the test's thread, and records the delays. */
final class ManualScheduler implements Scheduler {
  private final Deque<Entry> queue = new ArrayDeque<>();
  private final List<Duration> delays = new ArrayList<>();
  private boolean shutdown;

  private static final class Entry {
    final Runnable task;
    boolean cancelled;

    Entry(Runnable task) {
      this.task = task;
    }
  }

  @Override
  public synchronized Scheduled schedule(Runnable task, Duration delay) {
    Entry e = new Entry(task);
    if (!shutdown) {
      queue.add(e);
      delays.add(delay);
    }
    return () -> {
      synchronized (this) {
        e.cancelled = true;
      }
    };
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
    queue.clear();
  }

  /** Runs the next task that was not cancelled; false when there is none. */
  boolean runNext() {
    Entry e;
    synchronized (this) {
      do {
        e = queue.poll();
      } while (e != null && e.cancelled);
    }
    if (e == null) {
      return false;
    }
    e.task.run();
    return true;
  }

  /** Tasks waiting and not cancelled. */
  synchronized int pending() {
    return (int) queue.stream().filter(e -> !e.cancelled).count();
  }

  /** Every delay asked for, in order. */
  synchronized List<Duration> delays() {
    return List.copyOf(delays);
  }

  synchronized boolean isShutdown() {
    return shutdown;
  }
}
