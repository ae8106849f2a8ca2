package dev.tracker.http;

import dev.tracker.Tracker;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.RunSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockWebServer;

/** Test wiring: a backend for a MockWebServer, with a spool under a temporary folder. */
final class Fixtures {
  private Fixtures() {}

  /**
   * A sleeper that never sleeps on the caller's thread and records every wait; the background
   * drainer ({@code tracker-spool}) records its wait in {@link #drainerWaits} and waits until
   * {@link #release()} lets it try again.
   */
  static final class TestSleeper implements Sleeper {
    final List<Duration> waits = new CopyOnWriteArrayList<>();
    final BlockingQueue<Duration> drainerWaits = new LinkedBlockingQueue<>();
    private final Semaphore drainerPermits = new Semaphore(0);
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public void sleep(Duration d) throws InterruptedException {
      if (Thread.currentThread().getName().equals("tracker-spool")) {
        drainerWaits.add(d);
        drainerPermits.acquire();
        return;
      }
      waits.add(d);
      nanos.addAndGet(d.toNanos());
    }

    /** A clock that advances by the waits of the callers' threads only. */
    long nanoTime() {
      return nanos.get();
    }

    /** Lets the background drainer make one more attempt. */
    void release() {
      drainerPermits.release();
    }
  }

  static MlflowBackend.Builder backend(MockWebServer server, Path spool, TestSleeper sleeper) {
    return MlflowBackend.builder().uri(server.url("/").toString()).spoolDir(spool)
        .sleeper(sleeper).nanoTime(sleeper::nanoTime).random(() -> 0.0).backoffJitter(0);
  }

  /**
   * A backend for {@code server} with run {@code runId} created in experiment "e", the three
   * requests that took (get-by-name, create experiment, create run) already taken off the server.
   */
  static MlflowBackend backendWithRun(MockWebServer server, Path spool, String runId)
      throws Exception {
    MlflowBackend backend = backend(server, spool, new TestSleeper()).build();
    backend.createRun(new RunSpec(runId, backend.createExperiment("e"), "e", "r",
        1, Map.of(), null, false));
    for (int i = 0; i < 3; i++) {
      server.takeRequest(TIMEOUT, UNIT);
    }
    return backend;
  }

  static MockWebServer start(FakeMlflowServer fake) throws Exception {
    MockWebServer server = FakeMlflowServer.newServer();
    server.setDispatcher(fake);
    server.start();
    return server;
  }

  static Tracker tracker(MlflowBackend backend) {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null)
        .flushInterval(Duration.ofMillis(50)).build();
  }

  static final long TIMEOUT = 10;
  static final TimeUnit UNIT = TimeUnit.SECONDS;
}
