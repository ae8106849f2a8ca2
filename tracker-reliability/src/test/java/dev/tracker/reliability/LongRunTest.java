package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.file.FileBackend;
import dev.tracker.file.MetricsCsv;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long run to the file backend: memory stays bounded by the queue, whatever the number of
 * points, and every point is in {@code metrics.csv} once, in order. The 50,000,000-point run
 * writes about 2 GB and is tagged {@code slow} (Maven profile {@code slow}); the normal build runs
 * 5,000,000 points.
 */
class LongRunTest {
  /** A queued point: the 40-byte {@code Metric} and its 4-byte slot, rounded up generously. */
  static final long BYTES_PER_QUEUED_POINT = 64;
  /** Room for what is not queued points: write buffers, JIT and test-harness garbage. */
  static final long MARGIN_BYTES = 32L << 20;
  static final String[] KEYS = {"train/loss", "train/acc", "val/loss", "lr"};
  static final int QUEUE_CAPACITY = Tracker.DEFAULT_QUEUE_CAPACITY;
  static final int BATCH_SIZE = Tracker.DEFAULT_BATCH_SIZE;
  /** Samples of the heap taken while points are logged. */
  static final int SAMPLES = 20;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void fiveMillionPointsKeepMemoryBoundedAndAllReachTheFile() throws Exception {
    longRun(5_000_000);
  }

  @Test
  @Tag("slow")
  @Timeout(value = 900, unit = TimeUnit.SECONDS)
  void fiftyMillionPointsKeepMemoryBoundedAndAllReachTheFile() throws Exception {
    longRun(50_000_000);
  }

  private void longRun(long points) throws Exception {
    HeapSampler heap = HeapSampler.start();
    long sampleEvery = points / SAMPLES;
    long started = System.nanoTime();
    Tracker tracker = Tracker.builder().uri("file:" + tmp).queueCapacity(QUEUE_CAPACITY)
        .batchSize(BATCH_SIZE).shutdownHook(false).standardTags(false).systemMetrics(false)
        .systemProperties(k -> null).environment(k -> null).seed(11).build();
    Run run = tracker.experiment("long").startRun("long-run");
    for (long i = 0; i < points; i++) {
      run.logMetric(KEYS[(int) (i & 3)], value(i), i >> 2);
      if (i % sampleEvery == sampleEvery / 2) {
        heap.requestSample();
      }
    }
    run.close();
    tracker.close();
    long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    HeapSampler.Result mem = heap.stop();

    Path csv = tmp.resolve("long").resolve(run.id()).resolve(FileBackend.METRICS_FILE);
    long bytes = Files.size(csv);
    long readStarted = System.nanoTime();
    long rows = checkRows(csv, points);
    long readMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readStarted);
    System.out.printf("LongRunTest: %,d points sent, %,d rows stored (%,d MB), 0 duplicates;"
        + " written in %,d ms, read back in %,d ms; live heap after GC at most %,d MB above the"
        + " %,d MB before (%d samples during the run)%n", points, rows, bytes >> 20, writeMillis,
        readMillis, mem.peakAboveBaseline() >> 20, mem.baseline() >> 20, mem.samples());

    assertThat(rows).isEqualTo(points);
    assertThat(mem.samples()).isEqualTo(SAMPLES);
    // Unbounded buffering would hold every point: 40+ bytes each, 200 MB for 5 million.
    assertThat(mem.peakAboveBaseline())
        .isLessThan((QUEUE_CAPACITY + BATCH_SIZE) * BYTES_PER_QUEUED_POINT + MARGIN_BYTES);
  }

  private static double value(long i) {
    return ((i >> 2) % 1000) / 4.0;
  }

  /**
   * Reads {@code metrics.csv} line by line (never all of it into memory) and checks that row
   * {@code r} is point {@code r} as logged: its key, value and step. Returns the number of rows.
   */
  private static long checkRows(Path csv, long points) throws IOException {
    long row = 0;
    try (BufferedReader in = new BufferedReader(
        Files.newBufferedReader(csv, StandardCharsets.UTF_8), 1 << 16)) {
      assertThat(in.readLine()).isEqualTo(MetricsCsv.HEADER);
      String line;
      while ((line = in.readLine()) != null) {
        // "key",value,timestamp,step
        int endKey = line.indexOf('"', 1);
        int afterValue = line.indexOf(',', endKey + 2);
        int lastComma = line.lastIndexOf(',');
        String key = line.substring(1, endKey);
        double value = Double.parseDouble(line.substring(endKey + 2, afterValue));
        long step = Long.parseLong(line, lastComma + 1, line.length(), 10);
        if (row >= points || !key.equals(KEYS[(int) (row & 3)]) || value != value(row)
            || step != row >> 2 || line.charAt(0) != '"') {
          throw new AssertionError("row " + (row + 1) + " of " + csv + " should be point "
              + row + " (" + KEYS[(int) (row & 3)] + ", " + value(row) + ", step " + (row >> 2)
              + ") but was: " + line);
        }
        row++;
      }
    }
    return row;
  }

  /**
   * Samples the heap in use right after a full collection ({@code System.gc()}, then {@link
   * MemoryMXBean#getHeapMemoryUsage()}) on a thread of its own while a test runs: what the
   * program holds, not the garbage it has made.
   */
  static final class HeapSampler {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ExecutorService timer = Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, "heap-sampler");
          t.setDaemon(true);
          return t;
        });
    private final AtomicLong peak = new AtomicLong();
    private final AtomicInteger samples = new AtomicInteger();
    private final long baseline;

    private HeapSampler() {
      baseline = liveHeap();
    }

    /** Takes the baseline now; samples when asked. */
    static HeapSampler start() {
      return new HeapSampler();
    }

    /**
     * Asks the sampler's thread for a sample and returns at once (the caller keeps logging while
     * the sample is taken).
     */
    void requestSample() {
      timer.execute(this::sample);
    }

    private long liveHeap() {
      System.gc();
      return memory.getHeapMemoryUsage().getUsed();
    }

    private void sample() {
      peak.accumulateAndGet(liveHeap(), Math::max);
      samples.incrementAndGet();
    }

    /** Takes the samples asked for, then stops. */
    Result stop() throws InterruptedException {
      timer.shutdown();
      assertThat(timer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      return new Result(baseline, Math.max(baseline, peak.get()), samples.get());
    }

    /** Bytes in use after a collection: before the test, at most during it; and how often. */
    record Result(long baseline, long peak, int samples) {
      long peakAboveBaseline() {
        return peak - baseline;
      }
    }
  }
}
