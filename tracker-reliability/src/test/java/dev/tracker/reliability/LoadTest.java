package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Experiment;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.Run;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load: 16 threads log 50,000 points each into each of 20 runs of one tracker (16,000,000 points),
 * and a backend that counts what arrives, per run, per key and per thread, proves that every point
 * arrived exactly once and that each thread's points of a key arrived in the order it logged them.
 */
class LoadTest {
  static final int THREADS = 16;
  static final int RUNS = 20;
  static final int POINTS = 50_000; // per thread and run
  static final String[] KEYS = {"train/loss", "train/acc"};
  static final int QUEUE_CAPACITY = Tracker.DEFAULT_QUEUE_CAPACITY;
  static final int BATCH_SIZE = Tracker.DEFAULT_BATCH_SIZE;
  static final int SAMPLES = 10;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void sixteenThreadsIntoTwentyRunsDeliverEveryPointOnceInEachThreadsOrder() throws Exception {
    CountingBackend backend = new CountingBackend();
    LongRunTest.HeapSampler heap = LongRunTest.HeapSampler.start();
    long started = System.nanoTime();
    Tracker tracker = Tracker.builder().backend(backend).queueCapacity(QUEUE_CAPACITY)
        .batchSize(BATCH_SIZE).shutdownHook(false).standardTags(false).systemMetrics(false)
        .systemProperties(k -> null).environment(k -> null).seed(7).build();
    Experiment experiment = tracker.experiment("load");
    List<Run> runs = IntStream.range(0, RUNS)
        .mapToObj(r -> experiment.startRun("run-" + r)).toList();

    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<Void>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      double thread = t; // the value names the thread that logged the point
      Callable<Void> work = () -> {
        go.await();
        for (int i = 0; i < POINTS; i++) {
          String key = KEYS[i & 1];
          long step = i >> 1;
          for (Run run : runs) {
            run.logMetric(key, thread, step);
          }
          if (thread == 0 && i % (POINTS / SAMPLES) == POINTS / SAMPLES / 2) {
            heap.requestSample();
          }
        }
        return null;
      };
      done.add(pool.submit(work));
    }
    go.countDown();
    for (Future<Void> f : done) {
      f.get(150, TimeUnit.SECONDS);
    }
    pool.shutdown();
    tracker.close();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    LongRunTest.HeapSampler.Result mem = heap.stop();

    long sent = (long) THREADS * RUNS * POINTS;
    System.out.printf("LoadTest: %,d points sent, %,d stored, %,d out of order or duplicated,"
        + " %,d ms, live heap after GC at most %,d MB above the %,d MB before (%d samples),"
        + " %,d batches%n", sent, backend.total(), backend.errorCount, millis,
        mem.peakAboveBaseline() >> 20, mem.baseline() >> 20, mem.samples(), backend.batches);

    assertThat(backend.errors).isEmpty();
    assertThat(backend.errorCount).isZero();
    assertThat(backend.callers).containsExactly("tracker-dispatcher");
    assertThat(backend.maxBatch).isLessThanOrEqualTo(BATCH_SIZE);
    assertThat(backend.runs).hasSize(RUNS);
    for (Run run : runs) {
      RunCounts c = backend.runs.get(run.id());
      assertThat(c.name).isEqualTo(run.name());
      assertThat(c.status).isEqualTo(RunStatus.FINISHED);
      assertThat(c.params).containsExactly("seed");
      assertThat(c.total).as("points of %s", run.name()).isEqualTo((long) THREADS * POINTS);
      for (int k = 0; k < KEYS.length; k++) {
        assertThat(c.perKey[k]).as("points of %s in %s", KEYS[k], run.name())
            .isEqualTo((long) THREADS * POINTS / 2);
        for (int t = 0; t < THREADS; t++) {
          assertThat(c.next[k * THREADS + t]).as("next step of %s by thread %d in %s", KEYS[k],
              t, run.name()).isEqualTo(POINTS / 2);
        }
      }
    }
    assertThat(backend.total()).isEqualTo(sent);
    assertThat(mem.samples()).isEqualTo(SAMPLES);
    // What waits in queues is bounded: 20 runs' queues plus one chunk per thread and run.
    long bound = (long) RUNS * (QUEUE_CAPACITY + (long) THREADS * BATCH_SIZE)
        * LongRunTest.BYTES_PER_QUEUED_POINT + LongRunTest.MARGIN_BYTES;
    assertThat(mem.peakAboveBaseline()).isLessThan(bound);
  }

  /** What arrived for one run. Written by the dispatcher only; read after the tracker closed. */
  static final class RunCounts {
    final String name;
    final long[] perKey = new long[KEYS.length];
    final long[] next = new long[KEYS.length * THREADS]; // next step expected per key and thread
    final List<String> params = new ArrayList<>();
    long total;
    RunStatus status;

    RunCounts(String name) {
      this.name = name;
    }
  }

  /**
   * Counts points per run, key and thread without keeping them, and checks each batch as it
   * arrives: every point of a key logged by one thread must have the step after the one before.
   */
  static final class CountingBackend implements TrackingBackend {
    final Map<String, RunCounts> runs = new ConcurrentHashMap<>();
    final List<String> errors = new ArrayList<>(); // the first few
    final List<String> callers = new ArrayList<>();
    long errorCount;
    long batches;
    int maxBatch;

    long total() {
      return runs.values().stream().mapToLong(c -> c.total).sum();
    }

    private void error(String message) {
      if (errors.size() < 20) {
        errors.add(message);
      }
      errorCount++;
    }

    private void caller() {
      String name = Thread.currentThread().getName();
      if (!callers.contains(name)) {
        callers.add(name);
      }
    }

    @Override
    public String describe() {
      return "counting";
    }

    @Override
    public String createExperiment(String name) {
      caller();
      return name;
    }

    @Override
    public void createRun(RunSpec spec) {
      caller();
      if (runs.putIfAbsent(spec.runId(), new RunCounts(spec.runName())) != null) {
        error("run " + spec.runId() + " created twice");
      }
    }

    @Override
    public void logBatch(String runId, Batch batch) {
      caller();
      batches++;
      maxBatch = Math.max(maxBatch, batch.size());
      RunCounts c = runs.get(runId);
      if (c == null) {
        error("batch for run " + runId + " before it was created");
        return;
      }
      for (Param p : batch.params()) {
        c.params.add(p.key());
      }
      List<Metric> metrics = batch.metrics();
      for (int i = 0, n = metrics.size(); i < n; i++) {
        Metric m = metrics.get(i);
        int k = m.key().equals(KEYS[0]) ? 0 : m.key().equals(KEYS[1]) ? 1 : -1;
        int t = (int) m.value();
        if (k < 0 || t != m.value() || t < 0 || t >= THREADS) {
          error("unexpected point " + m + " in " + c.name);
          continue;
        }
        int slot = k * THREADS + t;
        if (m.step() != c.next[slot]) {
          error(c.name + ": " + m.key() + " of thread " + t + " expected step " + c.next[slot]
              + " but was " + m.step());
        }
        c.next[slot] = m.step() + 1;
        c.perKey[k]++;
        c.total++;
      }
    }

    @Override
    public void logArtifact(String runId, Path file, String artifactPath) {
      error("unexpected artifact " + artifactPath);
    }

    @Override
    public void endRun(String runId, RunStatus status, long endTime) {
      caller();
      RunCounts c = runs.get(runId);
      if (c == null || c.status != null) {
        error("run " + runId + " ended twice or before it was created");
        return;
      }
      c.status = status;
    }

    @Override
    public void close() {}
  }
}
