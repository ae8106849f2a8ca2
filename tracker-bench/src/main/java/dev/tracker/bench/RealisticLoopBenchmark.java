package dev.tracker.bench;

import dev.tracker.Run;
import dev.tracker.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Benchmark 3, the realistic loop: {@value #STEPS} training steps of about 2 ms of computation
 * each ({@link Work}), logging {@value #METRICS_PER_STEP} metrics per step with Tracker to the
 * fake MLflow server emulating MLflow 3.6 with 4 workers, against the same loop without
 * logging. The goal: logging adds at most 3 % to the loop's time.
 *
 * <p>One operation runs both loops back to back, in the same JVM with the same calibrated work,
 * alternating which goes first, and reports their paired figures as counters: {@code
 * addedPercent}, what the loop with Tracker took more than the loop without, until the server
 * holds the run FINISHED with every point (checked after it, outside the measured time); {@code
 * untilLastStepPercent}, the same until the loop's last step, without the run's close; and both
 * loops' times. Paired, the ratio does not move with the machine's drift between forks or
 * iterations, which on a shared 2-core machine is several percent.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 10)
@Fork(1)
public class RealisticLoopBenchmark {
  static final int STEPS = 2000;
  static final int METRICS_PER_STEP = 5;
  static final List<String> KEYS = Workload.METRIC_KEYS.subList(0, METRICS_PER_STEP);
  /** A training step's computation. */
  static final long WORK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  /**
   * A step's computation: a fixed amount of CPU work ({@link Blackhole#consumeCPU}), measured
   * once, before the trial, to take {@link #WORK_NANOS} on this machine (the median of 201
   * probes). Fixed work, not a wait until a deadline: the threads that logging adds (Tracker's
   * dispatcher, the server) compete with it for the cores, as with a real training loop.
   */
  @State(Scope.Benchmark)
  public static class Work {
    long tokens;

    @Setup(Level.Trial)
    public void calibrate() {
      long probe = 100_000;
      long[] took = new long[201];
      for (int round = 0; round < 2; round++) { // the first round warms the code up
        for (int i = 0; i < took.length; i++) {
          long start = System.nanoTime();
          Blackhole.consumeCPU(probe);
          took[i] = System.nanoTime() - start;
        }
      }
      Arrays.sort(took);
      tokens = Math.max(1, probe * WORK_NANOS / Math.max(1, took[took.length / 2]));
    }

    void step() {
      Blackhole.consumeCPU(tokens);
    }
  }

  /** MLflow 3.6 emulated with 4 workers, and a tracker logging to it. */
  @State(Scope.Benchmark)
  public static class Server {
    EmulatedMlflow mlflow;
    Path spool;
    Tracker tracker;
    String lastRunId;
    long operations;

    @Setup(Level.Trial)
    public void start() throws IOException {
      mlflow = EmulatedMlflow.mlflow36(4);
      spool = Files.createTempDirectory("tracker-bench-spool");
      tracker = TrackerLoop.http(mlflow.uri(), spool);
    }

    /** Checks the last run, outside the measured time, and forgets it. */
    @TearDown(Level.Invocation)
    public void checkAndForget() throws InterruptedException {
      try {
        Checks.pointsArrived(mlflow.fake, lastRunId, KEYS, STEPS);
      } finally {
        lastRunId = null;
        mlflow.forget();
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      try {
        tracker.close();
      } finally {
        mlflow.close();
        RunFiles.delete(spool);
      }
    }
  }

  /** The paired figures of one operation. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Paired {
    /** The loop without logging, in milliseconds. */
    public double bareMs;
    /** The loop with Tracker until the server holds the run FINISHED, in milliseconds. */
    public double trackerMs;
    /** How much longer the loop with Tracker took, in percent of the loop without. */
    public double addedPercent;
    /** The same until the loop's last step, the run's close excluded. */
    public double untilLastStepPercent;
  }

  /** The loop without logging, then with Tracker, or the other way round every other time. */
  @Benchmark
  public void bareAndTracker(Work w, Server s, Paired p) throws InterruptedException {
    boolean bareFirst = s.operations++ % 2 == 0;
    long bare = bareFirst ? bare(w) : 0;
    String name = s.mlflow.nextRunName("realistic");
    long start = System.nanoTime();
    long lastStep;
    try (Run run = s.tracker.experiment().startRun(name)) {
      for (int step = 0; step < STEPS; step++) {
        w.step();
        for (int k = 0; k < METRICS_PER_STEP; k++) {
          run.logMetric(KEYS.get(k), Workload.value(k, step), step);
        }
      }
      lastStep = System.nanoTime() - start;
    } // closed: ends the run, which the server gets after its records
    s.lastRunId = s.mlflow.awaitFinished(name);
    long tracked = System.nanoTime() - start;
    if (!bareFirst) {
      bare = bare(w);
    }
    p.bareMs = bare / 1e6;
    p.trackerMs = tracked / 1e6;
    p.addedPercent = (tracked / (double) bare - 1) * 100;
    p.untilLastStepPercent = (lastStep / (double) bare - 1) * 100;
  }

  /** The loop without logging; its nanoseconds. */
  private static long bare(Work w) {
    long start = System.nanoTime();
    for (int step = 0; step < STEPS; step++) {
      w.step();
    }
    return System.nanoTime() - start;
  }
}
