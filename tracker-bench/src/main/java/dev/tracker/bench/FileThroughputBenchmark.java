package dev.tracker.bench;

import dev.tracker.Run;
import dev.tracker.Tracker;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * Benchmark 2: metric rows per second written to {@code metrics.csv} by the file backend through
 * the whole pipeline ({@code logMetric} per row, then {@code flush()}, which forces the rows to
 * disk), into one run and into 8 runs logged by 8 threads at once. Against it, in the same run,
 * the simplest code a user would write instead: a {@code BufferedWriter} appending the same CSV
 * rows, flushed and forced to disk the same way.
 *
 * <p>One operation is one row; each invocation writes {@value #ROWS} rows in all and flushes.
 * After each iteration every file is checked to hold exactly the rows written.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(FileThroughputBenchmark.ROWS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class FileThroughputBenchmark {
  static final int ROWS = 1_000_000;

  /** How many runs (files) are written at once, each by its own thread. */
  @Param({"1", "8"})
  public int runs;

  private Path root;
  private ExecutorService pool;
  private long invocations;
  // the pipeline
  private Tracker tracker;
  private Run[] trackerRuns;
  // the baseline
  private Path[] baselineFiles;
  private FileOutputStream[] baselineStreams;
  private BufferedWriter[] baselineWriters;

  @Setup(Level.Trial)
  public void startPool() {
    pool = Executors.newFixedThreadPool(runs, r -> {
      Thread t = new Thread(r, "bench-writer");
      t.setDaemon(true);
      return t;
    });
  }

  @TearDown(Level.Trial)
  public void stopPool() {
    pool.shutdownNow();
  }

  @Setup(Level.Iteration)
  public void open() throws IOException {
    root = Files.createTempDirectory("tracker-bench-file");
    invocations = 0;
    tracker = Tracker.builder().uri(root.toUri().toString()).experiment("bench")
        .shutdownHook(false).standardTags(false).build();
    trackerRuns = new Run[runs];
    baselineFiles = new Path[runs];
    baselineStreams = new FileOutputStream[runs];
    baselineWriters = new BufferedWriter[runs];
    for (int i = 0; i < runs; i++) {
      trackerRuns[i] = tracker.experiment().startRun("run-" + i);
      baselineFiles[i] = root.resolve("baseline-" + i + ".csv");
      baselineStreams[i] = new FileOutputStream(baselineFiles[i].toFile(), true);
      baselineWriters[i] = new BufferedWriter(
          new OutputStreamWriter(baselineStreams[i], StandardCharsets.UTF_8));
      baselineWriters[i].write("Name,Value,Timestamp,Step\n");
    }
  }

  @TearDown(Level.Iteration)
  public void closeAndCheck() throws IOException {
    try {
      List<String> ids = new ArrayList<>();
      for (Run r : trackerRuns) {
        ids.add(r.id());
      }
      tracker.close();
      for (BufferedWriter w : baselineWriters) {
        w.close();
      }
      long perRun = invocations * (ROWS / runs);
      // one benchmark method ran this iteration: its files hold the rows, the others none
      boolean trackerRan = RunFiles.lines(RunFiles.metricsCsv(root, ids.get(0))) > 1;
      for (int i = 0; i < runs; i++) {
        RunFiles.requireRows(RunFiles.metricsCsv(root, ids.get(i)), trackerRan ? perRun : 0);
        RunFiles.requireRows(baselineFiles[i], trackerRan ? 0 : perRun);
      }
    } finally {
      RunFiles.delete(root);
    }
  }

  /** The file backend: {@code logMetric} per row, then {@code flush()}. */
  @Benchmark
  public void tracker() throws Exception {
    invocations++;
    each(i -> {
      Run run = trackerRuns[i];
      List<String> keys = Workload.METRIC_KEYS;
      int n = ROWS / runs;
      for (int j = 0; j < n; j++) {
        int k = j % keys.size();
        run.logMetric(keys.get(k), Workload.value(k, j), j);
      }
    });
    tracker.flush();
  }

  /** The baseline: a {@code BufferedWriter} per file, flushed and forced to disk. */
  @Benchmark
  public void bufferedWriter() throws Exception {
    invocations++;
    each(i -> {
      BufferedWriter w = baselineWriters[i];
      List<String> keys = Workload.METRIC_KEYS;
      int n = ROWS / runs;
      try {
        for (int j = 0; j < n; j++) {
          int k = j % keys.size();
          w.write("\"" + keys.get(k) + "\"," + Workload.value(k, j) + ","
              + System.currentTimeMillis() + "," + j + "\n");
        }
        w.flush();
        baselineStreams[i].getFD().sync();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private interface Writer {
    void write(int run) throws Exception;
  }

  /** Runs {@code writer} for every run at once, one thread each (inline for one run). */
  private void each(Writer writer) throws Exception {
    if (runs == 1) {
      writer.write(0);
      return;
    }
    List<Future<?>> futures = new ArrayList<>(runs);
    for (int i = 0; i < runs; i++) {
      int run = i;
      futures.add(pool.submit(() -> {
        writer.write(run);
        return null;
      }));
    }
    try {
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }
}
