package dev.tracker.internal;

import java.time.Duration;

/** How long a flush and a close wait: {@link System#nanoTime()} deadlines that never overflow. */
final class Waits {
  /** How long a plain {@code flush()} waits for delivery once the records are durable. */
  static final Duration PLAIN_FLUSH_WAIT = Duration.ofSeconds(1);
  /** The longest wait (about 73 years): a longer one, up to {@code FOREVER}, never overflows. */
  static final long MAX_WAIT_NANOS = Long.MAX_VALUE / 4;

  private Waits() {}

  /** A duration in nanoseconds, at most {@link #MAX_WAIT_NANOS}. */
  static long nanos(Duration d) {
    return d.compareTo(Duration.ofNanos(MAX_WAIT_NANOS)) >= 0 ? MAX_WAIT_NANOS : d.toNanos();
  }

  /**
   * Until when what is queued may take to be written (or journaled) for a flush or close that
   * started at {@code start}: the timeout is how long to wait for the server, so local writing
   * gets at least {@link #PLAIN_FLUSH_WAIT}, as a plain flush does; {@code flush(Duration.ZERO)}
   * and a zero close timeout write everything and wait for no server.
   */
  static long writingDeadline(long start, long deadline) {
    long floor = start + PLAIN_FLUSH_WAIT.toNanos();
    return deadline - floor < 0 ? floor : deadline;
  }
}
