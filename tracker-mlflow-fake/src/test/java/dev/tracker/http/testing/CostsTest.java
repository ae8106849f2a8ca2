package dev.tracker.http.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.http.testing.FakeMlflowServer.Charge;
import dev.tracker.http.testing.FakeMlflowServer.Costs;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fake's cost emulation, checked on its own record (requests in service, charges), never on
 * the wall clock: tests replace the sleeper to hold requests in service as long as they need.
 */
@Timeout(30)
class CostsTest {
  private static final Duration LONG = Duration.ofHours(1);

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private FakeMlflowServer fake;
  private MockWebServer server;
  private Client client;

  private void start(FakeMlflowServer f) throws IOException {
    fake = f;
    server = fake.start();
    client = new Client(server);
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    if (client != null) {
      client.close();
      server.close();
    }
  }

  @Test
  void servesRequestsOnDifferentConnectionsAtOnceUpToTheWorkers() throws Exception {
    // each request stays in service until all four are: only a server that serves connections
    // concurrently gets past the barrier
    CyclicBarrier allFour = new CyclicBarrier(4);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    start(new FakeMlflowServer().workers(4).costPerRequest(LONG).sleeper(d -> {
      try {
        allFour.await(10, TimeUnit.SECONDS);
      } catch (BrokenBarrierException | TimeoutException e) {
        failures.add(e);
      }
    }));

    List<Future<Client.Answer>> answers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      answers.add(pool.submit(() -> client.get("experiments/get-by-name?experiment_name=Default")));
    }

    for (Future<Client.Answer> a : answers) {
      assertThat(a.get(20, TimeUnit.SECONDS).code()).isEqualTo(200);
    }
    assertThat(failures).isEmpty();
    assertThat(fake.maxInService()).isEqualTo(4);
  }

  @Test
  void makesRequestsBeyondTheWorkersWaitForAFreeOne() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    start(new FakeMlflowServer().workers(2).costPerRequest(LONG)
        .sleeper(d -> release.await(20, TimeUnit.SECONDS)));

    List<Future<Client.Answer>> answers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      answers.add(pool.submit(() -> client.get("experiments/get-by-name?experiment_name=Default")));
    }
    while (fake.inService() + fake.waitingForWorker() < 6) {
      Thread.onSpinWait();
    }

    assertThat(fake.inService()).isEqualTo(2);
    assertThat(fake.waitingForWorker()).isEqualTo(4);
    release.countDown();
    for (Future<Client.Answer> a : answers) {
      assertThat(a.get(20, TimeUnit.SECONDS).code()).isEqualTo(200);
    }
    assertThat(fake.maxInService()).isEqualTo(2);
    assertThat(fake.charges()).hasSize(6);
    assertThat(fake.inService()).isZero();
  }

  @Test
  void chargesEachRequestItsCostAndItsPointsProRata() throws Exception {
    List<Duration> waits = new CopyOnWriteArrayList<>();
    start(new FakeMlflowServer().latency(Duration.ofMillis(47))
        .costPerRequest(Duration.ofMillis(5)).costPerThousandPoints(Duration.ofMillis(85))
        .sleeper(waits::add));
    String runId = client.createRun();

    client.post("runs/log-batch", Client.batch(runId, 1000));
    client.post("runs/log-batch", Client.batch(runId, 250));
    client.post("runs/log-metric", "{\"run_id\":\"" + runId
        + "\",\"key\":\"m\",\"value\":1,\"timestamp\":1,\"step\":1}");
    assertThat(client.post("runs/log-batch", Client.batch(runId, 1001)).code()).isEqualTo(400);

    Duration latency = Duration.ofMillis(47);
    assertThat(fake.charges()).containsExactly(
        new Charge("runs/create", 0, latency, Duration.ofMillis(5)),
        new Charge("runs/log-batch", 1000, latency, Duration.ofMillis(90)),
        new Charge("runs/log-batch", 250, latency, Duration.ofNanos(26_250_000)),
        new Charge("runs/log-metric", 1, latency, Duration.ofNanos(5_085_000)),
        // refused: MLflow parses it, stores nothing
        new Charge("runs/log-batch", 0, latency, Duration.ofMillis(5)));
    // each request waited the latency, then what was left of its cost after handling it
    assertThat(waits.stream().filter(latency::equals)).hasSize(5);
    assertThat(waits).allSatisfy(d -> assertThat(d).isPositive()
        .isLessThanOrEqualTo(Duration.ofMillis(90)));
  }

  @Test
  void reallyWaitsTheLatencyAndTheCostWithoutASleeper() throws Exception {
    start(new FakeMlflowServer().latency(Duration.ofMillis(20))
        .costPerRequest(Duration.ofMillis(30)));

    long start = System.nanoTime();
    client.get("experiments/get-by-name?experiment_name=Default");

    // a lower bound only: a loaded machine can only make it longer
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(50));
  }

  @Test
  void costsNothingAndServesAnyNumberAtOnceByDefault() throws Exception {
    List<Duration> waits = new CopyOnWriteArrayList<>();
    start(new FakeMlflowServer().sleeper(waits::add));

    client.get("experiments/get-by-name?experiment_name=Default");

    assertThat(fake.costs()).isEqualTo(Costs.FREE);
    assertThat(fake.charges()).containsExactly(new Charge("experiments/get-by-name", 0,
        Duration.ZERO, Duration.ZERO));
    assertThat(waits).isEmpty();
  }

  @Test
  void mlflow36CostsWhatMlflow36WasMeasuredToCost() {
    assertThat(FakeMlflowServer.mlflow36(4).costs()).isEqualTo(new Costs(4,
        Duration.ofMillis(47), Duration.ofMillis(5), Duration.ofMillis(85)));
    assertThat(FakeMlflowServer.mlflow36(1).costs()).isEqualTo(new Costs(1,
        Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(85)));
    assertThat(FakeMlflowServer.mlflow36(4).costs().busy(1000)).isEqualTo(Duration.ofMillis(90));
  }

  @Test
  void refusesNoWorkersAndNegativeDurations() {
    FakeMlflowServer f = new FakeMlflowServer();

    assertThatThrownBy(() -> f.workers(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("workers must be at least 1 but was 0");
    assertThatThrownBy(() -> f.latency(Duration.ofMillis(-1)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("latency must not be negative but was PT-0.001S");
    assertThatThrownBy(() -> f.costPerThousandPoints(Duration.ofSeconds(-2)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("perThousandPoints must not be negative but was PT-2S");
    assertThat(f.costs()).isEqualTo(Costs.FREE);
  }
}
