package dev.tracker.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Dataset;
import dev.tracker.DatasetInput;
import dev.tracker.ExperimentInfo;
import dev.tracker.Metric;
import dev.tracker.ModelRegistry;
import dev.tracker.ModelVersion;
import dev.tracker.Run;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.RunSummary;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.spi.TrackingBackend;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every backend must do, checked the way users see it: records are written through a
 * {@link Tracker} built with {@code .backend(newBackend())} and read back through the backend's
 * reading methods ({@code readRun}, {@code metricHistory}, {@code listRuns}, {@code
 * listExperiments}).
 *
 * <p>Each backend's tests subclass it and implement {@link #newBackend()}, as Micrometer's
 * registries subclass its compatibility kit:
 *
 * <pre>{@code
 * class FileBackendContractTest extends BackendContractTest {
 *   @TempDir Path root;
 *
 *   @Override
 *   protected TrackingBackend newBackend() {
 *     return FileBackend.create(root);
 *   }
 * }
 * }</pre>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class BackendContractTest {
  /** The start of the test clock, in milliseconds since the epoch. */
  protected static final long T0 = 1_700_000_000_000L;

  private final AtomicLong now = new AtomicLong(T0);

  /** A folder for files the tests log as artifacts. */
  @TempDir protected Path files;

  /**
   * A backend over this test's storage. Called several times in one test (to write, to read
   * back, to resume a run), each call returns an instance that sees what earlier ones wrote: the
   * same folder, the same server.
   */
  protected abstract TrackingBackend newBackend() throws Exception;

  /**
   * A builder for a tracker on a new backend: test clock, seed 42, no shutdown hook, and nothing
   * read from system properties or the environment.
   */
  protected Tracker.Builder trackerBuilder() throws Exception {
    return Tracker.builder()
        .backend(newBackend())
        .shutdownHook(false)
        .systemProperties(k -> null)
        .environment(k -> null)
        .clock(() -> Instant.ofEpochMilli(now.get()))
        .seed(42);
  }

  /**
   * The run's artifacts but the class path listing the tracker adds to every run with standard
   * tags on (asserted once in {@code theClassPathIsListedInAnArtifact}).
   */
  protected List<String> userArtifacts(String runId) throws Exception {
    return read(runId).artifacts().stream()
        .filter(a -> !a.equals("tracker.dependencies.txt")).toList();
  }

  /** Sets the test clock. */
  protected void clockAt(long millis) {
    now.set(millis);
  }

  /** Reads a run back through a new backend instance; fails when it is missing. */
  protected RunData read(String runId) throws Exception {
    try (TrackingBackend reader = newBackend()) {
      Optional<RunData> run = reader.readRun(runId);
      assertThat(run).as("run %s read back", runId).isPresent();
      return run.get();
    }
  }

  /**
   * The value this backend reads back for a logged metric value: the value itself unless the
   * store cannot hold it (MLflow's SQL store keeps -0.0 as 0.0, and an infinity as the largest
   * double, which the MLflow backend reads as the infinity).
   */
  protected double readBack(double logged) {
    return logged;
  }

  /** The history of one metric, read through a new backend instance. */
  protected List<Metric> history(String runId, String key) throws Exception {
    try (TrackingBackend reader = newBackend()) {
      return reader.metricHistory(runId, key);
    }
  }

  // ------------------------------------------------------------------------------ params

  @Test
  void paramsReadBackAsTheStringsThatWereLogged() throws Exception {
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("params")) {
      id = run.id();
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("lr", 0.1);
      params.put("epochs", 50);
      params.put("optimizer", "adam");
      params.put("nesterov", true);
      params.put("big", 1e10);
      params.put("padded", "0.10");
      params.put("negative", -3L);
      params.put("decimal", new BigDecimal("1.50"));
      params.put("empty", "");
      params.put("yes", "yes");
      params.put("nan", Double.NaN);
      params.put("long text", "a: b, [c] # not a comment\n\"quoted\" 'single' ünï");
      run.logParams(params);
    }
    assertThat(read(id).params()).containsOnly(
        Map.entry("seed", "42"),
        Map.entry("lr", "0.1"),
        Map.entry("epochs", "50"),
        Map.entry("optimizer", "adam"),
        Map.entry("nesterov", "true"),
        Map.entry("big", "1.0E10"),
        Map.entry("padded", "0.10"),
        Map.entry("negative", "-3"),
        Map.entry("decimal", "1.50"),
        Map.entry("empty", ""),
        Map.entry("yes", "yes"),
        Map.entry("nan", "NaN"),
        Map.entry("long text", "a: b, [c] # not a comment\n\"quoted\" 'single' ünï"));
  }

  @Test
  void aParamLoggedAgainWithTheSameValueIsKeptAndAnotherValueIsRejected() throws Exception {
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("write-once")) {
      id = run.id();
      run.logParam("lr", 0.1);
      run.logParam("lr", 0.1);
      assertThatThrownBy(() -> run.logParam("lr", 0.2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("param 'lr' was already logged with value '0.1' and cannot be changed to"
              + " '0.2' (params are write-once)");
      run.logParam("after", 1);
    }
    assertThat(read(id).params()).containsEntry("lr", "0.1").containsEntry("after", "1");
  }

  // ------------------------------------------------------------------------------ metrics

  @Test
  void metricValuesStepsAndTimestampsReadBackExactly() throws Exception {
    double[] values = {0.1, 1.0 / 3, -0.0, 0.0, 1.0, -2.5, Double.MIN_VALUE, Double.MAX_VALUE,
        -Double.MAX_VALUE, 1e-300, 123456789.123, 1e7, 9_999_999.0, 6.02214076e23,
        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    long[] steps = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        16, 17, 18};
    long[] times = {T0, 1, 0, Long.MAX_VALUE, T0 + 4, T0 + 5, T0 + 6, T0 + 7, T0 + 8, T0 + 9,
        T0 + 10, T0 + 11, T0 + 12, T0 + 13, T0 + 14, T0 + 15, T0 + 16};
    List<Metric> expected = new ArrayList<>();
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("values")) {
      id = run.id();
      for (int i = 0; i < values.length; i++) {
        run.logMetric("m", values[i], steps[i], times[i]);
        expected.add(new Metric("m", readBack(values[i]), times[i], steps[i]));
      }
    }
    // records compare doubles bit by bit: NaN equals NaN, -0.0 differs from 0.0
    assertThat(history(id, "m")).containsExactlyElementsOf(expected);
    assertThat(read(id).metrics()).containsExactlyElementsOf(expected);
  }

  @Test
  void nanAndInfiniteLossesAreRecordedAsSuch() throws Exception {
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("nan")) {
      id = run.id();
      run.logMetric("loss", 0.5, 0);
      run.logMetric("loss", Double.NaN, 1);
      run.logMetric("loss", Double.POSITIVE_INFINITY, 2);
      run.logMetric("loss", Double.NEGATIVE_INFINITY, 3);
    }
    assertThat(history(id, "loss")).extracting(Metric::value)
        .containsExactly(0.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
  }

  @Test
  void metricsWithoutStepOrTimeGetStepZeroAndTheClocksTime() throws Exception {
    clockAt(T0 + 123);
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("defaults")) {
      id = run.id();
      run.logMetric("acc", 0.9);
      run.logMetrics(Map.of("a", 1, "b", 2.5), 7);
    }
    assertThat(history(id, "acc")).containsExactly(new Metric("acc", 0.9, T0 + 123, 0));
    assertThat(history(id, "a")).containsExactly(new Metric("a", 1.0, T0 + 123, 7));
    assertThat(history(id, "b")).containsExactly(new Metric("b", 2.5, T0 + 123, 7));
  }

  @Test
  void manyBatchesArriveCompleteAndInOrderPerKey() throws Exception {
    String id;
    try (Tracker tracker = trackerBuilder().batchSize(7).queueCapacity(64).build();
        Run run = tracker.experiment("contract").startRun("batches")) {
      id = run.id();
      for (int i = 0; i < 1000; i++) {
        run.logMetric("loss", 1.0 / (i + 1), i);
        run.logMetric("acc", i / 1000.0, i);
      }
    }
    List<Metric> loss = history(id, "loss");
    assertThat(loss).hasSize(1000);
    assertThat(loss).extracting(Metric::step).isSorted();
    assertThat(loss.get(999)).isEqualTo(new Metric("loss", 1.0 / 1000, T0, 999));
    assertThat(history(id, "acc")).hasSize(1000);
    assertThat(read(id).metrics()).hasSize(2000);
  }

  @Test
  void keysWithUnicodeSpacesColonsAndSlashesReadBack() throws Exception {
    String key = "val loss/ünïcödé: top-1.x_y";
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("keys")) {
      id = run.id();
      run.logMetric(key, 1.5, 3);
      run.logParam(key, "p");
      run.setTag(key, "t");
    }
    assertThat(history(id, key)).containsExactly(new Metric(key, 1.5, T0, 3));
    RunData data = read(id);
    assertThat(data.params()).containsEntry(key, "p");
    assertThat(data.tags()).containsEntry(key, "t");
  }

  @Test
  void aMetricThatWasNeverLoggedHasNoHistory() throws Exception {
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("empty")) {
      id = run.id();
      run.logMetric("loss", 1, 0);
    }
    assertThat(history(id, "accuracy")).isEmpty();
  }

  // ------------------------------------------------------------------------------ tags

  @Test
  void tagsKeepTheLastValueAndStandardTagsAreRecorded() throws Exception {
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").newRun("tags").tag("team", "vision").start()) {
      id = run.id();
      run.setTag("phase", "warmup");
      run.setTag("phase", "train");
      run.setTags(Map.of("gpu", "none", "note", "ünï: \"x\""));
    }
    assertThat(read(id).tags())
        .containsEntry("team", "vision")
        .containsEntry("phase", "train")
        .containsEntry("gpu", "none")
        .containsEntry("note", "ünï: \"x\"")
        .containsEntry("mlflow.runName", "tags")
        .containsEntry("mlflow.source.type", "LOCAL")
        .containsEntry("tracker.seed.generator", "L64X128MixRandom");
  }

  // ------------------------------------------------------------------------------ status

  @Test
  void aRunIsRunningUntilItEndsThenFinishedWithItsTimes() throws Exception {
    clockAt(T0 + 1000);
    try (Tracker tracker = trackerBuilder().build()) {
      Run run = tracker.experiment("contract").startRun("lifecycle");
      tracker.flush();
      RunInfo running = read(run.id()).info();
      assertThat(running.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(running.startTime()).isEqualTo(T0 + 1000);
      assertThat(running.endTime()).isZero();
      assertThat(running.name()).isEqualTo("lifecycle");
      assertThat(running.experimentName()).isEqualTo("contract");
      assertThat(running.parentRunId()).isNull();

      clockAt(T0 + 5000);
      run.close();
      RunInfo finished = read(run.id()).info();
      assertThat(finished.status()).isEqualTo(RunStatus.FINISHED);
      assertThat(finished.startTime()).isEqualTo(T0 + 1000);
      assertThat(finished.endTime()).isEqualTo(T0 + 5000);
      assertThat(finished.durationMillis()).isEqualTo(4000);
    }
  }

  @Test
  void anEndStatusIsRecorded() throws Exception {
    String failed;
    String killed;
    try (Tracker tracker = trackerBuilder().build()) {
      Run a = tracker.experiment("contract").startRun("failed");
      a.end(RunStatus.FAILED);
      Run b = tracker.experiment("contract").startRun("killed");
      b.end(RunStatus.KILLED);
      failed = a.id();
      killed = b.id();
    }
    assertThat(read(failed).info().status()).isEqualTo(RunStatus.FAILED);
    assertThat(read(killed).info().status()).isEqualTo(RunStatus.KILLED);
  }

  @Test
  void aRunBodyThatThrowsEndsFailedWithTheFailureTagged() throws Exception {
    try (Tracker tracker = trackerBuilder().build()) {
      assertThatThrownBy(() -> tracker.experiment("lambda").run("boom", run -> {
        run.logMetric("loss", 1, 0);
        throw new IllegalStateException("diverged");
      })).isInstanceOf(IllegalStateException.class).hasMessage("diverged");
    }
    RunInfo info;
    try (TrackingBackend reader = newBackend()) {
      info = reader.listRuns("lambda").get(0);
    }
    RunData data = read(info.id());
    assertThat(data.info().status()).isEqualTo(RunStatus.FAILED);
    assertThat(data.tags()).containsEntry("tracker.failure",
        "java.lang.IllegalStateException: diverged");
    assertThat(data.history("loss")).hasSize(1);
  }

  @Test
  void aChildRunRecordsItsParent() throws Exception {
    String parentId;
    String childId;
    try (Tracker tracker = trackerBuilder().build();
        Run parent = tracker.experiment("contract").startRun("parent");
        Run child = parent.startChildRun("child")) {
      parentId = parent.id();
      childId = child.id();
    }
    RunData child = read(childId);
    assertThat(child.info().parentRunId()).isEqualTo(parentId);
    assertThat(child.tags()).containsEntry("mlflow.parentRunId", parentId);
    assertThat(read(parentId).info().parentRunId()).isNull();
  }

  // ------------------------------------------------------------------------------ artifacts

  @Test
  void theClassPathIsListedInAnArtifact() throws Exception {
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("dependencies")) {
      id = run.id();
    }
    assertThat(read(id).artifacts()).containsExactly("tracker.dependencies.txt");
  }

  @Test
  void artifactsAreListedUnderTheirPaths() throws Exception {
    Path model = Files.write(files.resolve("model.bin"), new byte[] {1, 2, 3});
    Path data = Files.createDirectories(files.resolve("data/sub"));
    Files.writeString(files.resolve("data/a.txt"), "a");
    Files.writeString(data.resolve("b.txt"), "b");
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("artifacts")) {
      id = run.id();
      run.logArtifact(model);
      run.logArtifact(model, "models/best");
      run.logArtifact(files.resolve("data"), "inputs");
      run.logText("hello ünï", "notes/readme.md");
    }
    assertThat(userArtifacts(id)).containsExactlyInAnyOrder(
        "model.bin", "models/best/model.bin", "inputs/a.txt", "inputs/sub/b.txt",
        "notes/readme.md");
  }

  @Test
  void artifactsAreListedSortedByPathOnEveryBackend() throws Exception {
    Path data = Files.createDirectories(files.resolve("data/a"));
    Files.writeString(data.resolve("x.txt"), "x");
    Files.writeString(files.resolve("data/a.txt"), "a");
    Files.writeString(files.resolve("data/b"), "b");
    Files.writeString(files.resolve("data/A.txt"), "A");
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("order")) {
      id = run.id();
      run.logText("z", "z.txt");
      run.logArtifact(files.resolve("data"));
    }
    assertThat(userArtifacts(id)).containsExactly("A.txt", "a.txt", "a/x.txt", "b", "z.txt");
  }

  @Test
  void artifactNamesAServerKeepsRoundTripAndOthersAreRefusedWithOneMessage() throws Exception {
    Map<String, String> kept = new LinkedHashMap<>();
    kept.put("reports/\u00fc/100% a+b?;c.txt", "odd");
    kept.put("reports/\u00fc/cafe\u0301.txt", "nfd");
    Path hashed = Files.writeString(files.resolve("report #1.txt"), "r");
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("names")) {
      id = run.id();
      for (Map.Entry<String, String> e : kept.entrySet()) {
        String name = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
        run.logArtifact(Files.writeString(files.resolve(name), e.getValue()), "reports/\u00fc");
      }
      assertThatThrownBy(() -> run.logArtifact(hashed))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("artifact file name must be a name an MLflow server stores as it is (no"
              + " '#', which it refuses) but was 'report #1.txt'");
    }
    assertThat(userArtifacts(id)).containsExactlyElementsOf(kept.keySet());
    try (TrackingBackend reader = newBackend()) {
      for (Map.Entry<String, String> e : kept.entrySet()) {
        try (java.io.InputStream in = reader.openArtifact(id, e.getKey())) {
          assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
              .as(e.getKey()).isEqualTo(e.getValue());
        }
      }
      assertThatThrownBy(() -> reader.openArtifact(id, "reports/../../x"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("artifact path must be a relative path inside the run's artifacts (no '..'"
              + " segment) but was 'reports/../../x'");
    }
  }

  @Test
  void aDirectorysFileThatCannotBeStoredIsReportedAndTheOthersAreStored() throws Exception {
    Path data = Files.createDirectories(files.resolve("data"));
    Files.writeString(data.resolve("a.txt"), "a");
    Files.writeString(data.resolve("b#.txt"), "b");
    Files.writeString(data.resolve("c.txt"), "c");
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("directory")) {
      id = run.id();
      run.logArtifact(data);
      assertThatThrownBy(tracker::flush)
          .isExactlyInstanceOf(TrackerException.class)
          .hasMessageStartingWith("storing the files of " + data + " as artifacts of run " + id
              + " failed on ")
          .hasMessageEndingWith(": 1 of the 3 files of " + data + " not stored (the others"
              + " were); the first: artifact path must be a name an MLflow server stores as it"
              + " is (no '#', which it refuses) but was 'b#.txt'");
    }
    assertThat(userArtifacts(id)).containsExactly("a.txt", "c.txt");
  }

  @Test
  void aDirectorysSymbolicLinksAreFollowedOnlyToFilesInsideIt() throws Exception {
    Path dir = Files.createDirectories(files.resolve("linked"));
    Path sub = Files.createDirectories(dir.resolve("sub"));
    Files.writeString(sub.resolve("a.txt"), "a");
    Files.createSymbolicLink(dir.resolve("inside.txt"), sub.resolve("a.txt"));
    Files.createSymbolicLink(dir.resolve("escape.txt"),
        Files.writeString(files.resolve("secret.txt"), "secret"));
    Files.createSymbolicLink(dir.resolve("folder"), sub);
    Files.createSymbolicLink(dir.resolve("up"), dir);
    Files.createSymbolicLink(dir.resolve("loop"), dir.resolve("loop"));
    Files.createSymbolicLink(dir.resolve("dangling.txt"), files.resolve("none.txt"));
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("links")) {
      id = run.id();
      run.logArtifact(dir, "linked");
      tracker.flush();
    }
    assertThat(userArtifacts(id)).containsExactly("linked/inside.txt", "linked/sub/a.txt");
    try (TrackingBackend reader = newBackend();
        java.io.InputStream in = reader.openArtifact(id, "linked/inside.txt")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a");
    }
  }

  @Test
  void anArtifactLoggedTwiceUnderOnePathIsListedOnce() throws Exception {
    Path model = Files.writeString(files.resolve("model.bin"), "v1");
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("contract").startRun("replace")) {
      id = run.id();
      run.logArtifact(model);
      tracker.flush();
      Files.writeString(model, "v2", StandardCharsets.UTF_8);
      run.logArtifact(model);
    }
    assertThat(userArtifacts(id)).containsExactly("model.bin");
    try (TrackingBackend reader = newBackend();
        java.io.InputStream in = reader.openArtifact(id, "model.bin")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("v2");
    }
  }

  // ------------------------------------------------------------------------------ resume

  @Test
  void aResumedRunKeepsItsRecordsAndTakesNewOnes() throws Exception {
    String id;
    try (Tracker first = trackerBuilder().build();
        Run run = first.experiment("contract").startRun("resumable")) {
      id = run.id();
      run.logParam("lr", 0.1);
      run.setTag("phase", "one");
      for (int i = 0; i < 5; i++) {
        run.logMetric("loss", i, i);
      }
    }
    assertThat(read(id).info().status()).isEqualTo(RunStatus.FINISHED);

    try (Tracker second = trackerBuilder().resumeRun(id).build()) {
      Run run = second.experiment("contract").startRun("resumable");
      assertThat(run.id()).isEqualTo(id);
      second.flush();
      RunInfo resumed = read(id).info();
      assertThat(resumed.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(resumed.endTime()).isZero();
      run.logParam("batch", 32);
      run.setTag("phase", "two");
      for (int i = 5; i < 10; i++) {
        run.logMetric("loss", i, i);
      }
      run.close();
    }
    RunData data = read(id);
    assertThat(data.info().status()).isEqualTo(RunStatus.FINISHED);
    assertThat(data.info().name()).isEqualTo("resumable");
    assertThat(data.params()).containsEntry("lr", "0.1").containsEntry("batch", "32")
        .containsEntry("seed", "42");
    assertThat(data.tags()).containsEntry("phase", "two");
    assertThat(data.history("loss")).extracting(Metric::step)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    try (TrackingBackend reader = newBackend()) {
      assertThat(reader.listRuns("contract")).extracting(RunInfo::id).containsExactly(id);
    }
  }

  @Test
  void resumingARunThatDoesNotExistCreatesIt() throws Exception {
    String id = "0123456789abcdef0123456789abcdef";
    try (Tracker tracker = trackerBuilder().resumeRun(id).build();
        Run run = tracker.experiment("contract").startRun("fresh")) {
      assertThat(run.id()).isEqualTo(id);
      run.logMetric("loss", 1, 0);
    }
    RunData data = read(id);
    assertThat(data.info().name()).isEqualTo("fresh");
    assertThat(data.info().status()).isEqualTo(RunStatus.FINISHED);
    assertThat(data.history("loss")).hasSize(1);
  }

  // ------------------------------------------------------------------------------ listing

  @Test
  void experimentsAreListedAndRunsNewestFirst() throws Exception {
    List<String> ids = new ArrayList<>();
    try (Tracker tracker = trackerBuilder().build()) {
      for (int i = 0; i < 3; i++) {
        clockAt(T0 + i * 1000L);
        try (Run run = tracker.experiment("listed").startRun("run-" + i)) {
          ids.add(run.id());
        }
      }
      tracker.experiment("other experiment").startRun("x").close();
    }
    try (TrackingBackend reader = newBackend()) {
      assertThat(reader.listExperiments()).extracting(ExperimentInfo::name)
          .contains("listed", "other experiment");
      List<RunInfo> runs = reader.listRuns("listed");
      assertThat(runs).extracting(RunInfo::id).containsExactly(ids.get(2), ids.get(1), ids.get(0));
      assertThat(runs).extracting(RunInfo::name).containsExactly("run-2", "run-1", "run-0");
      assertThat(runs).extracting(RunInfo::startTime)
          .containsExactly(T0 + 2000, T0 + 1000, T0);
      assertThat(runs).allSatisfy(r -> {
        assertThat(r.status()).isEqualTo(RunStatus.FINISHED);
        assertThat(r.experimentName()).isEqualTo("listed");
      });
      assertThat(reader.listRuns("other experiment")).hasSize(1);
    }
  }

  @Test
  void unknownRunsAndExperimentsReadAsNothing() throws Exception {
    try (Tracker tracker = trackerBuilder().build()) {
      tracker.experiment("contract").startRun("present").close();
    }
    try (TrackingBackend reader = newBackend()) {
      assertThat(reader.readRun("ffffffffffffffffffffffffffffffff")).isEmpty();
      assertThat(reader.metricHistory("ffffffffffffffffffffffffffffffff", "loss")).isEmpty();
      assertThat(reader.listRuns("no such experiment")).isEmpty();
    }
  }

  // ------------------------------------------------------------------------------ searching

  /**
   * Four runs of experiment "search", one second apart: fast (acc 0.9 then 0.5, the latest),
   * slow (acc 0.8), broken (acc NaN, failed), empty (no acc, no stage).
   */
  private List<String> fourRunsToSearch() throws Exception {
    List<String> ids = new ArrayList<>();
    try (Tracker tracker = trackerBuilder().standardTags(false).build()) {
      Object[][] runs = {
          {"fast", "0.1", "dev", new double[] {0.9, 0.5}},
          {"slow", "0.01", "prod", new double[] {0.8}},
          {"broken", "0.05", null, new double[] {Double.NaN}},
          {"empty", null, null, new double[0]}};
      for (int i = 0; i < runs.length; i++) {
        clockAt(T0 + i * 1000L);
        Run run = tracker.experiment("search").startRun((String) runs[i][0]);
        ids.add(run.id());
        if (runs[i][1] != null) {
          run.logParam("lr", runs[i][1]);
        }
        if (runs[i][2] != null) {
          run.setTag("stage", (String) runs[i][2]);
        }
        double[] acc = (double[]) runs[i][3];
        for (int step = 0; step < acc.length; step++) {
          run.logMetric("acc", acc[step], step);
          run.logMetric("val loss", 1 - acc[step], step);
        }
        run.end(i == 2 ? RunStatus.FAILED : RunStatus.FINISHED);
      }
      tracker.experiment("elsewhere").startRun("other").close();
    }
    return ids;
  }

  private List<String> search(String filter, String... orderBy) throws Exception {
    try (Tracker reader = trackerBuilder().build()) {
      return reader.runs().experiment("search").filter(filter).orderBy(orderBy).list().stream()
          .map(r -> r.info().name()).toList();
    }
  }

  @Test
  void searchFiltersOnLatestMetricsParamsTagsAndAttributes() throws Exception {
    fourRunsToSearch();
    assertThat(search("")).containsExactly("empty", "broken", "slow", "fast");
    assertThat(search("metrics.acc < 0.6")).containsExactly("fast");
    assertThat(search("metrics.acc > -1")).containsExactly("slow", "fast");
    assertThat(search("metrics.acc != 0.5")).containsExactly("slow");
    assertThat(search("metrics.`val loss` >= 0.1")).containsExactly("slow", "fast");
    assertThat(search("params.lr = '0.1'")).containsExactly("fast");
    assertThat(search("params.lr LIKE '0.0%'")).containsExactly("broken", "slow");
    assertThat(search("tags.stage != 'dev'")).containsExactly("slow");
    assertThat(search("tags.stage ILIKE 'PROD'")).containsExactly("slow");
    assertThat(search("attributes.status = 'FAILED'")).containsExactly("broken");
    assertThat(search("attributes.run_name LIKE '%o%' and attributes.status = 'FINISHED'"))
        .containsExactly("slow");
    assertThat(search("attributes.start_time >= " + (T0 + 2000))).containsExactly("empty",
        "broken");
  }

  @Test
  void searchOrdersNanAfterNumbersAndMissingLastInBothDirections() throws Exception {
    fourRunsToSearch();
    assertThat(search("", "metrics.acc DESC")).containsExactly("slow", "fast", "broken", "empty");
    assertThat(search("", "metrics.acc")).containsExactly("fast", "slow", "broken", "empty");
    assertThat(search("", "params.lr ASC")).containsExactly("slow", "broken", "fast", "empty");
    assertThat(search("", "tags.stage DESC", "attributes.start_time"))
        .containsExactly("slow", "fast", "broken", "empty");
    assertThat(search("", "attributes.start_time ASC"))
        .containsExactly("fast", "slow", "broken", "empty");
  }

  @Test
  void searchResultsCarryInfoParamsTagsAndLatestMetrics() throws Exception {
    List<String> ids = fourRunsToSearch();
    try (Tracker reader = trackerBuilder().build()) {
      RunSummary fast = reader.runs().experiment("search").filter("params.lr = '0.1'").first()
          .orElseThrow();
      assertThat(fast.id()).isEqualTo(ids.get(0));
      assertThat(fast.info().experimentName()).isEqualTo("search");
      assertThat(fast.info().status()).isEqualTo(RunStatus.FINISHED);
      assertThat(fast.info().startTime()).isEqualTo(T0);
      assertThat(fast.params()).containsEntry("lr", "0.1");
      assertThat(fast.tags()).containsEntry("stage", "dev");
      assertThat(fast.metrics().get("acc").value()).isEqualTo(0.5);
      assertThat(fast.metrics().get("acc").step()).isEqualTo(1);
      assertThat(reader.runs().list()).extracting(r -> r.info().name()).contains("other");
      assertThat(reader.runs().experiment("no such experiment").list()).isEmpty();
    }
  }

  @Test
  void aRunIsReadByIdOrPrefixAndItsHistoryWhole() throws Exception {
    List<String> ids = fourRunsToSearch();
    try (Tracker reader = trackerBuilder().build()) {
      assertThat(reader.run(ids.get(0)).info().name()).isEqualTo("fast");
      assertThat(reader.run(ids.get(1).substring(0, 12)).info().name()).isEqualTo("slow");
      assertThat(reader.history(ids.get(0), "acc")).extracting(Metric::value)
          .containsExactly(0.9, 0.5);
      assertThatThrownBy(() -> reader.run("0000000000000000000000000000000f"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("no run '0000000000000000000000000000000f' in ");
    }
  }

  @Test
  void aChildRunIsFoundWithItsParent() throws Exception {
    String parentId;
    try (Tracker tracker = trackerBuilder().build();
        Run parent = tracker.experiment("family").startRun("parent")) {
      parentId = parent.id();
      parent.startChildRun("child").close();
    }
    try (Tracker reader = trackerBuilder().build()) {
      RunSummary child = reader.runs().experiment("family")
          .filter("attributes.run_name = 'child'").first().orElseThrow();
      assertThat(child.parentRunId()).isEqualTo(parentId);
    }
  }

  @Test
  void artifactsDownloadToAFolderUnderTheirPaths() throws Exception {
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("downloads").startRun("model")) {
      id = run.id();
      run.logText("weights", "model/w.txt");
      run.logText("config", "model/conf/c.yaml");
      run.logText("notes", "notes.md");
    }
    Path out = files.resolve("downloaded");
    try (Tracker reader = trackerBuilder().build()) {
      Path model = reader.downloadArtifacts(id, "model", out);
      assertThat(model).isEqualTo(out.toAbsolutePath().normalize().resolve("model"));
      assertThat(model.resolve("w.txt")).hasContent("weights");
      assertThat(model.resolve("conf/c.yaml")).hasContent("config");
      assertThat(out.resolve("notes.md")).doesNotExist();
      assertThat(reader.downloadArtifacts(id.substring(0, 10), "notes.md", out))
          .hasContent("notes");
      assertThatThrownBy(() -> reader.downloadArtifacts(id, "model/none.txt", out))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("run " + id + " has no artifact 'model/none.txt'; its"
              + " artifacts: ");
    }
  }

  // ------------------------------------------------------------------------------ models

  /** A run of experiment "models" that logged a model folder and a single-file model. */
  private String runWithAModel(Tracker tracker) {
    try (Run run = tracker.experiment("models").startRun("train")) {
      run.logText("weights ünï", "model/weights.txt");
      run.logText("{\"classes\": 3}", "model/conf/config.json");
      run.logText("single", "model.bin");
      return run.id();
    }
  }

  @Test
  void registeringTwiceNumbersTheVersionsOneAndTwoAndTheyNameTheirRun() throws Exception {
    try (Tracker tracker = trackerBuilder().build()) {
      ModelVersion first;
      String id;
      try (Run run = tracker.experiment("models").startRun("live")) {
        id = run.id();
        run.logText("w", "model/weights.txt");
        first = tracker.models().register("iris", run, "model");
      }
      ModelVersion second = tracker.models().register("iris", id, "model/");
      assertThat(first.version()).isEqualTo(1);
      assertThat(second.version()).isEqualTo(2);
      assertThat(first.name()).isEqualTo("iris");
      assertThat(first.artifactPath()).isEqualTo("model");
      assertThat(first.aliases()).isEmpty();
      assertThat(first.creationTime()).isPositive();
      assertThat(tracker.run(first.runId()).info().id()).isEqualTo(id);
      assertThat(tracker.models().list("iris")).extracting(ModelVersion::version)
          .containsExactly(1, 2);
    }
    try (Tracker reader = trackerBuilder().build()) {
      ModelVersion v = reader.models().get("iris", "2");
      assertThat(v.version()).isEqualTo(2);
      assertThat(v.artifactPath()).isEqualTo("model");
      assertThat(v.source()).endsWith("/artifacts/model");
    }
  }

  @Test
  void anAliasPointsAtOneVersionAndMoves() throws Exception {
    try (Tracker tracker = trackerBuilder().build()) {
      String id = runWithAModel(tracker);
      ModelRegistry models = tracker.models();
      models.register("iris", id, "model");
      models.register("iris", id, "model");
      models.setAlias("iris", "champion", 1);
      models.setAlias("iris", "challenger", 2);
      assertThat(models.get("iris", "champion").version()).isEqualTo(1);
      assertThat(models.get("iris", 1).aliases()).containsExactly("champion");
      models.setAlias("iris", "champion", 2);
      assertThat(models.get("iris", "champion").version()).isEqualTo(2);
      assertThat(models.get("iris", 2).aliases()).containsExactly("challenger", "champion");
      assertThat(models.get("iris", 1).aliases()).isEmpty();
      models.deleteAlias("iris", "challenger");
      assertThat(models.list("iris")).extracting(ModelVersion::aliases)
          .containsExactly(List.of(), List.of("champion"));
    }
  }

  @Test
  void unknownModelsVersionsAliasesAndArtifactsAreClearErrors() throws Exception {
    try (Tracker tracker = trackerBuilder().build()) {
      String id = runWithAModel(tracker);
      ModelRegistry models = tracker.models();
      models.register("iris", id, "model");
      models.setAlias("iris", "champion", 1);
      assertThatThrownBy(() -> models.get("nope", "1"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("no model 'nope' in " + tracker.uri());
      assertThatThrownBy(() -> models.get("iris", "7"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("model 'iris' has no version 7; its versions: 1; its aliases: champion (1)");
      assertThatThrownBy(() -> models.get("iris", "nope"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("model 'iris' has no alias 'nope'; its versions: 1; its aliases:"
              + " champion (1)");
      assertThatThrownBy(() -> models.setAlias("iris", "gold", 2))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("model 'iris' has no version 2; its versions: 1; its aliases: champion (1)");
      assertThatThrownBy(() -> models.deleteAlias("iris", "gold"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("model 'iris' has no alias 'gold'");
      assertThatThrownBy(() -> models.register("iris", id, "weights"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("run " + id + " has no artifact 'weights'; its artifacts: ");
      assertThatThrownBy(() -> models.list("nope"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("no model 'nope' in " + tracker.uri());
      assertThat(models.list("iris")).hasSize(1);
    }
  }

  @Test
  void aDownloadedVersionHoldsTheArtifactsFiles() throws Exception {
    Path out = files.resolve("serving");
    try (Tracker tracker = trackerBuilder().build()) {
      String id = runWithAModel(tracker);
      tracker.models().register("iris", id, "model");
      tracker.models().register("single", id, "model.bin");
      tracker.models().setAlias("iris", "champion", 1);
    }
    try (Tracker reader = trackerBuilder().build()) {
      Path model = reader.models().download("iris", "champion", out.resolve("iris"));
      assertThat(model).isEqualTo(out.resolve("iris").toAbsolutePath().normalize());
      assertThat(model.resolve("weights.txt")).hasContent("weights ünï");
      assertThat(model.resolve("conf/config.json")).hasContent("{\"classes\": 3}");
      assertThat(model.resolve("model.bin")).doesNotExist();
      Path single = reader.models().download("single", "1", out.resolve("single"));
      assertThat(single.resolve("model.bin")).hasContent("single");
    }
  }

  @Test
  void theRunListsTheVersionsMadeFromIt() throws Exception {
    String id;
    try (Tracker tracker = trackerBuilder().build()) {
      id = runWithAModel(tracker);
      tracker.models().register("iris", id, "model");
      tracker.models().register("iris", id, "model");
      tracker.models().register("single", id, "model.bin");
    }
    try (Tracker reader = trackerBuilder().build()) {
      assertThat(reader.run(id).tags()).containsEntry(ModelRegistry.LINEAGE_TAG,
          "iris/1,iris/2,single/1");
    }
  }

  // ------------------------------------------------------------------------------ inputs

  @Test
  void aLoggedInputReadsBackWithItsDigestSizeContextAndSchema() throws Exception {
    Path train = Files.writeString(files.resolve("train.csv"), "abc");
    Path test = Files.writeString(files.resolve("test.csv"), "The quick brown fox jumps over"
        + " the lazy dog");
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("inputs").startRun("train")) {
      id = run.id();
      run.logInput(Dataset.of(train).name("iris-train"));
      run.logInput(Dataset.of(test).context("evaluation").schema("{\"mlflow_colspec\": []}"));
    }
    List<DatasetInput> inputs = read(id).inputs();
    assertThat(inputs).containsExactly(
        new DatasetInput("iris-train", "900150983cd24fb0d6963f7d28e17f72", "local",
            train.toAbsolutePath().toString(), "training", 3, 1, null, null),
        new DatasetInput("test.csv", "9e107d9d372bb6826bd81d3542a419d6", "local",
            test.toAbsolutePath().toString(), "evaluation", 43, 1, "{\"mlflow_colspec\": []}",
            null));
    try (Tracker reader = trackerBuilder().build()) {
      assertThat(reader.runs().experiment("inputs").first().orElseThrow().inputs())
          .isEqualTo(inputs);
      assertThat(reader.run(id).inputs()).isEqualTo(inputs);
    }
  }

  @Test
  void theSameNameAndDigestIsRecordedOnceAndTheFirstContextKept() throws Exception {
    Path data = Files.writeString(files.resolve("data.csv"), "abc");
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("inputs").startRun("twice")) {
      id = run.id();
      run.logInput(Dataset.of(data));
      run.logInput(Dataset.of(data));
      tracker.flush();
      run.logInput(Dataset.of(data).context("validation"));
      tracker.flush();
      Files.writeString(data, "abcd");
      run.logInput(Dataset.of(data));
    }
    assertThat(read(id).inputs()).extracting(DatasetInput::digest, DatasetInput::context,
        DatasetInput::size).containsExactly(
            org.assertj.core.groups.Tuple.tuple("900150983cd24fb0d6963f7d28e17f72", "training",
                3L),
            org.assertj.core.groups.Tuple.tuple("e2fc714c4727ee9395f324cd2e7f331f", "training",
                4L));
  }

  @Test
  void aFolderInputHasOneDigestOverItsFilesAndAUriInputOneOfItsUri() throws Exception {
    Path dir = Files.createDirectories(files.resolve("images"));
    Files.writeString(dir.resolve("b.txt"), "b");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/a.txt"), "abc");
    String id;
    try (Tracker tracker = trackerBuilder().build();
        Run run = tracker.experiment("inputs").startRun("folder")) {
      id = run.id();
      run.logInput(Dataset.of(dir));
      run.logInput(Dataset.ofUri("s3://bucket/iris/v3/train.parquet"));
      // the same name, another URI: another input (backends keep one per name and digest)
      run.logInput(Dataset.ofUri("s3://bucket/iris/v4/train.parquet"));
    }
    assertThat(read(id).inputs()).containsExactly(
        new DatasetInput("images", "78df32d60e18c068824a1dc4233102cb.dir", "local",
            dir.toAbsolutePath().toString(), "training", 4, 2, null, null),
        new DatasetInput("train.parquet", "e61e0ca7", "s3", "s3://bucket/iris/v3/train.parquet",
            "training", -1, -1, null, null),
        new DatasetInput("train.parquet", "d154905c", "s3", "s3://bucket/iris/v4/train.parquet",
            "training", -1, -1, null, null));
  }
}
