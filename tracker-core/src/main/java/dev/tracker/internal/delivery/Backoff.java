package dev.tracker.internal.delivery;

import dev.tracker.spi.RemoteDelivery;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential back-off with jitter ({@code initial * 2^(n-1)} before retry n, capped, plus up
 * to {@code jitter} at random), a server's {@code Retry-After} taking its place when longer,
 * capped too.
 */
final class Backoff {
  private final RemoteDelivery policy;
  private final DoubleSupplier random;

  Backoff(RemoteDelivery policy, DoubleSupplier random) {
    this.policy = policy;
    this.random = random;
  }

  /** The wait before retry number {@code retry} (1 for the first). */
  Duration delay(int retry, Duration retryAfter) {
    long cap = policy.maxBackoff().toNanos();
    double nanos = policy.initialBackoff().toNanos() * Math.pow(2, Math.min(retry - 1, 40));
    long backoff = (long) Math.min(nanos, cap)
        + (long) (policy.jitter().toNanos() * random.getAsDouble());
    if (retryAfter != null) {
      // compared as durations: a server's Retry-After may be past what long nanoseconds hold
      long asked = retryAfter.compareTo(policy.maxBackoff()) < 0 ? retryAfter.toNanos() : cap;
      backoff = Math.max(backoff, asked);
    }
    return Duration.ofNanos(backoff);
  }
}
