package dev.tracker.http;

import java.time.Duration;

/**
 * When and how long to retry a request: MLflow's exponential back-off ({@code factor * 2^(n-1)}
 * seconds before retry n, capped, plus up to {@code jitter} seconds at random), a delay from
 * {@code Retry-After} taking the place of the back-off, and an optional budget after which the
 * caller gives up (and spools) even if retries are left.
 *
 * @param maxRetries retries after the first attempt
 * @param backoffFactor seconds before the first retry, doubled for each next one
 * @param jitter at most this many seconds added at random to each back-off
 * @param maxBackoff the longest wait between two attempts
 * @param budget the longest time spent on one request including waits, or null for no limit
 */
record RetryPolicy(int maxRetries, double backoffFactor, double jitter, Duration maxBackoff,
    Duration budget) {

  /** The same policy without retries: one attempt. */
  RetryPolicy once() {
    return new RetryPolicy(0, backoffFactor, jitter, maxBackoff, budget);
  }

  /** The same policy without a time budget. */
  RetryPolicy unbounded() {
    return new RetryPolicy(maxRetries, backoffFactor, jitter, maxBackoff, null);
  }

  /**
   * The wait before retry number {@code retry} (1 for the first retry).
   *
   * @param retryAfter the server's {@code Retry-After}, or null
   * @param random a number in [0, 1) for the jitter
   */
  Duration delay(int retry, Duration retryAfter, double random) {
    if (retryAfter != null) {
      return retryAfter.compareTo(maxBackoff) > 0 ? maxBackoff : retryAfter;
    }
    double seconds = backoffFactor * Math.pow(2, Math.min(retry - 1, 62));
    double cap = maxBackoff.toNanos() / 1e9;
    seconds = Math.min(seconds, cap) + jitter * random;
    return Duration.ofNanos((long) (seconds * 1e9));
  }

  /** The statuses worth retrying: timeouts, rate limits and server errors that pass. */
  static boolean isRetryable(int status) {
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503
        || status == 504;
  }
}
