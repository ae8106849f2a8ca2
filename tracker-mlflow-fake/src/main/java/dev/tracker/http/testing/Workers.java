package dev.tracker.http.testing;

import dev.tracker.http.testing.FakeMlflowServer.Charge;
import dev.tracker.http.testing.FakeMlflowServer.Costs;
import dev.tracker.http.testing.FakeMlflowServer.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import mockwebserver3.MockResponse;

/**
 * The fake server's workers: what a request costs on a real server. A request first waits the
 * latency, then for a free worker (first come, first served), and keeps that worker busy for
 * the request's cost, its handling included; then the worker takes the next request. Keeps a
 * record of what it charged and of how many requests were in service at once.
 */
final class Workers {
  /** A request's answer and the metric points it carried. */
  record Served(MockResponse response, int points) {}

  private final AtomicInteger inService = new AtomicInteger();
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicInteger maxInService = new AtomicInteger();
  private final List<Charge> charges = new ArrayList<>();
  private volatile Costs costs = Costs.FREE;
  private volatile Semaphore free = new Semaphore(Integer.MAX_VALUE, true);
  private volatile Sleeper sleeper = Workers::sleep;

  Costs costs() {
    return costs;
  }

  /**
   * Costs for the requests that arrive from now on; requests in service keep the worker they
   * hold.
   */
  void costs(Costs costs) {
    synchronized (charges) {
      if (costs.workers() != this.costs.workers()) {
        free = new Semaphore(costs.workers(), true);
      }
      this.costs = costs;
    }
  }

  void sleeper(Sleeper sleeper) {
    this.sleeper = sleeper == null ? Workers::sleep : sleeper;
  }

  /**
   * Serves one request: waits the latency and for a worker, calls {@code handler} on it, and
   * keeps the worker until the request's cost has passed.
   */
  MockResponse serve(String endpoint, Supplier<Served> handler) {
    Costs c;
    Semaphore worker;
    synchronized (charges) {
      c = costs;
      worker = free;
    }
    try {
      pause(c.latency());
      waiting.incrementAndGet();
      try {
        worker.acquire();
      } finally {
        waiting.decrementAndGet();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Wire.error(503, "TEMPORARILY_UNAVAILABLE", "the server is shutting down");
    }
    long start = System.nanoTime();
    maxInService.accumulateAndGet(inService.incrementAndGet(), Math::max);
    try {
      Served served = handler.get();
      Duration busy = c.busy(served.points());
      synchronized (charges) {
        charges.add(new Charge(endpoint, served.points(), c.latency(), busy));
      }
      try {
        pause(busy.minusNanos(System.nanoTime() - start));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return served.response();
    } finally {
      inService.decrementAndGet();
      worker.release();
    }
  }

  private void pause(Duration d) throws InterruptedException {
    if (!d.isNegative() && !d.isZero()) {
      sleeper.sleep(d);
    }
  }

  private static void sleep(Duration d) throws InterruptedException {
    TimeUnit.NANOSECONDS.sleep(d.toNanos());
  }

  List<Charge> charges() {
    synchronized (charges) {
      return List.copyOf(charges);
    }
  }

  int inService() {
    return inService.get();
  }

  int waiting() {
    return waiting.get();
  }

  int maxInService() {
    return maxInService.get();
  }
}
