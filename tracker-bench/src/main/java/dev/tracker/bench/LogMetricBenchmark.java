package dev.tracker.bench;

import dev.tracker.Run;
import dev.tracker.Tracker;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 1: what {@code Run.logMetric(key, value, step)} costs the calling thread, with a
 * backend that discards, at 1 and at 8 threads logging into one run. Run with {@code -prof gc} to
 * see the bytes allocated per call.
 *
 * <p>The dispatcher runs the whole time, so a result includes waiting for room when the queue is
 * full: the cost a training loop sees when it logs as fast as it can.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Benchmark)
public class LogMetricBenchmark {
  private DiscardingBackend backend;
  private Tracker tracker;
  private Run run;

  /** Per-thread step counter, so each thread logs its own increasing steps. */
  @State(Scope.Thread)
  public static class Steps {
    long step;
  }

  @Setup(Level.Trial)
  public void start() {
    backend = new DiscardingBackend();
    tracker = Tracker.builder().backend(backend).shutdownHook(false).standardTags(false).build();
    run = tracker.experiment("bench").startRun("logMetric");
  }

  @TearDown(Level.Trial)
  public void stop() {
    tracker.close();
  }

  @Benchmark
  @Threads(1)
  public void oneThread(Steps s) {
    long step = s.step++;
    run.logMetric("train/loss", step * 0.001, step);
  }

  @Benchmark
  @Threads(8)
  public void eightThreads(Steps s) {
    long step = s.step++;
    run.logMetric("train/loss", step * 0.001, step);
  }
}
