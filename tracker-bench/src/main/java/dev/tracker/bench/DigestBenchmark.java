package dev.tracker.bench;

import dev.tracker.Dataset;
import dev.tracker.DatasetInput;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.internal.DatasetDigests;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 7: the digest of a data set ({@code Run.logInput}). {@code firstDigest} reads a file
 * of {@code megabytes} MiB whole (a fresh digester, so nothing is cached; the file sits in the
 * page cache after the first read), on the one thread that computes digests, the dispatcher:
 * MiB/s = megabytes / seconds per operation. {@code -prof gc} shows its allocation per operation
 * (the 1 MiB buffer, whatever the file's size). {@code secondDigest} is what the dispatcher pays
 * for the same file again (attributes read, cache hit); {@code secondLogInput} is the whole
 * second call as a user sees it: {@code logInput} and a {@code flush()} that waits for the
 * dispatcher to record it. The file is created under {@code java.io.tmpdir} and deleted after.
 */
@Fork(1)
@State(Scope.Benchmark)
public class DigestBenchmark {
  /** The file size in MiB (1024 = the 1 GiB of the goal). */
  @Param("1024")
  public int megabytes;

  private Path dir;
  private Path file;
  private Dataset dataset;
  private DatasetDigests warm;
  private Tracker tracker;
  private Run run;

  @Setup(Level.Trial)
  public void create() throws IOException {
    dir = Files.createTempDirectory("tracker-bench-digest");
    file = dir.resolve("data.bin");
    byte[] chunk = new byte[1 << 20];
    Random random = new Random(42);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < megabytes; i++) {
        random.nextBytes(chunk);
        out.write(chunk);
      }
    }
    dataset = Dataset.of(file).name("data");
    warm = new DatasetDigests();
    warm.input(dataset);
    tracker = Tracker.builder().backend(new DiscardingBackend()).experiment("bench")
        .shutdownHook(false).standardTags(false).systemProperties(k -> null)
        .environment(k -> null).build();
    run = tracker.experiment("bench").startRun("digest");
    run.logInput(dataset);
    tracker.flush();
  }

  @TearDown(Level.Trial)
  public void delete() throws IOException {
    tracker.close();
    Files.deleteIfExists(file);
    Files.deleteIfExists(dir);
  }

  /** Reads and digests the whole file. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  public DatasetInput firstDigest() throws IOException {
    return new DatasetDigests().input(dataset);
  }

  /** The same file again: its attributes match, so the digest comes from the cache. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 2, time = 1)
  @Measurement(iterations = 5, time = 1)
  public DatasetInput secondDigest() throws IOException {
    return warm.input(dataset);
  }

  /** {@code logInput} of a file logged before, and the flush that waits for it. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 2, time = 1)
  @Measurement(iterations = 5, time = 1)
  public void secondLogInput() {
    run.logInput(dataset);
    tracker.flush();
  }
}
