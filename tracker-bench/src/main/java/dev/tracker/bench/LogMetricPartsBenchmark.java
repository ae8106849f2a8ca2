package dev.tracker.bench;

import dev.tracker.Metric;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where the time of benchmark 1 goes: the parts of {@code Run.logMetric} measured alone, single
 * threaded. Not a goal of its own; BENCHMARKS.md uses it to explain {@link LogMetricBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class LogMetricPartsBenchmark {
  private final ThreadLocal<Object> local = ThreadLocal.withInitial(Object::new);
  private long step;

  /** The timestamp: {@code InstantSource.system().millis()} is this. */
  @Benchmark
  public long clock() {
    return System.currentTimeMillis();
  }

  /** The record, its key validated (a cache hit after the first call). */
  @Benchmark
  public Metric record() {
    long s = step++;
    return new Metric("train/loss", s * 0.001, 1_700_000_000_000L, s);
  }

  /** Finding the calling thread's chunk. */
  @Benchmark
  public Object threadLocal() {
    return local.get();
  }
}
