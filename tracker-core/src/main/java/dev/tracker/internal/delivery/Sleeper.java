package dev.tracker.internal.delivery;

import java.time.Duration;

/** Waits between attempts; injected so that tests control time. */
@FunctionalInterface
public interface Sleeper {
  /**
   * Waits {@code duration}, or less when {@code stop} tells so.
   *
   * @return false when stopped early
   */
  boolean sleep(Duration duration, java.util.function.BooleanSupplier stop)
      throws InterruptedException;
}
