package dev.tracker.bench;

import dev.tracker.http.testing.FakeMlflowServer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;

/**
 * The fake MLflow server, started for a benchmark: by default with what MLflow 3.6 was measured
 * to cost ({@link FakeMlflowServer#mlflow36(int)}), so that every client pays a real server's
 * latency, workers and CPU per point.
 */
final class EmulatedMlflow implements AutoCloseable {
  /** How long a benchmark waits for a run to be stored before it fails. */
  static final Duration PATIENCE = Duration.ofMinutes(5);

  final FakeMlflowServer fake;
  private final MockWebServer server;
  private final AtomicInteger runs = new AtomicInteger();

  private EmulatedMlflow(FakeMlflowServer fake) throws IOException {
    this.fake = fake;
    this.server = fake.start();
  }

  /** A server that costs what MLflow 3.6 with {@code workers} workers costs. */
  static EmulatedMlflow mlflow36(int workers) throws IOException {
    return new EmulatedMlflow(FakeMlflowServer.mlflow36(workers));
  }

  /** A server answered by {@code fake}, e.g. one that costs nothing, for tests. */
  static EmulatedMlflow of(FakeMlflowServer fake) throws IOException {
    return new EmulatedMlflow(fake);
  }

  /** The tracking URI, without a trailing slash (MLflow's client appends {@code /api/…}). */
  String uri() {
    return "http://" + server.getHostName() + ":" + server.getPort();
  }

  /** A run name not used before on this server: {@code prefix-1}, {@code prefix-2}, … */
  String nextRunName(String prefix) {
    return prefix + "-" + runs.incrementAndGet();
  }

  /**
   * Waits until the run named {@code runName} is FINISHED on the server: for a client that
   * delivers in the background, the moment everything it logged is stored.
   *
   * @return the run's id
   * @throws IllegalStateException when it is not FINISHED within {@link #PATIENCE}
   */
  String awaitFinished(String runName) throws InterruptedException {
    return awaitFinished(runName, PATIENCE);
  }

  /** As {@link #awaitFinished(String)}, with {@code patience}. */
  String awaitFinished(String runName, Duration patience) throws InterruptedException {
    if (!fake.await(f -> {
      String id = f.runId(runName);
      return id != null && f.runStatus(id).equals("FINISHED");
    }, patience)) {
      throw new IllegalStateException("run " + runName + " was not FINISHED on the server after "
          + patience);
    }
    return fake.runId(runName);
  }

  /**
   * Forgets what the last runs left: the fake's runs, and the requests MockWebServer keeps
   * until they are taken.
   */
  void forget() throws InterruptedException {
    fake.clearRuns();
    while (server.takeRequest(0, TimeUnit.SECONDS) != null) {
      // taken, and dropped
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
