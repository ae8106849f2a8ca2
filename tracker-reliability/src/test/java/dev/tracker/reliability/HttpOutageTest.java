package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.http.MlflowBackend;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import dev.tracker.spi.TrackingBackend;
import dev.tracker.testing.ForwardingBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An MLflow server that is down, flaps, answers slowly or rate-limits, end to end through a
 * {@link Tracker}: every metric point reaches the server's state exactly once, counted by (key,
 * step, timestamp, value), and logging holds up the training thread only while the queue is
 * full. The server enforces MLflow's limits, so every scenario spans many log-batch requests.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpOutageTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long START = 1_700_000_000_000L;
  private static final long SLOW_SECONDS = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer();
  private final List<MockWebServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(MockWebServer::close);
  }

  private MockWebServer up(int port, Dispatcher dispatcher) throws IOException {
    MockWebServer s = FakeMlflowServer.newServer();
    s.setDispatcher(dispatcher);
    s.start(port);
    servers.add(s);
    return s;
  }

  /** A port on which nothing listens: the server is down. */
  private int downPort() throws IOException {
    MockWebServer s = up(0, fake);
    int port = s.getPort();
    s.close();
    servers.remove(s);
    return port;
  }

  /** A backend whose retries come within milliseconds (the back-off is tested in core). */
  private MlflowBackend.Builder backend(int port) {
    return MlflowBackend.builder().uri("http://localhost:" + port).spoolDir(tmp.resolve("spool"))
        .backoffFactor(0.001).backoffJitter(0).maxBackoff(Duration.ofSeconds(2));
  }

  private static Tracker.Builder tracker(TrackingBackend backend) {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).flushInterval(Duration.ofMillis(50));
  }

  /** Logs two points per step ("loss", "accuracy"), remembering them in {@code sent}. */
  private static void logSteps(Run run, int from, int to, List<Metric> sent) {
    for (int step = from; step < to; step++) {
      log(run, new Metric("loss", 1.0 / (step + 1), START + step, step), sent);
      log(run, new Metric("accuracy", step / (step + 1.0), START + step, step), sent);
    }
  }

  private static void log(Run run, Metric m, List<Metric> sent) {
    run.logMetric(m.key(), m.value(), m.step(), m.timestamp());
    sent.add(m);
  }

  private FakeMlflowServer.Run onlyRun() {
    assertThat(fake.runs()).hasSize(1);
    return fake.run(fake.runs().get(0));
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  @Test
  void aServerDownForTheWholeRunGetsEveryPointOnceWhenItIsBack() throws Exception {
    long start = System.nanoTime();
    int port = downPort();
    List<Metric> sent = new ArrayList<>();
    MlflowBackend backend = backend(port).build();
    try (Tracker tracker = tracker(backend).build()) {
      Run run = tracker.experiment("outage").startRun("down");
      run.logParam("lr", 0.1);
      logSteps(run, 0, 5_000, sent);
      assertThat(tracker.flush()).isEqualTo(FlushResult.SPOOLED);
      run.close();
      assertThat(tracker.flush()).isEqualTo(FlushResult.SPOOLED);
      assertThat(fake.runs()).isEmpty();

      up(port, fake);
      assertThat(tracker.flush(WAIT)).isEqualTo(FlushResult.DELIVERED);
    }

    FakeMlflowServer.Run run = onlyRun();
    assertThat(run.status()).isEqualTo("FINISHED");
    assertThat(run.params()).containsEntry("lr", "0.1");
    assertThat(fake.experimentNames()).containsExactly("Default", "outage");
    HttpTally.assertEachOnce("HTTP server down for the whole run, then back",
        "HttpOutageTest.aServerDownForTheWholeRunGetsEveryPointOnceWhenItIsBack", sent,
        run.metrics(), since(start));
  }

  @Test
  void aFlappingServerGetsEveryPointOnce() throws Exception {
    long start = System.nanoTime();
    // every other request fails: a 503, then (two requests later) a dropped connection
    AtomicInteger requests = new AtomicInteger();
    fake.interceptor(endpoint -> {
      int n = requests.incrementAndGet();
      if (n % 2 == 0) {
        return null;
      }
      return n % 4 == 1 ? FakeMlflowServer.error(503, "TEMPORARILY_UNAVAILABLE", "flapping")
          : FakeMlflowServer.disconnect();
    });
    MockWebServer server = up(0, fake);
    List<Metric> sent = new ArrayList<>();
    MlflowBackend backend = backend(server.getPort()).build();
    try (Tracker tracker = tracker(backend).build()) {
      Run run = tracker.experiment("flapping").startRun("flaps");
      run.logParam("lr", 0.1);
      logSteps(run, 0, 5_000, sent);
      assertThat(tracker.flush(WAIT)).isEqualTo(FlushResult.DELIVERED);
      run.close();
    }

    List<String> handled = fake.requests();
    long failed = handled.stream().filter(r -> r.endsWith("(intercepted)")).count();
    assertThat(failed).isBetween(handled.size() / 2L, handled.size() / 2L + 1);
    assertThat(fake.count("runs/log-batch (intercepted)")).isGreaterThanOrEqualTo(5);
    FakeMlflowServer.Run run = onlyRun();
    assertThat(run.status()).isEqualTo("FINISHED");
    HttpTally.assertEachOnce("HTTP server flapping (every other request 503 or dropped)",
        "HttpOutageTest.aFlappingServerGetsEveryPointOnce", sent, run.metrics(), since(start));
  }

  /**
   * MLflow's API has no idempotency key: a batch whose answer was lost is sent again. It is sent
   * identically (same timestamps), so MLflow's SQL store, which drops a point equal to one it
   * holds, keeps each once; a store that keeps duplicates (MLflow's file store) holds exactly the
   * points of those batches twice, and nothing is lost either way.
   */
  @ParameterizedTest(name = "server drops identical points: {0}")
  @ValueSource(booleans = {true, false})
  void aBatchWhoseAnswerWasLostIsResentIdenticallyAndNothingIsLost(boolean sqlStore)
      throws Exception {
    long start = System.nanoTime();
    fake.dedupeMetrics(sqlStore);
    // every third log-batch is stored, then the connection drops before the answer
    AtomicInteger batches = new AtomicInteger();
    AtomicInteger resent = new AtomicInteger();
    Dispatcher lossy = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        MockResponse answer = fake.dispatch(request);
        if (request.getUrl().encodedPath().endsWith("/runs/log-batch")
            && batches.incrementAndGet() % 3 == 0) {
          resent.addAndGet(metricsIn(request));
          return FakeMlflowServer.disconnect();
        }
        return answer;
      }
    };
    MockWebServer server = up(0, lossy);
    List<Metric> sent = new ArrayList<>();
    MlflowBackend backend = backend(server.getPort()).build();
    try (Tracker tracker = tracker(backend).build()) {
      Run run = tracker.experiment("lossy").startRun("lost answers");
      logSteps(run, 0, 5_000, sent);
      assertThat(tracker.flush(WAIT)).isEqualTo(FlushResult.DELIVERED);
      run.close();
    }

    assertThat(resent.get()).isGreaterThanOrEqualTo(3_000);
    HttpTally.assertStored("HTTP answers lost after the server stored the batch (every third"
        + " log-batch), " + (sqlStore ? "SQL store (drops identical points)"
            : "file store (keeps duplicates): the resent batches"),
        "HttpOutageTest.aBatchWhoseAnswerWasLostIsResentIdenticallyAndNothingIsLost["
            + sqlStore + "]", sent, onlyRun().metrics(), since(start),
        sqlStore ? 0 : resent.get());
  }

  private static int metricsIn(RecordedRequest request) {
    try {
      return JSON.readTree(request.getBody().utf8()).path("metrics").size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aRateLimitStormIsWaitedOutAsRetryAfterSaysAndEveryPointArrivesOnce() throws Exception {
    long start = System.nanoTime();
    MockResponse tooMany = new MockResponse.Builder().code(429).addHeader("Retry-After", "1")
        .addHeader("Content-Type", "application/json")
        .body("{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"Too many requests\"}")
        .build();
    AtomicInteger storm = new AtomicInteger(3);
    List<Long> refusedAt = new CopyOnWriteArrayList<>();
    fake.interceptor(endpoint -> {
      if (endpoint.equals("runs/log-batch") && storm.getAndDecrement() > 0) {
        refusedAt.add(System.nanoTime());
        return tooMany;
      }
      return null;
    });
    MockWebServer server = up(0, fake);
    List<Metric> sent = new ArrayList<>();
    MlflowBackend backend = backend(server.getPort()).build();
    // one request in flight: each retry follows the refusal it answers
    try (Tracker tracker = tracker(backend).uploadsInFlight(1).build()) {
      Run run = tracker.experiment("storm").startRun("429");
      logSteps(run, 0, 5_000, sent);
      assertThat(tracker.flush(WAIT)).isEqualTo(FlushResult.DELIVERED);
      run.close();
    }

    assertThat(fake.count("runs/log-batch (intercepted)")).isEqualTo(3);
    // each retry came after the second Retry-After asked for, not the milliseconds of the
    // back-off
    for (int i = 1; i < refusedAt.size(); i++) {
      assertThat(Duration.ofNanos(refusedAt.get(i) - refusedAt.get(i - 1)))
          .isGreaterThanOrEqualTo(Duration.ofMillis(990));
    }
    FakeMlflowServer.Run run = onlyRun();
    assertThat(run.status()).isEqualTo("FINISHED");
    HttpTally.assertEachOnce("HTTP 429 storm (3 × `Retry-After: 1`)",
        "HttpOutageTest.aRateLimitStormIsWaitedOutAsRetryAfterSaysAndEveryPointArrivesOnce", sent,
        run.metrics(), since(start));
  }

  @Test
  void aSlowServerNeverHoldsUpLoggingWhileTheQueueHasRoom() throws Exception {
    long start = System.nanoTime();
    Slow slow = new Slow(fake);
    MockWebServer server = up(0, slow);
    int steps = 100_000; // 200,000 points: 200 requests, 400 s at 2 s each
    List<Metric> sent = new ArrayList<>(2 * steps);
    long longest = 0;
    int requestsWhenLogged;
    try (Tracker tracker = tracker(backend(server.getPort()).build())
        .queueCapacity(2 * steps + Tracker.DEFAULT_BATCH_SIZE).build()) {
      Run run = tracker.experiment("slow").startRun("roomy");
      for (int step = 0; step < steps; step++) {
        long t0 = System.nanoTime();
        run.logMetric("loss", 1.0 / (step + 1), step, START + step);
        long t1 = System.nanoTime();
        run.logMetric("accuracy", step / (step + 1.0), step, START + step);
        long t2 = System.nanoTime();
        longest = Math.max(longest, Math.max(t1 - t0, t2 - t1));
      }
      requestsWhenLogged = fake.count("runs/log-batch");
      slow.on = false; // deliver the rest at full speed, to keep the test short
      assertThat(tracker.flush(WAIT)).isEqualTo(FlushResult.DELIVERED);
      run.close();
    }
    for (int step = 0; step < steps; step++) {
      sent.add(new Metric("loss", 1.0 / (step + 1), START + step, step));
      sent.add(new Metric("accuracy", step / (step + 1.0), START + step, step));
    }

    System.out.printf("slow server, roomy queue: longest logMetric call %.3f ms; the server had"
        + " received %d log-batch requests when logging ended%n", longest / 1e6,
        requestsWhenLogged);
    // logging ran ahead of the server: it had taken at most a request or two per request in
    // flight
    assertThat(requestsWhenLogged).isLessThanOrEqualTo(2 * Tracker.DEFAULT_UPLOADS_IN_FLIGHT);
    assertThat(Duration.ofNanos(longest)).isLessThan(Duration.ofSeconds(SLOW_SECONDS / 2));
    FakeMlflowServer.Run run = onlyRun();
    HttpTally.assertEachOnce("HTTP server slow (2 s per log-batch answer), queue with room;"
        + String.format(" longest `logMetric` %.1f ms", longest / 1e6),
        "HttpOutageTest.aSlowServerNeverHoldsUpLoggingWhileTheQueueHasRoom", sent,
        run.metrics(), since(start));
  }

  @Test
  void aSlowServerNeverMakesLoggingWaitEvenWithASmallQueue() throws Exception {
    long start = System.nanoTime();
    Slow slow = new Slow(fake);
    MockWebServer server = up(0, slow);
    int capacity = 2_000;
    Handover handover = new Handover(backend(server.getPort()).build());
    List<Metric> sent = new ArrayList<>();
    long longest = 0;
    try (Tracker tracker = tracker(handover).queueCapacity(capacity)
        .batchSize(Tracker.DEFAULT_BATCH_SIZE).build()) {
      Run run = tracker.experiment("slow").startRun("journal");
      for (int step = 0; step < 5_000; step++) {
        for (Metric m : List.of(new Metric("loss", 1.0 / (step + 1), START + step, step),
            new Metric("accuracy", step / (step + 1.0), START + step, step))) {
          long t0 = System.nanoTime();
          run.logMetric(m.key(), m.value(), m.step(), m.timestamp());
          longest = Math.max(longest, System.nanoTime() - t0);
          sent.add(m);
        }
      }
      // 10,000 points over a queue of 2,000 and a server that answers a batch every 2 s: the
      // journal took them, not the caller
      assertThat(handover.metricsTaken.get()).isLessThan(sent.size());
      slow.on = false;
      assertThat(tracker.flush(WAIT)).isEqualTo(FlushResult.DELIVERED);
      run.close();
    }

    System.out.printf("slow server, queue of %d: longest logMetric call %.3f ms%n", capacity,
        longest / 1e6);
    assertThat(Duration.ofNanos(longest)).isLessThan(Duration.ofSeconds(SLOW_SECONDS / 2));
    FakeMlflowServer.Run run = onlyRun();
    HttpTally.assertEachOnce("HTTP server slow (2 s per log-batch answer), queue of 2,000:"
        + String.format(" journal-first, longest `logMetric` %.1f ms", longest / 1e6),
        "HttpOutageTest.aSlowServerNeverMakesLoggingWaitEvenWithASmallQueue", sent,
        run.metrics(), since(start));
  }

  /** The fake MLflow server, answering log-batch requests {@value #SLOW_SECONDS} s late. */
  private static final class Slow extends Dispatcher {
    private final FakeMlflowServer fake;
    volatile boolean on = true;

    Slow(FakeMlflowServer fake) {
      this.fake = fake;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      MockResponse answer = fake.dispatch(request);
      if (on && request.getUrl().encodedPath().endsWith("/runs/log-batch")) {
        return answer.newBuilder().headersDelay(SLOW_SECONDS, TimeUnit.SECONDS).build();
      }
      return answer;
    }

    @Override
    public MockResponse peek() {
      return fake.peek();
    }
  }

  /** A backend that counts the metric points the dispatcher took from the queue. */
  private static final class Handover extends ForwardingBackend {
    final AtomicLong metricsTaken = new AtomicLong();

    Handover(TrackingBackend inner) {
      super(inner);
    }

    @Override
    public void logBatch(String runId, Batch batch) throws IOException {
      metricsTaken.addAndGet(batch.metrics().size());
      delegate.logBatch(runId, batch);
    }
  }
}
