package dev.tracker.bench;

import dev.tracker.Tracker;
import dev.tracker.http.testing.FakeMlflowServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import org.mlflow.tracking.MlflowClient;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 3: the {@link Workload} (100,000 points, 50 params, 20 tags in one run) logged to
 * the same in-process MLflow-compatible server by MLflow's own Java client, one request per
 * point and hand-batched, and by Tracker. Each operation is one whole run, from its creation
 * until the server acknowledged its last point and its end; then the server's counts are checked
 * and the benchmark fails if a single point, param or tag is missing.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 7)
@Fork(1)
public class MlflowComparisonBenchmark {

  /** The server both clients log to. */
  @State(Scope.Benchmark)
  public static class Server {
    final AtomicInteger runs = new AtomicInteger();
    FakeMlflowServer fake;
    MockWebServer server;

    @Setup(Level.Trial)
    public void start() throws IOException {
      fake = new FakeMlflowServer();
      server = fake.start();
    }

    /** Forgets what the last run left: its runs on the fake, its requests in MockWebServer. */
    @TearDown(Level.Invocation)
    public void forget() throws InterruptedException {
      fake.clearRuns();
      while (server.takeRequest(0, TimeUnit.SECONDS) != null) {
        // MockWebServer keeps every request until taken
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      server.close();
    }

    /** The tracking URI, without a trailing slash (MLflow's client appends {@code /api/…}). */
    String uri() {
      return "http://" + server.getHostName() + ":" + server.getPort();
    }

    String nextRunName(String prefix) {
      return prefix + "-" + runs.incrementAndGet();
    }
  }

  /** MLflow's Java client. */
  @State(Scope.Benchmark)
  public static class Mlflow {
    MlflowClient client;
    String experimentId;

    @Setup(Level.Trial)
    public void start(Server s) {
      client = new MlflowClient(s.uri());
      experimentId = MlflowClientLoops.experiment(client, "mlflow-client");
    }

    @TearDown(Level.Trial)
    public void stop() {
      client.close();
    }
  }

  /** A tracker with the http backend (tracker-http), found for the server's URI. */
  @State(Scope.Benchmark)
  public static class TrackerHttp {
    Path spool;
    Tracker tracker;

    @Setup(Level.Trial)
    public void start(Server s) throws IOException {
      spool = Files.createTempDirectory("tracker-bench-spool");
      Map<String, String> env = Map.of("TRACKER_SPOOL_DIR", spool.toString());
      tracker = Tracker.builder().uri(s.uri()).experiment("tracker").shutdownHook(false)
          .standardTags(false).environment(env::get).systemProperties(k -> null).build();
    }

    @TearDown(Level.Trial)
    public void stop() {
      try {
        tracker.close();
      } finally {
        RunFiles.delete(spool);
      }
    }
  }

  /**
   * MLflow's Java client, {@code logMetric} per point (and a request per param and tag). Over
   * 100,000 requests take seconds: fewer iterations, and JIT warm-up matters little.
   */
  @Benchmark
  @Warmup(iterations = 1)
  @Measurement(iterations = 3)
  public void mlflowPerPoint(Server s, Mlflow m) {
    String runId = MlflowClientLoops.perPoint(m.client, m.experimentId,
        s.nextRunName("mlflow-per-point"), Workload.STEPS);
    Checks.everythingArrived(s.fake, runId);
  }

  /** MLflow's Java client, {@code logBatch} split by hand into batches of 1000. */
  @Benchmark
  public void mlflowHandBatched(Server s, Mlflow m) {
    String runId = MlflowClientLoops.handBatched(m.client, m.experimentId,
        s.nextRunName("mlflow-batched"), Workload.STEPS);
    Checks.everythingArrived(s.fake, runId);
  }

  /**
   * Tracker's http backend: {@code logMetric} per point, then closing the run, which ends it and
   * waits until the server acknowledged everything (a flush).
   */
  @Benchmark
  public void trackerPerPoint(Server s, TrackerHttp t) {
    String name = s.nextRunName("tracker");
    TrackerLoop.perPoint(t.tracker, name, Workload.STEPS);
    Checks.everythingArrived(s.fake, Checks.runIdByName(s.fake, name));
  }
}
