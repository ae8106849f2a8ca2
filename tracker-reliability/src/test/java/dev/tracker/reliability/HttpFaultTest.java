package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Backlog;
import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.http.MlflowBackend;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.http.testing.FakeMlflowServer.Outage;
import dev.tracker.spi.JournalReplay;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One test per way an MLflow server (or what stands in front of it) can fail a tracker, end to
 * end: while the fault lasts, {@code flush()}, {@code flush(timeout)} and {@code close()} return
 * within their bound plus a second and say truthfully what waits in the journal (how many
 * operations, which directory, which run's end: "RUNNING until then"); once the fault is healed,
 * the next tracker for the server, or {@code tracker sync}'s replay, delivers it, and the server
 * holds exactly what was logged: every point once per key and in step order, the params, the
 * tags and the status FINISHED.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpFaultTest {
  private static final Duration SLACK = Duration.ofSeconds(1);
  private static final Duration PLAIN_FLUSH = Duration.ofSeconds(1);
  private static final Duration FLUSH_TIMEOUT = Duration.ofMillis(500);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final int STEPS = 500;
  private static final long START = 1_700_000_000_000L;
  private static final String EXPERIMENT = "faults";

  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer();
  private MockWebServer server;
  private String url;

  @BeforeEach
  void start() throws Exception {
    server = fake.start();
    url = "http://localhost:" + server.getPort();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A backend whose retries come within a fraction of a second (back-off is tested in core). */
  private MlflowBackend backend() {
    return MlflowBackend.builder().uri(url).spoolDir(tmp.resolve("spool")).backoffFactor(0.02)
        .backoffJitter(0).maxBackoff(Duration.ofMillis(200)).build();
  }

  private Tracker tracker() {
    return Tracker.builder().backend(backend()).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).flushInterval(Duration.ofMillis(50))
        .closeTimeout(CLOSE_TIMEOUT).build();
  }

  private Path journal() {
    return MlflowBackend.journalDirectory(tmp.resolve("spool"), URI.create(url));
  }

  /** What a run logged through a fault, and what its tracker said was left. */
  private record Logged(String name, String runId, List<Metric> sent, Backlog left) {}

  /**
   * Logs a run ({@code lr}, a tag, {@value #STEPS} steps of two keys) while the server does
   * {@code fault}, checking the bound and the answer of each call, and closes the tracker.
   */
  private Logged logThrough(Outage fault) {
    fake.outage(fault);
    Tracker tracker = tracker();
    Run run = tracker.experiment(EXPERIMENT).startRun(fault.name());
    return logAndClose(tracker, run, fault.name(), false);
  }

  /** As {@link #logThrough}, for a run the server has ({@code created}) or may not have. */
  private Logged logAndClose(Tracker tracker, Run run, String name, boolean created) {
    run.logParam("lr", 0.1);
    run.setTag("fault", name);
    List<Metric> sent = new ArrayList<>();
    for (int step = 0; step < STEPS; step++) {
      for (Metric m : List.of(new Metric("loss", 1.0 / (step + 1), START + step, step),
          new Metric("accuracy", step / (step + 1.0), START + step, step))) {
        run.logMetric(m.key(), m.value(), m.step(), m.timestamp());
        sent.add(m);
      }
    }

    FlushResult plain = within(PLAIN_FLUSH.plus(SLACK), () -> tracker.flush());
    assertThat(plain).isEqualTo(FlushResult.SPOOLED);
    FlushResult timed = within(FLUSH_TIMEOUT.plus(SLACK), () -> tracker.flush(FLUSH_TIMEOUT));
    assertThat(timed).isEqualTo(FlushResult.SPOOLED);
    Backlog waiting = tracker.backlog();
    assertThat(waiting.operations()).isPositive();
    assertThat(waiting.journal()).isEqualTo(journal().toString());
    assertThat(waiting.server()).isEqualTo(url);

    run.close();
    within(CLOSE_TIMEOUT.plus(SLACK), () -> {
      tracker.close();
      return null;
    });
    Backlog left = tracker.backlog();
    assertThat(left.runEnds()).isEqualTo(1);
    assertThat(left.runsNotCreated()).isEqualTo(created ? 0 : 1);
    assertThat(left.describe()).isEqualTo(left.operations() + (left.operations() == 1
        ? " operation for " + url + " waits" : " operations for " + url + " wait")
        + " in the journal " + journal() + ", among them the end of 1 run"
        + (created ? ", which the server shows RUNNING until then"
            : " and its creation, so the server may not have it until then")
        + "; the next tracker for this server or `tracker sync` delivers them");
    return new Logged(name, run.id(), sent, left);
  }

  /** Calls {@code call}, asserting that it returned within {@code bound}. */
  private static <T> T within(Duration bound, Supplier<T> call) {
    long start = System.nanoTime();
    T result = call.get();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(bound);
    return result;
  }

  /** The fault healed, the next tracker for the server delivers what the last one left. */
  private void nextTrackerDelivers() throws Exception {
    fake.outage(Outage.NONE);
    try (Tracker next = tracker()) {
      Run probe = next.experiment("probe").startRun("after");
      probe.close(); // the uploader delivers what earlier processes left first
      assertThat(next.flush(LONG)).isEqualTo(FlushResult.DELIVERED);
    }
    try (Stream<Path> segments = Files.list(journal())) {
      assertThat(segments.filter(Files::isDirectory)).isEmpty();
    }
  }

  /** The fault healed, {@code tracker sync}'s replay delivers exactly what the tracker said. */
  private void syncDelivers(Logged logged) throws Exception {
    fake.outage(Outage.NONE);
    JournalReplay.Result replayed;
    try (MlflowBackend sync = backend()) {
      replayed = JournalReplay.deliver(sync);
    }
    assertThat(replayed.operations()).isEqualTo(logged.left().operations());
    assertThat(replayed.refused()).isEmpty();
    assertThat(replayed.held()).isZero();
    assertThat(replayed.segments()).isPositive();
  }

  /** The server holds the run once, with every point once per key in step order. */
  private void assertDeliveredOnce(Logged logged, long startNanos) {
    List<FakeMlflowServer.Run> named = fake.runs().stream().map(fake::run)
        .filter(r -> r.name().equals(logged.name())).toList();
    assertThat(named).hasSize(1);
    FakeMlflowServer.Run run = named.get(0);
    assertThat(run.tags()).containsEntry(MlflowBackend.RUN_ID_TAG, logged.runId())
        .containsEntry("fault", logged.name());
    assertThat(run.params()).containsOnlyKeys("lr", "seed").containsEntry("lr", "0.1");
    assertThat(run.status()).isEqualTo("FINISHED");
    List<Long> steps = LongStream.range(0, STEPS).boxed().toList();
    for (String key : List.of("loss", "accuracy")) {
      assertThat(run.metrics().stream().filter(p -> p.key().equals(key))
          .map(FakeMlflowServer.Point::step).toList()).as(key).isEqualTo(steps);
    }
    HttpTally.assertEachOnce("HTTP fault: " + logged.name(), "HttpFaultTest", logged.sent(),
        run.metrics(), Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /**
   * A server that never answers (a black hole: TCP accepted, nothing comes back), or answers
   * what makes no sense for any request ({@code 200 {}}, an HTML page, JSON cut off, a redirect
   * to a login page): nothing reaches it during the fault, and everything once after.
   */
  @ParameterizedTest(name = "{0}, healed by {1}")
  @CsvSource({"BLACK_HOLE, the next tracker", "EMPTY_OBJECT, tracker sync",
      "HTML, the next tracker", "TRUNCATED_JSON, tracker sync",
      "LOGIN_REDIRECT, the next tracker"})
  void noCallOutlivesItsBoundAndEverythingArrivesOnceWhenHealed(Outage fault, String healer)
      throws Exception {
    long start = System.nanoTime();
    Logged logged = logThrough(fault);
    assertThat(fake.runs()).isEmpty();

    if (healer.equals("tracker sync")) {
      syncDelivers(logged);
    } else {
      nextTrackerDelivers();
    }
    assertDeliveredOnce(logged, start);
  }

  /**
   * The server stores what it gets and drips its answers; the requests cut off are sent again,
   * and MLflow's SQL store keeps an identical point once.
   */
  @Test
  void aSlowDripHoldsNoCallPastItsBoundAndSyncDeliversEverythingOnce() throws Exception {
    long start = System.nanoTime();
    fake.dedupeMetrics(true);
    Logged logged = logThrough(Outage.SLOW_DRIP);

    syncDelivers(logged);
    assertDeliveredOnce(logged, start);
  }

  /**
   * A server that became slow after the run was created: close gives up at its timeout, the
   * server shows the run RUNNING and the tracker says so, and the next tracker ends it. A request
   * the close cut off may still be stored; MLflow's SQL store keeps an identical point once.
   */
  @Test
  void aClosePastItsTimeoutSaysTheRunStaysRunningUntilTheNextTrackerEndsIt() throws Exception {
    long start = System.nanoTime();
    fake.dedupeMetrics(true);
    Tracker tracker = tracker();
    Run run = tracker.experiment(EXPERIMENT).startRun("close past its timeout");
    assertThat(tracker.flush(LONG)).isEqualTo(FlushResult.DELIVERED);
    String serverRun = fake.runs().get(0);
    fake.latency(Duration.ofSeconds(2));

    Logged logged = logAndClose(tracker, run, "close past its timeout", true);
    assertThat(fake.run(serverRun).status()).isEqualTo("RUNNING");

    fake.latency(Duration.ZERO);
    nextTrackerDelivers();
    assertDeliveredOnce(logged, start);
  }
}
