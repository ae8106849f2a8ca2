package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.testing.RecordingBackend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ConcurrencyTest {

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void eightThreadsLogTwoMillionPointsIntoOneRunWithNothingLostAndStepsInOrder() throws Exception {
    int threads = 8;
    int perThread = 250_000;
    RecordingBackend backend = new RecordingBackend();
    // a small queue makes the producers wait for the dispatcher (back-pressure) many times
    Tracker tracker = Tracker.builder().backend(backend).shutdownHook(false).queueCapacity(4096)
        .systemProperties(k -> null).environment(k -> null).build();
    Run run = tracker.experiment("load").startRun("r");
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String key = "thread-" + t;
      futures.add(pool.submit(() -> {
        start.await();
        for (int step = 0; step < perThread; step++) {
          run.logMetric(key, step * 0.5, step, 1000L + step);
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    tracker.close();

    List<Metric> metrics = backend.metrics(run.id());
    assertThat(metrics).hasSize(threads * perThread);
    Map<String, Long> nextStep = new HashMap<>();
    for (Metric m : metrics) {
      long expected = nextStep.getOrDefault(m.key(), 0L);
      assertThat(m.step()).as("step of %s", m.key()).isEqualTo(expected);
      assertThat(m.value()).isEqualTo(expected * 0.5);
      nextStep.put(m.key(), expected + 1);
    }
    assertThat(nextStep).hasSize(threads).allSatisfy((k, v) -> assertThat(v).isEqualTo(perThread));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aFullQueueMakesTheCallerWaitInsteadOfDropping() throws Exception {
    RecordingBackend backend = new RecordingBackend();
    try (Tracker tracker = Tracker.builder().backend(backend).shutdownHook(false).queueCapacity(10)
        .systemProperties(k -> null).environment(k -> null).build()) {
      Run run = tracker.experiment("e").startRun("r");
      tracker.flush();
      backend.block();
      CountDownLatch done = new CountDownLatch(1);
      Thread producer = new Thread(() -> {
        for (int i = 0; i < 100; i++) {
          run.logMetric("m", i, i);
        }
        done.countDown();
      });
      producer.start();
      assertThat(backend.awaitBlocked(10)).isTrue();
      // the dispatcher is held with at most one batch taken; 100 records cannot fit in 10 slots
      assertThat(done.await(200, TimeUnit.MILLISECONDS)).isFalse();
      backend.release();
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      tracker.flush();
      assertThat(backend.metrics(run.id())).extracting(Metric::step)
          .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 100).boxed().toList());
    }
  }
}
