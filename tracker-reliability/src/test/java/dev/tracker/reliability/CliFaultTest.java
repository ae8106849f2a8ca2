package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.http.testing.FakeMlflowServer.Outage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tracker} command, in a JVM of its own as a user runs it, against a server that is
 * not there or never answers: it exits 2 within 15 s with a message that names the server; and
 * a {@code tracker sync} that could not reach the server loses nothing: the next one, once the
 * server is back, delivers every point once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliFaultTest {
  private static final Duration BOUND = Duration.ofSeconds(15);
  private static final int STEPS = 1_500;
  private static final long START = 1_700_000_000_000L;

  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer();
  private MockWebServer server;
  private int port;
  private String url;

  /** What a command did, and how long it took. */
  private record Exit(int code, String out, String err, Duration took) {}

  @BeforeEach
  void start() throws Exception {
    up();
    url = "http://127.0.0.1:" + port;
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Starts the fake server (again) on the same port, with the same state. */
  private void up() throws Exception {
    server = FakeMlflowServer.newServer();
    server.setDispatcher(fake);
    server.start(port);
    port = server.getPort();
  }

  /** Runs {@code tracker args…} in a child JVM. */
  private Exit tracker(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.tracker.cli.TrackerCli"));
    command.addAll(List.of(args));
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(err.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("MLFLOW_") || k.startsWith("TRACKER_"));
    env.put("TRACKER_SPOOL_DIR", tmp.resolve("spool").toString());
    env.put("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.01");
    env.put("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0");
    long start = System.nanoTime();
    Process p = pb.start();
    try {
      assertThat(p.waitFor(45, TimeUnit.SECONDS)).as("tracker %s exited", args[0]).isTrue();
    } finally {
      p.destroyForcibly();
    }
    return new Exit(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8),
        Duration.ofNanos(System.nanoTime() - start));
  }

  @Test
  void runsAgainstAClosedPortExitsTwoWithinSecondsNamingTheServer() throws Exception {
    server.close(); // nothing listens there now

    Exit r = tracker("runs", "--uri", url);

    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith("tracker runs: ").contains(url);
    assertThat(r.took()).isLessThan(BOUND);
  }

  @Test
  void runsAgainstABlackHoleExitsTwoWithinFifteenSecondsNamingTheServer() throws Exception {
    fake.outage(Outage.BLACK_HOLE);

    Exit r = tracker("runs", "--uri", url);

    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith("tracker runs: ").contains(url)
        .contains("SocketTimeoutException");
    assertThat(r.took()).isLessThan(BOUND);
  }

  @Test
  void runsAgainstASlowDripExitsTwoWithinFifteenSeconds() throws Exception {
    fake.outage(Outage.SLOW_DRIP); // every read in time, a reply in minutes

    Exit r = tracker("runs", "--uri", url);

    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith("tracker runs: ").contains(url)
        .contains("InterruptedIOException: timeout");
    assertThat(r.took()).isLessThan(BOUND);
  }

  @Test
  void aSyncAgainstAClosedPortExitsTwoAndTheNextOneDeliversEverythingOnce() throws Exception {
    List<Metric> sent = new ArrayList<>();
    String runId;
    Path runs = tmp.resolve("runs");
    try (Tracker files = Tracker.builder().uri("file:" + runs).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null).build();
        Run run = files.experiment("offline").startRun("laptop")) {
      runId = run.id();
      run.logParam("lr", 0.1);
      run.setTag("where", "offline");
      for (int step = 0; step < STEPS; step++) {
        for (Metric m : List.of(new Metric("loss", 1.0 / (step + 1), START + step, step),
            new Metric("accuracy", step / (step + 1.0), START + step, step))) {
          run.logMetric(m.key(), m.value(), m.step(), m.timestamp());
          sent.add(m);
        }
      }
    }
    server.close();

    Exit down = tracker("sync", "--from", "file:" + runs, "--to", url);

    assertThat(down.code()).as(down.err()).isEqualTo(2);
    assertThat(down.err()).startsWith("tracker sync: ").contains(url);
    assertThat(down.took()).isLessThan(BOUND);

    up();
    long start = System.nanoTime();
    Exit back = tracker("sync", "--from", "file:" + runs, "--to", url);

    assertThat(back.code()).as(back.out() + back.err()).isZero();
    assertThat(back.out()).endsWith("Synced 1 run to " + url + ": 1 created, " + sent.size()
        + " metric points\n");
    assertThat(fake.runs()).hasSize(1);
    FakeMlflowServer.Run run = fake.run(fake.runs().get(0));
    assertThat(run.tags()).containsEntry("tracker.runId", runId)
        .containsEntry("where", "offline");
    assertThat(run.params()).containsOnlyKeys("lr", "seed").containsEntry("lr", "0.1");
    assertThat(run.status()).isEqualTo("FINISHED");
    for (String key : List.of("loss", "accuracy")) {
      assertThat(run.metrics().stream().filter(p -> p.key().equals(key))
          .map(FakeMlflowServer.Point::step).toList()).as(key)
          .isEqualTo(LongStream.range(0, STEPS).boxed().toList());
    }
    HttpTally.assertEachOnce("`tracker sync` against a closed port (exit 2), then again",
        "CliFaultTest", sent, run.metrics(), Duration.ofNanos(System.nanoTime() - start));
    assertThat(tracker("sync", "--from", "file:" + runs, "--to", url).out())
        .contains("Everything was already synced to " + url + " (1 run)");
  }
}
