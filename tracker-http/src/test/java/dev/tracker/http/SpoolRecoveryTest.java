package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunStatus;
import dev.tracker.TrackerException;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A spool written by one process is delivered by the next exactly once, whatever happened. */
class SpoolRecoveryTest {
  private static final String RUN = "0123456789abcdef0123456789abcdef";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer();
  private final Fixtures.TestSleeper sleeper = new Fixtures.TestSleeper();
  private MockWebServer server;

  @BeforeEach
  void start() throws Exception {
    server = Fixtures.start(fake);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private MlflowBackend backend() {
    return Fixtures.backend(server, tmp, sleeper).build();
  }

  private Spool spool() {
    return Spool.at(Spool.directoryFor(tmp, URI.create("http://localhost:" + server.getPort())));
  }

  private static List<Metric> points(int n) {
    List<Metric> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Metric("loss", i, 1000 + i, i));
    }
    return out;
  }

  /** A process that logs a run while the server refuses every connection, then exits. */
  private void spoolARun(Batch batch) throws Exception {
    fake.outage(FakeMlflowServer.Outage.DISCONNECT);
    MlflowBackend down = backend();
    down.createRun(new RunSpec(RUN, down.createExperiment("e"), "e", "r", 1, Map.of(), null,
        false));
    down.logBatch(RUN, batch);
    down.endRun(RUN, RunStatus.FINISHED, 2);
    down.close();
    fake.outage(FakeMlflowServer.Outage.NONE);
  }

  private List<Long> steps(String serverRun) {
    return fake.run(serverRun).metrics().stream().map(FakeMlflowServer.Point::step).toList();
  }

  /** The run exists on the server, tagged with the tracker's id, with another lr. */
  private String runCreatedByALostAttempt() throws Exception {
    String exp = fake.createExperiment("e");
    // (a backend with a spool folder of its own, so that it does not deliver this one)
    MlflowBackend other = Fixtures.backend(server, tmp.resolve("other"), sleeper).build();
    other.createRun(new RunSpec(RUN, exp, "e", "r", 1, Map.of(), null, false));
    other.close();
    String existing = fake.runs().get(0);
    fake.putParam(existing, "lr", "0.5");
    return existing;
  }

  @Test
  void aRunCreatedByAnAttemptWhoseAnswerWasLostIsNotCreatedAgain() throws Exception {
    spoolARun(new Batch(points(3), List.of(new Param("lr", "0.1")), List.of()));
    String existing = runCreatedByALostAttempt();

    MlflowBackend next = backend();
    assertThat(next.awaitDelivered(WAIT)).isTrue();
    assertThatThrownBy(next::close).isInstanceOf(RejectedRecordsException.class)
        .hasMessageContaining("param 'lr': already logged with value '0.5'; params are"
            + " write-once, so the value '0.1' was not sent");

    assertThat(fake.runs()).containsExactly(existing);
    assertThat(steps(existing)).containsExactly(0L, 1L, 2L);
    assertThat(fake.run(existing).params()).containsEntry("lr", "0.5");
    assertThat(fake.run(existing).status()).isEqualTo("FINISHED");
    assertThat(spool().sessions()).isEmpty();
  }

  @Test
  void deliverSpooledNamesTheRecordsTheServerRefused() throws Exception {
    spoolARun(new Batch(points(3), List.of(new Param("lr", "0.1")), List.of()));
    String existing = runCreatedByALostAttempt();
    fake.outage(FakeMlflowServer.Outage.DISCONNECT); // the background attempt fails, and waits
    MlflowBackend next = Fixtures.backend(server, tmp, sleeper).maxRetries(0).build();
    assertThat(next.awaitQuiet(WAIT)).isTrue();
    assertThat(spool().sessions()).hasSize(1);
    fake.outage(FakeMlflowServer.Outage.NONE);

    Spool.SyncResult result = next.deliverSpooled();
    next.close();

    assertThat(result.sessions()).isEqualTo(1);
    assertThat(result.operations()).isEqualTo(3);
    assertThat(result.pending()).isZero();
    assertThat(result.rejected()).containsExactly("the MLflow server refused 1 record of run "
        + RUN + " (MLflow run " + existing + ") (3 other records were delivered): param 'lr':"
        + " already logged with value '0.5'; params are write-once, so the value '0.1' was not"
        + " sent");
    assertThat(steps(existing)).containsExactly(0L, 1L, 2L);
  }

  @Test
  void aDeliveryCutShortResumesAfterTheLastDeliveredChunk() throws Exception {
    spoolARun(Batch.ofMetrics(points(2500)));
    // the server takes the run and the first request of 1000 points, then goes away
    AtomicInteger batches = new AtomicInteger();
    fake.interceptor(endpoint -> endpoint.equals("runs/log-batch")
        && batches.incrementAndGet() > 1 ? FakeMlflowServer.disconnect() : null);

    MlflowBackend first = Fixtures.backend(server, tmp, sleeper).maxRetries(0).build();
    assertThatThrownBy(first::deliverSpooled).isInstanceOf(TrackerException.class)
        .hasMessageContaining("1 stay in");
    first.close();
    String serverRun = fake.runs().get(0);
    assertThat(steps(serverRun)).hasSize(1000);

    fake.interceptor(null);
    MlflowBackend second = backend();
    assertThat(second.awaitDelivered(WAIT)).isTrue();
    second.close();

    assertThat(fake.runs()).containsExactly(serverRun);
    assertThat(steps(serverRun)).isEqualTo(LongStream.range(0, 2500).boxed().toList());
    assertThat(fake.run(serverRun).status()).isEqualTo("FINISHED");
    assertThat(spool().sessions()).isEmpty();
  }

  @Test
  void aTornLastLineIsLeftOutAndTheRestDelivered() throws Exception {
    spoolARun(Batch.ofMetrics(points(3)));
    Path journal = spool().sessions().get(0).directory().resolve("journal.jsonl");
    Files.writeString(journal, "{\"op\":\"log_batch\",\"run\":\"" + RUN + "\",\"metr",
        StandardCharsets.UTF_8, StandardOpenOption.APPEND);

    MlflowBackend next = backend();
    assertThat(next.awaitDelivered(WAIT)).isTrue();
    next.close();

    assertThat(steps(fake.runs().get(0))).containsExactly(0L, 1L, 2L);
    assertThat(spool().sessions()).isEmpty();
  }

  @Test
  void anUnreadableLineIsReportedAndSkipped() throws Exception {
    spoolARun(Batch.ofMetrics(points(3)));
    Path journal = spool().sessions().get(0).directory().resolve("journal.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(journal));
    lines.add(2, "{\"op\":\"teleport\",\"run\":\"x\"}");
    Files.write(journal, lines);

    MlflowBackend next = backend();
    assertThat(next.awaitDelivered(WAIT)).isTrue();
    assertThatThrownBy(next::close).isInstanceOf(java.io.IOException.class)
        .hasMessageStartingWith("unreadable journal line at byte ")
        .hasMessageContaining("unknown journal op 'teleport'");

    assertThat(steps(fake.runs().get(0))).containsExactly(0L, 1L, 2L);
    assertThat(fake.run(fake.runs().get(0)).status()).isEqualTo("FINISHED");
  }

  @Test
  void aSessionHeldByARunningBackendIsLeftToIt() throws Exception {
    fake.outage(FakeMlflowServer.Outage.DISCONNECT);
    MlflowBackend holder = backend();
    holder.createRun(new RunSpec(RUN, holder.createExperiment("e"), "e", "r", 1, Map.of(),
        null, false));
    assertThat(holder.awaitQuiet(WAIT)).isTrue(); // its attempt failed; it waits to retry
    fake.outage(FakeMlflowServer.Outage.NONE);

    MlflowBackend other = MlflowBackend.builder().uri("http://localhost:" + server.getPort())
        .spoolDir(tmp).sleeper(sleeper).build();
    Spool.SyncResult result = other.deliverSpooled();
    other.close();

    assertThat(result).isEqualTo(new Spool.SyncResult(0, 0, 1, List.of()));
    assertThat(spool().sessions()).singleElement()
        .satisfies(s -> assertThat(s.inUse()).isTrue())
        .satisfies(s -> assertThat(s.pendingOperations()).isEqualTo(1));
    assertThat(fake.runs()).isEmpty();
    holder.close();
    assertThat(fake.runs()).hasSize(1); // delivered by its own close
    assertThat(spool().sessions()).isEmpty();
  }
}
