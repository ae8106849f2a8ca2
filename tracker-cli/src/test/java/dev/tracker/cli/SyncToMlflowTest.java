package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Dataset;
import dev.tracker.DatasetInput;
import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunData;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.file.FileBackend;
import dev.tracker.http.MlflowBackend;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/**
 * {@code tracker sync} end to end: runs the file backend wrote, uploaded with the real
 * tracker-http backend to a MockWebServer speaking MLflow's REST API.
 */
class SyncToMlflowTest extends FakeServerTest {
  private static final int POINTS_A = 2_500; // three log-batch requests at MLflow's 1000
  private static final int POINTS_B = 1_200;

  /** Two finished runs with params, tags, metrics and an artifact, written by the library. */
  private List<String> logLocalRuns() throws Exception {
    Path model = Files.writeString(tmp.resolve("model.txt"), "weights");
    List<String> ids = new ArrayList<>();
    try (Tracker tracker = Tracker.builder().uri("file:" + root()).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).seed(11).build()) {
      try (Run a = tracker.experiment("iris").startRun("a")) {
        a.logParams(Map.of("lr", 0.1, "epochs", POINTS_A / 2));
        a.setTag("stage", "test");
        for (int i = 0; i < POINTS_A / 2; i++) {
          a.logMetric("loss", 1.0 / (i + 1), i);
          a.logMetric("accuracy", i / (double) POINTS_A, i);
        }
        a.logArtifact(model);
        ids.add(a.id());
      }
      try (Run b = tracker.experiment("iris").startRun("b")) {
        b.logParam("lr", 0.5);
        for (int i = 0; i < POINTS_B; i++) {
          b.logMetric("loss", Math.sqrt(i), i);
        }
        b.end(RunStatus.FAILED);
        ids.add(b.id());
      }
    }
    return ids;
  }

  private Harness.Result sync() {
    Harness h = Harness.real();
    h.env.put("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0");
    h.env.put("MLFLOW_HTTP_REQUEST_TIMEOUT", "5");
    h.env.put("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.01");
    h.env.put("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0");
    h.env.put("TRACKER_SPOOL_DIR", tmp.resolve("spool").toString());
    return h.run("sync", "--from", "file:" + root(), "--to", url);
  }

  private static RunData local(Path root, String id) throws Exception {
    try (FileBackend files = FileBackend.create(root)) {
      return files.readRun(id).orElseThrow();
    }
  }

  /** The server's run that a local run was uploaded to, found by name. */
  private FakeMlflowServer.Run remote(String name) {
    List<FakeMlflowServer.Run> named = fake.runs().stream().map(fake::run)
        .filter(r -> r.name().equals(name)).toList();
    assertThat(named).as("runs named %s on the server", name).hasSize(1);
    return named.get(0);
  }

  private static List<String> points(List<Metric> metrics) {
    return metrics.stream().map(m -> m.key() + "@" + m.step() + "=" + m.value() + "/"
        + m.timestamp()).sorted().toList();
  }

  private static List<String> remotePoints(FakeMlflowServer.Run run) {
    return run.metrics().stream().map(p -> p.key() + "@" + p.step() + "=" + p.value() + "/"
        + p.timestamp()).sorted().toList();
  }

  private void assertEverythingOnTheServerOnce(List<String> ids) throws Exception {
    assertThat(fake.runs()).hasSize(2);
    for (String id : ids) {
      RunData mine = local(root(), id);
      FakeMlflowServer.Run theirs = remote(mine.info().name());
      // every point once: the sorted lists are equal, duplicates included
      assertThat(remotePoints(theirs)).isEqualTo(points(mine.metrics()));
      assertThat(theirs.params()).isEqualTo(mine.params());
      assertThat(theirs.status()).isEqualTo(mine.info().status().name());
      assertThat(theirs.startTime()).isEqualTo(mine.info().startTime());
      assertThat(theirs.endTime()).isEqualTo(mine.info().endTime());
    }
  }

  @Test
  void uploadsEveryParamMetricPointTagArtifactAndStatus() throws Exception {
    List<String> ids = logLocalRuns();

    Harness.Result r = sync();

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Synced 2 runs to").contains(POINTS_A + POINTS_B + " metric");
    assertEverythingOnTheServerOnce(ids);
    FakeMlflowServer.Run a = remote("a");
    assertThat(a.tags()).containsEntry("stage", "test").containsEntry("mlflow.runName", "a");
    assertThat(a.artifacts()).containsKey("model.txt");
    assertThat(new String(a.artifacts().get("model.txt"))).isEqualTo("weights");
    assertThat(a.metrics()).hasSize(POINTS_A);
    assertThat(fake.count("runs/log-batch")).isGreaterThanOrEqualTo(3 + 2);
  }

  @Test
  void aRunsDatasetInputsAreSyncedOnceWithTheirDigests() throws Exception {
    Path data = Files.writeString(tmp.resolve("train.csv"), "abc");
    String id;
    try (Tracker tracker = Tracker.builder().uri("file:" + root()).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).build();
        Run run = tracker.experiment("iris").startRun("with-data")) {
      run.logInput(Dataset.of(data).name("iris-train"));
      id = run.id();
    }

    Harness.Result r = sync();
    Harness.Result again = sync();

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(fake.count("runs/log-inputs")).isEqualTo(1);
    try (MlflowBackend mlflow = MlflowBackend.builder().uri(URI.create(url))
        .spoolDir(tmp.resolve("reader-spool")).build()) {
      List<DatasetInput> inputs = mlflow.readRun(remote("with-data").id()).orElseThrow().inputs();
      assertThat(inputs).isEqualTo(local(root(), id).inputs());
      assertThat(inputs).extracting(DatasetInput::digest)
          .containsExactly("900150983cd24fb0d6963f7d28e17f72");
    }
  }

  @Test
  void aRunWithMoreInputsThanMlflowTakesInOneRequestIsSyncedWhole() throws Exception {
    String id;
    try (Tracker tracker = Tracker.builder().uri("file:" + root()).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).build();
        Run run = tracker.experiment("iris").startRun("many")) {
      id = run.id();
    }
    List<DatasetInput> shards = new ArrayList<>();
    for (int i = 0; i < 1_001; i++) {
      shards.add(new DatasetInput("shard-" + i, null, "s3", "s3://bucket/shard-" + i, "training",
          -1, -1, null, null));
    }
    try (FileBackend files = FileBackend.create(root())) {
      files.logInputs(id, shards); // one write: run.logInput rewrites inputs.yaml each time
    }

    Harness.Result r = sync();

    assertThat(r.code()).as(r.err()).isZero();
    // MLflow takes at most 1000 data sets a request (MAX_DATASETS_PER_BATCH)
    assertThat(fake.count("runs/log-inputs")).isEqualTo(2);
    try (MlflowBackend mlflow = MlflowBackend.builder().uri(URI.create(url))
        .spoolDir(tmp.resolve("reader-spool")).build()) {
      assertThat(mlflow.readRun(remote("many").id()).orElseThrow().inputs()).hasSize(1_001);
    }
  }

  @Test
  void anInputOverMlflowsLimitsIsNamedAndNothingOfTheRunIsSent() throws Exception {
    Path data = Files.writeString(tmp.resolve("train.csv"), "abc");
    String id;
    try (Tracker tracker = Tracker.builder().uri("file:" + root()).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).build();
        Run run = tracker.experiment("iris").startRun("edited")) {
      run.logInput(Dataset.of(data).name("iris-train"));
      id = run.id();
    }
    Path inputs = root().resolve("iris").resolve(id).resolve("inputs.yaml");
    Files.writeString(inputs, Files.readString(inputs).replace(
        "900150983cd24fb0d6963f7d28e17f72", "sha1:a9993e364706816aba3e25717850c26c9cd0d89d"));

    Harness.Result r = sync();

    assertThat(r.code()).isEqualTo(TrackerCli.DATA_ERROR);
    assertThat(r.err()).isEqualTo("tracker sync: cannot sync edited (" + id.substring(0, 8)
        + ") from file:" + root() + ": inputs.yaml: dataset input 'iris-train' digest must be at"
        + " most 36 characters but was 45 characters; left out\n");
    assertThat(fake.runs()).isEmpty();
    assertThat(fake.count("runs/log-inputs")).isZero();
  }

  @Test
  void aChildRunSitsUnderItsParentsMlflowRunId() throws Exception {
    try (Tracker tracker = Tracker.builder().uri("file:" + root()).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).seed(11).build();
        Run parent = tracker.experiment("iris").startRun("cv")) {
      try (Run fold = parent.startChildRun("fold-1")) {
        fold.logMetric("loss", 0.5, 0);
      }
    }

    Harness.Result r = sync();

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(remote("fold-1").tags()).containsEntry("mlflow.parentRunId", fake.runId("cv"));
  }

  @Test
  void anArtifactReplacedUnderItsPathIsSentAgain() throws Exception {
    List<String> ids = logLocalRuns();
    assertThat(sync().code()).isZero();
    Path retrained = Files.writeString(tmp.resolve("retrained.txt"), "better weights");
    try (FileBackend files = FileBackend.create(root())) {
      files.logArtifact(ids.get(0), retrained, "model.txt");
    }

    Harness.Result r = sync();

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(new String(remote("a").artifacts().get("model.txt"), StandardCharsets.UTF_8))
        .isEqualTo("better weights");
    assertThat(sync().out()).contains("Everything was already synced");
  }

  @Test
  void aParamTheServerRefusesIsToldOnceAndTheRunsNewPointsStillArrive() throws Exception {
    List<String> ids = logLocalRuns();
    assertThat(sync().code()).isZero();
    // the run's params.yaml edited by hand, and a point added to it
    Path params = root().resolve("iris").resolve(ids.get(0)).resolve(FileBackend.PARAMS_FILE);
    Files.writeString(params, Files.readString(params).replaceAll("(?m)^lr: .*$", "lr: 0.5"));
    try (FileBackend files = FileBackend.create(root())) {
      files.logBatch(ids.get(0), Batch.ofMetrics(List.of(new Metric("loss", 0.01, 1, 99_999))));
    }

    Harness.Result r = sync();

    assertThat(r.code()).isEqualTo(TrackerCli.BACKEND_ERROR);
    // the other records: the params and tags, as many as the run's standard tags
    assertThat(r.err()).startsWith("tracker sync: the MLflow server refused 1 record of run "
        + ids.get(0) + " (MLflow run " + fake.runId("a") + ") (")
        .endsWith(" other records were delivered): param 'lr': already logged with value"
        + " '0.1'; params are write-once, so the value '0.5' was not sent\n");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(remote("a").metrics()).hasSize(POINTS_A + 1);
    assertThat(remote("a").params()).containsEntry("lr", "0.1");
    Harness.Result again = sync();
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("Everything was already synced");
  }

  @Test
  void aJournaledRecordTheServerRefusesIsToldAndTheSyncExitsTwo() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    fake.interceptor(endpoint -> endpoint.equals("runs/log-batch") && down.get()
        ? FakeMlflowServer.disconnect() : null);
    String id;
    try (Tracker tracker = Tracker.builder().backend(MlflowBackend.builder().uri(url)
            .spoolDir(tmp.resolve("spool")).backoffFactor(0.02).backoffJitter(0)
            .maxBackoff(Duration.ofMillis(50)).build())
        .shutdownHook(false).standardTags(false).systemProperties(k -> null)
        .environment(k -> null).closeTimeout(Duration.ofMillis(300)).build();
        Run run = tracker.experiment("iris").startRun("live")) {
      id = run.id();
      run.logParam("lr", 0.1);
      for (int i = 0; i < 10; i++) {
        run.logMetric("loss", i, i);
      }
    }
    fake.putParam(fake.runId("live"), "lr", "0.5");
    down.set(false);
    Files.createDirectories(root());

    Harness.Result r = sync();

    assertThat(r.code()).isEqualTo(TrackerCli.BACKEND_ERROR);
    assertThat(r.err()).startsWith("the server refused a journaled operation: the MLflow server"
        + " refused 1 record of run " + id + " (MLflow run " + fake.runId("live") + ")")
        .contains("param 'lr': already logged with value '0.5'");
    assertThat(remote("live").metrics()).hasSize(10);
    assertThat(remote("live").status()).isEqualTo("FINISHED");
  }

  @Test
  void runsOfAnExperimentDeletedOnTheServerAreLeftOutAndTheOthersSynced() throws Exception {
    fake.deleteExperiment(fake.createExperiment("iris"));
    logLocalRuns();
    try (Tracker tracker = Tracker.builder().uri("file:" + root()).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).seed(11).build();
        Run run = tracker.experiment("wine").startRun("w")) {
      run.logMetric("loss", 0.5, 0);
    }

    Harness.Result r = sync();

    assertThat(r.code()).isEqualTo(TrackerCli.BACKEND_ERROR);
    String server = url.substring(0, url.length() - 1);
    assertThat(r.err().lines()).hasSize(2).allSatisfy(line -> assertThat(line)
        .startsWith("tracker sync: cannot sync ").endsWith(" to " + url + ": experiment 'iris'"
            + " (id 1) is deleted on " + server + "; restore it (mlflow experiments restore"
            + " --experiment-id 1) or log to another experiment; left out"));
    assertThat(r.out()).contains("w (").contains("Synced 1 run to " + url + ": 1 created,"
        + " 1 metric point");
    assertThat(remote("w").metrics()).hasSize(1);
    Harness.Result again = sync();
    assertThat(again.code()).isEqualTo(TrackerCli.BACKEND_ERROR);
    assertThat(again.out()).endsWith("Nothing new synced to " + url + "; 2 runs left out\n");
  }

  @Test
  void aSecondSyncSendsNoMetricAgain() throws Exception {
    List<String> ids = logLocalRuns();
    assertThat(sync().code()).isZero();
    int batches = fake.count("runs/log-batch");
    int creates = fake.count("runs/create");

    Harness.Result again = sync();

    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("Everything was already synced");
    assertThat(fake.count("runs/log-batch")).isEqualTo(batches);
    assertThat(fake.count("runs/create")).isEqualTo(creates);
    assertEverythingOnTheServerOnce(ids);
  }

  @Test
  void aSyncCutOffHalfWayAndRestartedLeavesNothingMissingOrDoubled() throws Exception {
    List<String> ids = logLocalRuns();
    // the server goes away after two metric batches have been acknowledged
    AtomicInteger batches = new AtomicInteger();
    fake.interceptor(endpoint -> endpoint.equals("runs/log-batch")
        && batches.incrementAndGet() > 2 ? FakeMlflowServer.disconnect() : null);

    Harness.Result cut = sync();

    assertThat(cut.code()).as(cut.out() + cut.err()).isEqualTo(2);
    assertThat(cut.err()).contains("tracker sync:");
    int received = fake.runs().stream().map(fake::run).mapToInt(r -> r.metrics().size()).sum();
    assertThat(received).isLessThan(POINTS_A + POINTS_B);

    fake.interceptor(null);
    Harness.Result resumed = sync();

    assertThat(resumed.code()).as(resumed.out() + resumed.err()).isZero();
    assertEverythingOnTheServerOnce(ids);
    assertThat(sync().out()).contains("Everything was already synced");
  }

  /**
   * A 503 for one of the requests of a batch split over the requests in flight: the sync waits
   * as Retry-After says, sends that request again, not the others, and goes on.
   */
  @Test
  void aServiceUnavailableIsRetriedAsRetryAfterSaysAndNothingIsDoubled() throws Exception {
    List<String> ids = logLocalRuns();
    AtomicInteger batches = new AtomicInteger();
    List<Long> at = new java.util.concurrent.CopyOnWriteArrayList<>();
    fake.interceptor(endpoint -> {
      if (!endpoint.equals("runs/log-batch")) {
        return null;
      }
      at.add(System.nanoTime());
      return batches.incrementAndGet() == 3 ? FakeMlflowServer.error(503,
          "TEMPORARILY_UNAVAILABLE", "busy").newBuilder().addHeader("Retry-After", "1").build()
          : null;
    });

    Harness.Result r = sync();

    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(fake.count("runs/log-batch (intercepted)")).isEqualTo(1);
    assertThat(Duration.ofNanos(at.get(at.size() - 1) - at.get(2)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(990));
    assertEverythingOnTheServerOnce(ids);
    assertThat(r.out()).contains("Synced 2 runs to " + url + ": 2 created, "
        + (POINTS_A + POINTS_B) + " metric points");
  }

  @Test
  void runsListsWhatWasSyncedFromTheServer() throws Exception {
    logLocalRuns();
    assertThat(sync().code()).isZero();
    Harness h = Harness.real();
    h.env.put("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0");
    h.env.put("TRACKER_SPOOL_DIR", tmp.resolve("spool").toString());

    Harness.Result r = h.run("runs", "--uri", url, "--experiment", "iris", "--format", "csv");

    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).contains("name").contains("status").contains("params.lr")
        .contains("metrics.loss");
    assertThat(lines.subList(1, 3)).anySatisfy(l -> assertThat(l).contains(",a,")
        .contains("FINISHED")).anySatisfy(l -> assertThat(l).contains(",b,").contains("FAILED"));
  }

  @Test
  void anUnreachableServerIsExitCodeTwo() throws Exception {
    logLocalRuns();
    String down = url;
    server.close();
    Harness h = Harness.real();
    h.env.put("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0");
    h.env.put("TRACKER_SPOOL_DIR", tmp.resolve("spool").toString());

    Harness.Result r = h.run("runs", "--uri", down);

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("tracker runs:");
    assertThat(r.err().lines()).hasSize(1);
  }

}
