package dev.tracker.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.tracker.Run;
import dev.tracker.Tracker;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
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

/**
 * Benchmark 4: the heap while one thread logs {@value #POINTS} points to the file backend with
 * the default settings, in a JVM limited to a 64 MB heap ({@code -Xmx64m}): finishing at all
 * shows the high-water mark stays under 64 MB, since the queue bound holds. Reported besides the
 * time: the highest heap use seen after a garbage collection ({@code heapAfterGcMb}, what the
 * program kept alive) and the sum of the heap pools' peaks ({@code heapPeakMb}, garbage included:
 * at least the high-water mark, since the pools peak at different times). JMH's own table shows
 * these counters summed over the iterations; {@link Summary} shows each iteration's.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx64m", "-Xms64m"})
@State(Scope.Benchmark)
public class HeapBenchmark {
  static final int POINTS = 10_000_000;

  private Path root;
  private Tracker tracker;
  private Run run;
  private final AtomicLong afterGcHighWater = new AtomicLong();
  private final NotificationListener gcListener = this::onGc;

  /** Heap figures, as JMH secondary results (one operation per iteration). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Heap {
    /** The highest heap use after a collection during the operation, in MB. */
    public double heapAfterGcMb;
    /** The sum of the heap pools' peak use during the operation, in MB. */
    public double heapPeakMb;
  }

  @Setup(Level.Trial)
  public void listen() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener(gcListener, null, null);
    }
  }

  @Setup(Level.Iteration)
  public void open() throws IOException {
    root = Files.createTempDirectory("tracker-bench-heap");
    tracker = Tracker.builder().uri(root.toUri().toString()).experiment("bench")
        .shutdownHook(false).standardTags(false).build();
    run = tracker.experiment().startRun("ten-million");
    System.gc();
    afterGcHighWater.set(0);
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  @TearDown(Level.Iteration)
  public void closeAndCheck() {
    try {
      tracker.close();
      RunFiles.requireRows(RunFiles.metricsCsv(root, run.id()), POINTS);
    } finally {
      RunFiles.delete(root);
    }
  }

  /** Logs the points and flushes them to disk. */
  @Benchmark
  public void tenMillionPoints(Heap heap) {
    List<String> keys = Workload.METRIC_KEYS;
    for (int i = 0; i < POINTS; i++) {
      int k = i % keys.size();
      run.logMetric(keys.get(k), Workload.value(k, i), i);
    }
    tracker.flush();
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    heap.heapPeakMb = peak / 1048576.0;
    heap.heapAfterGcMb = afterGcHighWater.get() / 1048576.0;
  }

  private void onGc(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long used = 0;
    for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
      used += u.getUsed();
    }
    // the non-heap pools (metaspace, code cache) are in this map too: count heap pools only
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() != MemoryType.HEAP) {
        MemoryUsage u = info.getGcInfo().getMemoryUsageAfterGc().get(pool.getName());
        if (u != null) {
          used -= u.getUsed();
        }
      }
    }
    afterGcHighWater.accumulateAndGet(used, Math::max);
  }
}
