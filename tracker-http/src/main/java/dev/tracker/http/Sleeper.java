package dev.tracker.http;

import java.time.Duration;

/** Waits between attempts; injected so that tests never sleep. */
@FunctionalInterface
interface Sleeper {
  /** Really sleeps. */
  Sleeper SYSTEM = d -> {
    if (d.isNegative() || d.isZero()) {
      return;
    }
    Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
  };

  /** Waits {@code duration}; an interrupt ends the wait early with the exception. */
  void sleep(Duration duration) throws InterruptedException;
}
