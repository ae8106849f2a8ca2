package dev.tracker.http;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The reliability tests' access to {@link MlflowBackend}'s package-private test seams (the
 * sleeper between attempts, the clock of the retry budget, the wait for background delivery),
 * which they need to run a 429 storm or an outage without waiting for real back-offs.
 */
public final class HttpHooks {
  private HttpHooks() {}

  /** One wait asked of the sleeper, and by which thread. */
  public record Wait(String thread, Duration duration) {}

  /**
   * Time that passes when the backend waits: every wait is recorded and moves {@link #nanoTime()}
   * on by its length, at once. The background delivery thread ({@code tracker-spool}) also
   * yields the processor for a few milliseconds, so that a server that stays down does not have
   * it spin.
   */
  public static final class VirtualTime implements Sleeper {
    private static final long SPOOL_YIELD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final List<Wait> waits = new CopyOnWriteArrayList<>();
    private final AtomicLong waited = new AtomicLong();

    @Override
    public void sleep(Duration d) throws InterruptedException {
      waits.add(new Wait(Thread.currentThread().getName(), d));
      waited.addAndGet(d.toNanos());
      if (Thread.currentThread().getName().equals("tracker-spool")) {
        LockSupport.parkNanos(Math.min(SPOOL_YIELD_NANOS, d.toNanos()));
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }

    /** The real clock plus every wait so far. */
    public long nanoTime() {
      return System.nanoTime() + waited.get();
    }

    /** The waits so far, in order. */
    public List<Wait> waits() {
      return List.copyOf(waits);
    }
  }

  /**
   * {@code b} with waits in {@code time} and no jitter (so that a wait is exactly the back-off or
   * the {@code Retry-After}).
   */
  public static MlflowBackend.Builder virtualTime(MlflowBackend.Builder b, VirtualTime time) {
    return b.sleeper(time).nanoTime(time::nanoTime).random(() -> 0).backoffJitter(0);
  }

  /** Waits until the backend's background delivery has nothing left to do. */
  public static boolean awaitDelivered(MlflowBackend backend, Duration timeout)
      throws InterruptedException {
    return backend.awaitDelivered(timeout);
  }
}
