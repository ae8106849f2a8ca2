package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.Tracker;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentLoggingTest {
  private static final int THREADS = 8;
  private static final int POINTS = 250_000;

  @TempDir Path root;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void eightThreadsLoggingAQuarterMillionPointsEachLeaveTwoMillionRowsInOrder()
      throws Exception {
    String id;
    try (Tracker tracker = Tracker.builder().uri(root.toUri().toString()).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null).build()) {
      Run run = tracker.experiment("load").startRun("8x250k");
      id = run.id();
      CountDownLatch start = new CountDownLatch(1);
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      Thread[] threads = new Thread[THREADS];
      for (int t = 0; t < THREADS; t++) {
        String key = "thread-" + t;
        threads[t] = new Thread(() -> {
          try {
            start.await();
            for (int step = 0; step < POINTS; step++) {
              run.logMetric(key, step * 0.25, step);
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }, "logger-" + t);
        threads[t].start();
      }
      start.countDown();
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(100));
      }
      assertThat(failures).isEmpty();
      run.close();
    }
    Path csv = root.resolve("load").resolve(id).resolve("metrics.csv");
    long lines;
    try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      assertThat(in.readLine()).isEqualTo("Name,Value,Timestamp,Step");
      lines = 1 + in.lines().count();
    }
    assertThat(lines).isEqualTo(1 + (long) THREADS * POINTS);

    MetricsCsv.Result result = MetricsCsv.read(csv);
    assertThat(result.problems()).isEmpty();
    assertThat(result.tornLastLine()).isFalse();
    assertThat(result.metrics()).hasSize(THREADS * POINTS);
    long[] next = new long[THREADS];
    for (Metric m : result.metrics()) {
      int t = m.key().charAt("thread-".length()) - '0';
      assertThat(m.step()).as("step of %s", m.key()).isEqualTo(next[t]);
      assertThat(m.value()).isEqualTo(next[t] * 0.25);
      next[t]++;
    }
    assertThat(next).containsOnly(POINTS);
  }
}
