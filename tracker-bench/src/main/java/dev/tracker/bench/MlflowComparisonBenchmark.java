package dev.tracker.bench;

import dev.tracker.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.mlflow.tracking.MlflowClient;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 3: the {@link Workload} (100,000 points: 10 keys × 10,000 steps, 50 params, 20 tags
 * in one run) logged to the fake MLflow server emulating MLflow 3.6 with 1 and with 4 workers
 * ({@link EmulatedMlflow}) by MLflow's own Java client, one request per point and hand-batched,
 * and by Tracker. Each operation is one whole run, from its creation until the server stored its
 * last point and its end; after it the server's run is checked (outside the measured time) and
 * the benchmark fails if a single point, param or tag is missing.
 *
 * <p>Reported: the time per operation (end to end) and, as {@code callerMs}, the time the
 * logging thread spent inside the logging calls (for MLflow's client, which blocks on every
 * request, the whole run; for Tracker, from starting the run to its last {@code logMetric}).
 * The per-point loop would take minutes (100,072 requests of 7 to 52 ms): it logs {@value
 * #PER_POINT_STEPS} steps ({@link #PER_POINT_REQUESTS} requests) and reports the time per
 * request; {@link Summary} scales it to the whole workload.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class MlflowComparisonBenchmark {
  /** The steps the per-point loop logs: 100 points. */
  static final int PER_POINT_STEPS = 10;
  /** Its requests: 100 points, 50 params, 20 tags, the run's creation and end. */
  static final int PER_POINT_REQUESTS = 172;

  /** The server every client logs to, emulating MLflow 3.6 with {@link #workers} workers. */
  @State(Scope.Benchmark)
  public static class Server {
    /** MLflow's server workers ({@code mlflow server --workers}; 4 is its default). */
    @Param({"1", "4"})
    public int workers;

    EmulatedMlflow mlflow;
    /** The run the last operation logged, and its steps, checked after it. */
    String lastRunId;
    int lastSteps;

    @Setup(Level.Trial)
    public void start() throws IOException {
      mlflow = EmulatedMlflow.mlflow36(workers);
    }

    /** Checks the last run, outside the measured time, and forgets it. */
    @TearDown(Level.Invocation)
    public void checkAndForget() throws InterruptedException {
      try {
        Checks.everythingArrived(mlflow.fake, lastRunId, lastSteps);
      } finally {
        lastRunId = null;
        mlflow.forget();
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      mlflow.close();
    }

    void ran(String runId, int steps) {
      lastRunId = runId;
      lastSteps = steps;
    }
  }

  /** MLflow's Java client. */
  @State(Scope.Benchmark)
  public static class Mlflow {
    MlflowClient client;
    String experimentId;

    @Setup(Level.Trial)
    public void start(Server s) {
      client = new MlflowClient(s.mlflow.uri());
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
      tracker = TrackerLoop.http(s.mlflow.uri(), spool);
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

  /** The time the logging thread spent inside the logging calls, per operation. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Caller {
    /** Milliseconds inside logging calls. */
    public double callerMs;
  }

  /**
   * MLflow's Java client, {@code logMetric} per point, {@code logParam} and {@code setTag} per
   * param and tag: {@value #PER_POINT_STEPS} steps, reported per request.
   */
  @Benchmark
  @OperationsPerInvocation(PER_POINT_REQUESTS)
  public void mlflowPerPoint(Server s, Mlflow m) {
    s.ran(MlflowClientLoops.perPoint(m.client, m.experimentId,
        s.mlflow.nextRunName("mlflow-per-point"), PER_POINT_STEPS), PER_POINT_STEPS);
  }

  /**
   * MLflow's Java client, {@code logBatch} split by hand into batches of 1000, one request at a
   * time: the caller is blocked throughout.
   */
  @Benchmark
  public void mlflowHandBatched(Server s, Mlflow m, Caller c) {
    long start = System.nanoTime();
    s.ran(MlflowClientLoops.handBatched(m.client, m.experimentId,
        s.mlflow.nextRunName("mlflow-batched"), Workload.STEPS), Workload.STEPS);
    c.callerMs = (System.nanoTime() - start) / 1e6;
  }

  /**
   * Tracker's http backend: {@code logMetric} per point, then closing the run; the operation
   * ends when the server holds the run FINISHED (its end is delivered after its points).
   */
  @Benchmark
  public void trackerPerPoint(Server s, TrackerHttp t, Caller c) throws InterruptedException {
    String name = s.mlflow.nextRunName("tracker");
    c.callerMs = TrackerLoop.perPoint(t.tracker, name, Workload.STEPS) / 1e6;
    s.ran(s.mlflow.awaitFinished(name), Workload.STEPS);
  }
}
