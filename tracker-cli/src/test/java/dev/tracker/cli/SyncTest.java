package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RemoteDelivery;
import dev.tracker.spi.RunSpec;
import dev.tracker.testing.ForwardingBackend;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tracker sync through the SPI, against an in-memory target that picks its own run ids. */
class SyncTest {
  static final String TO = "http://mlflow:5000";
  static final String KEY = "tracker.sync.mlflow_5000.";

  @TempDir Path journals;
  private final RecordingBackend local = Fixtures.threeRuns();
  private final RecordingBackend server = new RecordingBackend();
  private Target target;

  @BeforeEach
  void target() {
    target = new Target(server, journals);
  }

  private Harness harness() {
    return new Harness(uri -> uri.toString().equals(TO) ? target : local);
  }

  private Harness.Result sync(String... more) {
    List<String> args = new ArrayList<>(List.of("sync", "--to", TO, "--batch-size", "2"));
    args.addAll(List.of(more));
    return harness().run(args.toArray(String[]::new));
  }

  @Test
  void uploadsParamsEveryMetricPointTagsArtifactsStatusAndTimes() throws IOException {
    Fixtures.artifact(local, Fixtures.B, "model/weights.csv", "w1,w2\n");

    Harness.Result r = sync();

    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("""
        lr-0.5 (c3d4e5f6) -> 00000001: created, 3 params, 2 tags, 3 metric points, FAILED
        lr-0.1 (b2c3d4e5) -> 00000002: created, 3 params, 2 tags, 6 metric points, 1 artifact, FINISHED
        lr-0.01 (a1b2c3d4) -> 00000003: created, 3 params, 2 tags, 6 metric points, FINISHED
        Synced 3 runs to http://mlflow:5000: 3 created, 15 metric points
        """);
    for (String id : List.of(Fixtures.A, Fixtures.B, Fixtures.C)) {
      RunData mine = local.readRun(id).orElseThrow();
      String remoteId = target.serverId(id);
      RunData theirs = server.readRun(remoteId).orElseThrow();
      assertThat(theirs.metrics()).isEqualTo(mine.metrics());
      assertThat(theirs.params()).isEqualTo(mine.params());
      assertThat(theirs.tags()).isEqualTo(Map.of("mlflow.runName", mine.info().name(),
          "stage", "test"));
      assertThat(theirs.info().status()).isEqualTo(mine.info().status());
      assertThat(theirs.info().startTime()).isEqualTo(mine.info().startTime());
      assertThat(theirs.info().endTime()).isEqualTo(mine.info().endTime());
      assertThat(theirs.info().experimentName()).isEqualTo("iris");
      assertThat(mine.tags()).containsEntry(KEY + "run_id", remoteId)
          .containsEntry(KEY + "uri", TO)
          .containsEntry(KEY + "metrics", Integer.toString(mine.metrics().size()))
          .containsEntry(KEY + "end", mine.info().status() + "@" + mine.info().endTime());
    }
    assertThat(server.artifactText(target.serverId(Fixtures.B), "model/weights.csv"))
        .isEqualTo("w1,w2\n");
  }

  @Test
  void aSecondSyncSendsNoMetricAgainAndALaterOneOnlyTheNewPoints() throws IOException {
    Fixtures.artifact(local, Fixtures.B, "model/weights.csv", "w");
    sync();
    int requests = target.requests.get();

    Harness.Result again = sync();

    assertThat(again.code()).isZero();
    assertThat(again.out()).isEqualTo("""
        lr-0.5 (c3d4e5f6) -> 00000001: up to date
        lr-0.1 (b2c3d4e5) -> 00000002: up to date
        lr-0.01 (a1b2c3d4) -> 00000003: up to date
        Everything was already synced to http://mlflow:5000 (3 runs)
        """);
    assertThat(target.requests.get()).isEqualTo(requests);

    local.logBatch(Fixtures.B, Batch.ofMetrics(List.of(new Metric("loss", 0.25, Fixtures.T0, 3),
        new Metric("loss", 0.2, Fixtures.T0, 4), new Metric("loss", 0.1, Fixtures.T0, 5))));
    Harness.Result more = sync("lr-0.1");

    assertThat(more.out()).isEqualTo("""
        lr-0.1 (b2c3d4e5) -> 00000002: 3 metric points
        Synced 1 run to http://mlflow:5000: 0 created, 3 metric points
        """);
    assertThat(server.metrics(target.serverId(Fixtures.B)))
        .isEqualTo(local.readRun(Fixtures.B).orElseThrow().metrics());
  }

  @Test
  void anInterruptedSyncRestartedCompletesWithNothingMissingOrDoubled() throws IOException {
    // from the 4th metric batch on the target fails, every retry too: lr-0.5 (2 batches) is
    // done, lr-0.1 has sent 1 of 3 batches
    target.failMetricBatch = 4;

    Harness.Result broken = sync();

    assertThat(broken.code()).isEqualTo(2);
    assertThat(broken.err()).isEqualTo("tracker sync: cannot sync lr-0.1 (b2c3d4e5) to"
        + " http://mlflow:5000: Connection reset\n");
    assertThat(broken.out()).isEqualTo("""
        lr-0.5 (c3d4e5f6) -> 00000001: created, 3 params, 2 tags, 3 metric points, FAILED
        """);
    assertThat(server.metrics(target.serverId(Fixtures.B))).hasSize(2);
    assertThat(local.readRun(Fixtures.B).orElseThrow().tags()).containsEntry(KEY + "metrics",
        "2").doesNotContainKey(KEY + "end");

    target.failMetricBatch = -1;
    Harness.Result resumed = sync();

    assertThat(resumed.code()).isZero();
    assertThat(resumed.out()).isEqualTo("""
        lr-0.5 (c3d4e5f6) -> 00000001: up to date
        lr-0.1 (b2c3d4e5) -> 00000002: 4 metric points, FINISHED
        lr-0.01 (a1b2c3d4) -> 00000003: created, 3 params, 2 tags, 6 metric points, FINISHED
        Synced 2 runs to http://mlflow:5000: 1 created, 10 metric points
        """);
    assertThat(server.runIds()).hasSize(3);
    for (String id : List.of(Fixtures.A, Fixtures.B, Fixtures.C)) {
      assertThat(server.metrics(target.serverId(id)))
          .isEqualTo(local.readRun(id).orElseThrow().metrics());
      assertThat(server.status(target.serverId(id)))
          .isEqualTo(local.readRun(id).orElseThrow().info().status());
    }
  }

  @Test
  void aTransientFailureIsRetriedAndTheSyncCompletesWithNothingDoubled() throws IOException {
    target.failNextMetricBatches = 2; // the first metric batch fails twice, then goes through

    Harness.Result r = sync();

    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).endsWith("Synced 3 runs to http://mlflow:5000: 3 created, 15 metric"
        + " points\n");
    assertThat(target.failNextMetricBatches).isZero();
    for (String id : List.of(Fixtures.A, Fixtures.B, Fixtures.C)) {
      assertThat(server.metrics(target.serverId(id)))
          .isEqualTo(local.readRun(id).orElseThrow().metrics());
    }
  }

  @Test
  void aFailureBeforeTheRunIdIsRecordedCreatesNoSecondRunForConfirmedWork() throws IOException {
    target.failCreateRun = true;

    Harness.Result broken = sync("lr-0.1");

    assertThat(broken.code()).isEqualTo(2);
    assertThat(broken.err()).isEqualTo("tracker sync: cannot sync lr-0.1 (b2c3d4e5) to"
        + " http://mlflow:5000: Connection reset\n");
    assertThat(server.runIds()).isEmpty();
    assertThat(local.readRun(Fixtures.B).orElseThrow().tags()).doesNotContainKey(KEY + "run_id");

    target.failCreateRun = false;
    assertThat(sync("lr-0.1").code()).isZero();
    assertThat(server.runIds()).hasSize(1);
  }

  @Test
  void aSyncKilledBeforeItRecordedTheRunIdFindsTheRunInsteadOfMakingASecond() throws IOException {
    // the local write of the run id fails, as if the process died right after the server
    // created the run
    ForwardingBackend failingLocal = new ForwardingBackend(local) {
      @Override
      public void logBatch(String runId, Batch batch) throws IOException {
        throw new IOException("disk full");
      }
    };
    Harness broken = new Harness(uri -> uri.toString().equals(TO) ? target : failingLocal);

    Harness.Result r = broken.run("sync", "--to", TO, "lr-0.1");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("tracker sync: cannot record the sync of lr-0.1 (b2c3d4e5) in"
        + " recording: disk full\n");
    assertThat(server.runIds()).hasSize(1);

    Harness.Result again = sync("lr-0.1");

    assertThat(again.out()).startsWith("lr-0.1 (b2c3d4e5) -> 00000001: 3 params, 2 tags,"
        + " 6 metric points, FINISHED\n");
    assertThat(server.runIds()).hasSize(1);
    assertThat(server.metrics(target.serverId(Fixtures.B)))
        .isEqualTo(local.readRun(Fixtures.B).orElseThrow().metrics());
  }

  @Test
  void aJournalSegmentFolderLeftWithoutItsLockFileIsRemovedNotReportedAsHeld()
      throws IOException {
    // a process killed between making a segment's folder and its lock file: no journal in it
    Path leftover = journals.resolve("20260101T000000.000Z-4242-000001-0a0b");
    Files.createDirectories(leftover.resolve("artifacts"));

    Harness.Result r = sync("lr-0.1");

    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(leftover).doesNotExist();
  }

  @Test
  void aRunTheTargetLostIsUploadedAgainWhole() throws IOException {
    sync("lr-0.1");
    RecordingBackend reset = new RecordingBackend();
    Target fresh = new Target(reset, journals);

    Harness.Result r = new Harness(uri -> uri.toString().equals(TO) ? fresh : local)
        .run("sync", "--to", TO, "lr-0.1");

    assertThat(r.out()).startsWith("lr-0.1 (b2c3d4e5) -> 00000001: created again (the target no"
        + " longer had it), 3 params, 2 tags, 6 metric points, FINISHED\n");
    assertThat(reset.metrics(fresh.serverId(Fixtures.B)))
        .isEqualTo(local.readRun(Fixtures.B).orElseThrow().metrics());
  }

  @Test
  void anUnreachableTargetExitsTwoBeforeSendingAnything() {
    target.down = true;

    Harness.Result r = sync();

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("tracker sync: cannot sync lr-0.5 (c3d4e5f6) to"
        + " http://mlflow:5000: Connection refused\n");
    assertThat(server.runIds()).isEmpty();
  }

  @Test
  void childRunsPointAtTheirParentOnTheTargetAndBringTheParentAlong() throws IOException {
    String child = "e5f60718293a4b5c6d7e8f90a1b2c3d4";
    Fixtures.run(local, "iris", child, "fold-1", Fixtures.T0 + 500_000, 1000,
        RunStatus.FINISHED, Map.of(), Map.of("loss", new double[] {0.5}), Fixtures.A);

    Harness.Result r = sync("fold-1");

    assertThat(r.out()).isEqualTo("""
        lr-0.01 (a1b2c3d4) -> 00000001: created, 3 params, 2 tags, 6 metric points, FINISHED
        fold-1 (e5f60718) -> 00000002: created, 0 params, 2 tags, 1 metric point, FINISHED
        Synced 2 runs to http://mlflow:5000: 2 created, 7 metric points
        """);
    RunSpec spec = server.spec(target.serverId(child));
    assertThat(spec.parentRunId()).isEqualTo(target.serverId(Fixtures.A));
    assertThat(server.tags(target.serverId(child)))
        .containsEntry("mlflow.parentRunId", target.serverId(Fixtures.A));
  }

  @Test
  void aRunningRunIsSyncedAndItsEndFollowsLater() throws IOException {
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "x", Fixtures.A, "live", Fixtures.T0, 0, RunStatus.RUNNING, Map.of(),
        Map.of("loss", new double[] {1}));
    Harness h = new Harness(uri -> uri.toString().equals(TO) ? target : b);

    h.run("sync", "--to", TO);
    assertThat(server.status(target.serverId(Fixtures.A))).isEqualTo(RunStatus.RUNNING);

    b.endRun(Fixtures.A, RunStatus.KILLED, Fixtures.T0 + 9000);
    Harness.Result r = h.run("sync", "--to", TO);

    assertThat(r.out()).startsWith("live (a1b2c3d4) -> 00000001: KILLED\n");
    assertThat(server.status(target.serverId(Fixtures.A))).isEqualTo(RunStatus.KILLED);
  }

  @Test
  void onATerminalProgressIsABarOnStderr() {
    Harness h = new Harness(uri -> uri.toString().equals(TO) ? target : local).terminal(true)
        .width(100);

    Harness.Result r = h.run("sync", "--to", TO, "--batch-size", "2");

    assertThat(r.code()).isZero();
    assertThat(r.err()).contains("\r[########################] 100%  run 3/3  15/15 points"
        + "  lr-0.01").endsWith("\r");
    assertThat(r.out()).endsWith("Synced 3 runs to http://mlflow:5000: 3 created,"
        + " 15 metric points\n");
  }

  @Test
  void badCommandLinesExitOne() {
    assertThat(harness().run("sync").err()).isEqualTo("tracker sync: Missing required option:"
        + " '--to=URI' (see 'tracker sync --help')\n");
    Harness.Result same = harness().run("sync", "--from", "file:./runs", "--to",
        "file:./runs");
    assertThat(same.code()).isEqualTo(1);
    assertThat(same.err()).isEqualTo("tracker sync: --from and --to are the same:"
        + " file:./runs\n");
    Harness.Result unknown = harness().run("sync", "--to", TO, "nope");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).startsWith("tracker sync: no run 'nope' in recording");
    Harness.Result batch = harness().run("sync", "--to", TO, "--batch-size", "1001");
    assertThat(batch.code()).isEqualTo(1);
    assertThat(batch.err()).isEqualTo("tracker sync: --batch-size must be between 1 and 1000"
        + " but was 1001\n");
  }

  @Test
  void fromDefaultsToTheConfiguredFileRootButNeverToAServer() {
    Harness h = harness();
    h.run("sync", "--to", TO);
    h.env.put("MLFLOW_TRACKING_URI", TO);
    h.run("sync", "--to", TO);
    h.env.put("TRACKER_URI", "file:/data/runs");
    h.run("sync", "--to", TO);

    assertThat(h.opened).containsExactly(URI.create("file:./runs"), URI.create(TO),
        URI.create("file:./runs"), URI.create(TO), URI.create("file:/data/runs"),
        URI.create(TO));
  }

  @Test
  void targetKeysAreReadableTagNames() {
    assertThat(Syncer.Target.of(URI.create("http://mlflow:5000")).key()).isEqualTo("mlflow_5000");
    assertThat(Syncer.Target.of(URI.create("https://user:secret@dagshub.com/o/r.mlflow")))
        .isEqualTo(new Syncer.Target("https://***@dagshub.com/o/r.mlflow",
            "dagshub.com_o_r.mlflow"));
    assertThat(Syncer.Target.of(URI.create("http://127.0.0.1:5000/")).tag("run_id"))
        .isEqualTo("tracker.sync.127.0.0.1_5000.run_id");
    assertThat(Syncer.Target.of(URI.create("databricks://profile")).key())
        .isEqualTo("profile");
  }

  /**
   * The target: like an MLflow server it picks its own run ids; counts the requests that
   * change something; can be told to fail.
   */
  static final class Target extends ForwardingBackend {
    final AtomicInteger requests = new AtomicInteger();
    private final Map<String, String> ids = new HashMap<>();
    private int metricBatches;
    int failMetricBatch = -1;
    int failNextMetricBatches;
    boolean failCreateRun;
    boolean down;

    private final Path journal;

    Target(RecordingBackend server, Path journal) {
      super(server);
      this.journal = journal;
    }

    /** Retries within milliseconds, so that a failure the sync gives up on comes fast. */
    @Override
    public Optional<RemoteDelivery> remoteDelivery() {
      return Optional.of(new RemoteDelivery(journal, TO, Duration.ofMillis(1),
          Duration.ofMillis(5), Duration.ZERO));
    }

    String serverId(String trackerId) {
      String id = ids.get(trackerId);
      assertThat(id).as("server id of %s", trackerId).isNotNull();
      return id;
    }

    @Override
    public String describe() {
      return TO;
    }

    @Override
    public void createRun(RunSpec spec) throws IOException {
      requests.incrementAndGet();
      if (failCreateRun) {
        throw new SocketException("Connection reset");
      }
      String id = String.format("%08x", ids.size() + 1) + "f".repeat(24);
      ids.put(spec.runId(), id);
      super.createRun(new RunSpec(id, spec.experimentId(), spec.experimentName(),
          spec.runName(), spec.startTime(), spec.tags(), spec.parentRunId(), false));
    }

    /** Like an MLflow backend: finds a run by the server's id or by the id it was created with. */
    @Override
    public java.util.Optional<RunData> readRun(String runId) throws IOException {
      if (down) {
        throw new java.net.ConnectException("Connection refused");
      }
      return super.readRun(ids.getOrDefault(runId, runId));
    }

    @Override
    public void logBatch(String runId, Batch batch) throws IOException {
      requests.incrementAndGet();
      if (!batch.metrics().isEmpty() && failNextMetricBatches > 0) {
        failNextMetricBatches--;
        throw new SocketException("Connection reset");
      }
      if (!batch.metrics().isEmpty() && failMetricBatch > 0
          && ++metricBatches >= failMetricBatch) {
        throw new SocketException("Connection reset");
      }
      super.logBatch(runId, batch);
    }

    @Override
    public void logArtifact(String runId, java.nio.file.Path file, String path)
        throws IOException {
      requests.incrementAndGet();
      super.logArtifact(runId, file, path);
    }

    @Override
    public void endRun(String runId, RunStatus status, long endTime) throws IOException {
      requests.incrementAndGet();
      super.endRun(runId, status, endTime);
    }
  }
}
