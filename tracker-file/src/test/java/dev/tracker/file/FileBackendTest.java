package dev.tracker.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracker.ExperimentInfo;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.Run;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.Tracker;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBackendTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final String ID = "0123456789abcdef0123456789abcdef";

  @TempDir Path tmp;

  private Path root() {
    return tmp.resolve("runs");
  }

  private Tracker tracker() {
    return Tracker.builder().uri("file:" + root()).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null)
        .clock(() -> Instant.ofEpochMilli(T0)).seed(7).build();
  }

  private static RunSpec spec(String id, boolean resume) {
    return new RunSpec(id, "exp", "exp", "run", T0, Map.of("mlflow.runName", "run"), null,
        resume);
  }

  /** A backend with a run {@link #ID} in experiment "exp". */
  private FileBackend backendWithRun() throws IOException {
    FileBackend backend = FileBackend.create(root());
    backend.createExperiment("exp");
    backend.createRun(spec(ID, false));
    return backend;
  }

  private Path runDir() {
    return root().resolve("exp").resolve(ID);
  }

  private static List<Metric> rows(String key, int from, int to) {
    List<Metric> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(new Metric(key, i * 0.5, T0 + i, i));
    }
    return out;
  }

  // ------------------------------------------------------------------------------ layout

  @Test
  void aRunIsAFolderWithRunParamsMetricsAndArtifacts() throws IOException {
    Path model = Files.write(tmp.resolve("model.bin"), new byte[] {0, 1, 2, (byte) 255});
    String id;
    try (Tracker tracker = tracker();
        Run run = tracker.experiment("iris").startRun("lr-0.1")) {
      id = run.id();
      run.logParams(Map.of("lr", 0.1));
      run.logMetric("loss", 0.5, 0);
      run.logMetric("loss", 0.25, 1);
      run.logArtifact(model);
    }
    assertThat(id).matches("[0-9a-f]{32}");
    Path dir = root().resolve("iris").resolve(id);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("run.yaml", "params.yaml", "metrics.csv", "artifacts",
              ".lock");
    }
    assertThat(Files.readString(root().resolve("iris/experiment.yaml")))
        .isEqualTo("id: iris\nname: iris\ncreated: 1700000000000\n");
    assertThat(Files.readString(dir.resolve("run.yaml"))).isEqualTo(""
        + "id: " + id + "\n"
        + "name: lr-0.1\n"
        + "experiment: iris\n"
        + "status: FINISHED\n"
        + "start_time: 1700000000000\n"
        + "end_time: 1700000000000\n"
        + "parent: null\n"
        + "source: null\n"
        + "tags:\n"
        + "  mlflow.runName: lr-0.1\n"
        + "  tracker.seed.generator: L64X128MixRandom\n");
    assertThat(Files.readString(dir.resolve("params.yaml"))).isEqualTo("seed: 7\nlr: 0.1\n");
    assertThat(Files.readString(dir.resolve("metrics.csv"))).isEqualTo(""
        + "Name,Value,Timestamp,Step\n"
        + "\"loss\",0.5,1700000000000,0\n"
        + "\"loss\",0.25,1700000000000,1\n");
    assertThat(dir.resolve("artifacts/model.bin")).hasBinaryContent(new byte[] {0, 1, 2, -1});
  }

  @Test
  void aChildRunNamesItsParentInRunYaml() throws IOException {
    String parentId;
    String childId;
    try (Tracker tracker = tracker();
        Run parent = tracker.experiment("e").startRun("p");
        Run child = parent.startChildRun("c")) {
      parentId = parent.id();
      childId = child.id();
    }
    Map<String, Object> yaml = YamlFiles.loadMap(root().resolve("e").resolve(childId)
        .resolve("run.yaml"));
    assertThat(yaml).containsEntry("parent", parentId);
    assertThat(yaml.get("tags")).isInstanceOfSatisfying(Map.class,
        tags -> assertThat(tags.get("mlflow.parentRunId")).isEqualTo(parentId));
  }

  @Test
  void anExperimentWhoseFolderHoldsAnotherExperimentGetsAFolderOfItsOwn() throws IOException {
    try (Tracker tracker = tracker(); Run run = tracker.experiment("Iris").startRun("upper")) {
      run.logMetric("loss", 1);
    }
    // what a case-insensitive file system (macOS, Windows) shows to experiment "iris"
    Files.move(root().resolve("Iris"), root().resolve("iris"));
    String id;
    try (Tracker tracker = tracker(); Run run = tracker.experiment("iris").startRun("lower")) {
      id = run.id();
    }
    try (FileBackend reader = FileBackend.create(root())) {
      assertThat(reader.listRuns("iris")).extracting(RunInfo::name).containsExactly("lower");
      assertThat(reader.readRun(id).orElseThrow().info().experimentName()).isEqualTo("iris");
      assertThat(reader.listExperiments()).extracting(ExperimentInfo::name)
          .containsExactly("Iris", "iris");
    }
    assertThat(root().resolve(ExperimentFolders.hashedFolderName("iris")).resolve(id)
        .resolve(FileBackend.RUN_FILE)).isRegularFile();
    assertThat(ExperimentFolders.hashedFolderName("iris")).matches("iris~[0-9a-f]{8}");
  }

  @Test
  void settingTheRunNameTagRenamesTheRun() throws IOException {
    String id;
    try (Tracker tracker = tracker(); Run run = tracker.experiment("exp").startRun("before")) {
      id = run.id();
      run.setTag("mlflow.runName", "after");
      assertThat(run.name()).isEqualTo("after");
    }
    try (FileBackend reader = FileBackend.create(root())) {
      RunData run = reader.readRun(id).orElseThrow();
      assertThat(run.info().name()).isEqualTo("after");
      assertThat(run.tags()).containsEntry("mlflow.runName", "after");
      assertThat(reader.listRuns("exp")).extracting(RunInfo::name).containsExactly("after");
    }
  }

  @Test
  void paramsThatAreNumbersOrBooleansAreWrittenTyped() throws IOException {
    try (FileBackend backend = backendWithRun()) {
      List<Param> params = new ArrayList<>();
      for (String[] p : new String[][] {
          {"int", "50"}, {"negative", "-3"}, {"long", "9223372036854775807"},
          {"too big", "9223372036854775808"}, {"double", "0.1"}, {"exp", "1.0E10"},
          {"small", "1.0E-5"}, {"nan", "NaN"}, {"inf", "-Infinity"}, {"minus zero", "-0.0"},
          {"bool", "true"}, {"Bool", "True"}, {"padded", "0.10"}, {"octal", "010"},
          {"plus", "+1"}, {"short exp", "1e5"}, {"word", "adam"}, {"yes", "yes"},
          {"date", "2024-01-02"}, {"empty", ""}, {"null", "null"}, {"colon", "a: b"}}) {
        params.add(new Param(p[0], p[1]));
      }
      backend.logBatch(ID, new Batch(List.of(), params, List.of()));
    }
    assertThat(Files.readString(runDir().resolve("params.yaml"))).isEqualTo(""
        + "int: 50\n"
        + "negative: -3\n"
        + "long: 9223372036854775807\n"
        + "too big: '9223372036854775808'\n"
        + "double: 0.1\n"
        + "exp: 1.0E+10\n"
        + "small: 1.0E-5\n"
        + "nan: NaN\n"
        + "inf: -Infinity\n"
        + "minus zero: -0.0\n"
        + "bool: true\n"
        + "Bool: 'True'\n"
        + "padded: '0.10'\n"
        + "octal: '010'\n"
        + "plus: '+1'\n"
        + "short exp: '1e5'\n"
        + "word: adam\n"
        + "'yes': 'yes'\n"
        + "date: '2024-01-02'\n"
        + "empty: ''\n"
        + "'null': 'null'\n"
        + "colon: 'a: b'\n");
    try (FileBackend reader = FileBackend.create(root())) {
      assertThat(reader.readRun(ID).orElseThrow().params()).containsExactly(
          Map.entry("int", "50"), Map.entry("negative", "-3"),
          Map.entry("long", "9223372036854775807"), Map.entry("too big", "9223372036854775808"),
          Map.entry("double", "0.1"), Map.entry("exp", "1.0E10"), Map.entry("small", "1.0E-5"),
          Map.entry("nan", "NaN"), Map.entry("inf", "-Infinity"),
          Map.entry("minus zero", "-0.0"), Map.entry("bool", "true"), Map.entry("Bool", "True"),
          Map.entry("padded", "0.10"), Map.entry("octal", "010"), Map.entry("plus", "+1"),
          Map.entry("short exp", "1e5"), Map.entry("word", "adam"), Map.entry("yes", "yes"),
          Map.entry("date", "2024-01-02"), Map.entry("empty", ""), Map.entry("null", "null"),
          Map.entry("colon", "a: b"));
    }
  }

  @Test
  void aParamOfAnotherWriterIsNotChangedAndTheRestOfTheBatchIsWritten() throws IOException {
    try (FileBackend backend = backendWithRun()) {
      backend.logBatch(ID, new Batch(List.of(), List.of(new Param("lr", "0.1")), List.of()));
      assertThatThrownBy(() -> backend.logBatch(ID, new Batch(rows("loss", 0, 2),
          List.of(new Param("lr", "0.2"), new Param("epochs", "5")),
          List.of(new Tag("t", "v")))))
          .isInstanceOf(IOException.class)
          .hasMessage("param 'lr' is '0.1' in " + runDir().resolve("params.yaml")
              + " and cannot be changed to '0.2' (params are write-once)");
      RunData run = backend.readRun(ID).orElseThrow();
      assertThat(run.params()).containsExactly(Map.entry("lr", "0.1"), Map.entry("epochs", "5"));
      assertThat(run.tags()).containsEntry("t", "v");
      assertThat(run.metrics()).hasSize(2);
    }
  }

  // ------------------------------------------------------------------------------ metrics.csv

  @Test
  void eachBatchIsOneWriteToAFileKeptOpenBetweenBatches() throws IOException {
    AtomicInteger opened = new AtomicInteger();
    AtomicInteger writes = new AtomicInteger();
    FileBackend backend = FileBackend.create(root(), () -> Instant.ofEpochMilli(T0), channel -> {
      opened.incrementAndGet();
      return Channels.writingWith(channel, (ch, src) -> {
        writes.incrementAndGet();
        return ch.write(src);
      });
    });
    try (backend) {
      backend.createExperiment("exp");
      backend.createRun(spec(ID, false));
      for (int b = 0; b < 5; b++) {
        backend.logBatch(ID, Batch.ofMetrics(rows("loss", b * 1000, (b + 1) * 1000)));
      }
      backend.flush();
      assertThat(writes).hasValue(5);
      assertThat(opened).hasValue(1);
      backend.endRun(ID, RunStatus.FINISHED, T0);
    }
    assertThat(MetricsCsv.read(runDir().resolve("metrics.csv")).metrics()).hasSize(5000);
  }

  @Test
  void resumingAppendsWithoutTruncatingOrASecondHeader() throws IOException {
    try (FileBackend backend = backendWithRun()) {
      backend.logBatch(ID, Batch.ofMetrics(rows("loss", 0, 3)));
      backend.endRun(ID, RunStatus.FINISHED, T0);
    }
    Path csv = runDir().resolve("metrics.csv");
    byte[] before = Files.readAllBytes(csv);
    try (FileBackend backend = FileBackend.create(root())) {
      backend.createRun(spec(ID, true));
      backend.logBatch(ID, Batch.ofMetrics(rows("loss", 3, 5)));
      backend.endRun(ID, RunStatus.FINISHED, T0);
    }
    String after = Files.readString(csv);
    assertThat(after).startsWith(new String(before, UTF_8));
    assertThat(after.split(MetricsCsv.HEADER, -1)).hasSize(2);
    assertThat(MetricsCsv.read(csv).metrics()).isEqualTo(rows("loss", 0, 5));
  }

  @Test
  void aNewRunDoesNotReplaceAnExistingFolder() throws IOException {
    try (FileBackend backend = backendWithRun()) {
      backend.logBatch(ID, Batch.ofMetrics(rows("loss", 0, 3)));
      assertThatThrownBy(() -> backend.createRun(spec(ID, false)))
          .isInstanceOf(IOException.class)
          .hasMessage("run " + ID + " already exists in " + runDir() + "; resume it"
              + " (Tracker.builder().resumeRun(\"" + ID + "\")) to log to it again");
      assertThat(backend.metricHistory(ID, "loss")).hasSize(3);
    }
  }

  @Test
  void aLineCutShortByAKilledWriterIsMovedToASideFileBeforeNewRowsAreAppended()
      throws IOException {
    try (FileBackend backend = backendWithRun()) {
      backend.logBatch(ID, Batch.ofMetrics(rows("loss", 0, 2)));
    }
    Path csv = runDir().resolve("metrics.csv");
    Files.writeString(csv, "\"loss\",1.5,17", java.nio.file.StandardOpenOption.APPEND);
    try (FileBackend reader = FileBackend.create(root())) {
      assertThat(reader.metricHistory(ID, "loss")).isEqualTo(rows("loss", 0, 2));
    }
    try (FileBackend backend = FileBackend.create(root())) {
      backend.createRun(spec(ID, true));
      backend.logBatch(ID, Batch.ofMetrics(rows("loss", 2, 4)));
    }
    MetricsCsv.Result result = MetricsCsv.read(csv);
    assertThat(result.metrics()).isEqualTo(rows("loss", 0, 4));
    assertThat(result.problems()).isEmpty();
    assertThat(Files.readString(csv)).startsWith(MetricsCsv.HEADER + "\n").endsWith("\n")
        .hasLineCount(5);
    assertThat(runDir().resolve(TornTail.SIDE_FILE))
        .hasContent(TornTail.SIDE_FILE_HEADER + "\"loss\",1.5,17");
  }

  @Test
  void aCutHeaderIsMovedOutAndTheHeaderWritten() throws IOException {
    Files.createDirectories(runDir());
    try (FileBackend backend = backendWithRun()) {
      backend.logBatch(ID, Batch.ofMetrics(rows("loss", 0, 1)));
    }
    Path csv = runDir().resolve("metrics.csv");
    Files.writeString(csv, "Name,Val");
    try (FileBackend backend = FileBackend.create(root())) {
      backend.createRun(spec(ID, true));
      backend.logBatch(ID, Batch.ofMetrics(rows("loss", 1, 2)));
      backend.createRun(spec(ID, true)); // nothing torn: nothing moved
    }
    assertThat(MetricsCsv.read(csv).metrics()).isEqualTo(rows("loss", 1, 2));
    assertThat(MetricsCsv.read(csv).problems()).isEmpty();
    assertThat(runDir().resolve(TornTail.SIDE_FILE))
        .hasContent(TornTail.SIDE_FILE_HEADER + "Name,Val");
  }

  @Test
  void aLineCutInsideItsStepIsNeverReadAsARowWithAnotherStep() throws IOException {
    try (FileBackend backend = backendWithRun()) {
      backend.logBatch(ID, Batch.ofMetrics(rows("loss", 0, 2)));
    }
    Path csv = runDir().resolve("metrics.csv");
    // the row of step 12, cut after its first digit: ending the line alone would make step 1
    Files.writeString(csv, "\"loss\",6.0," + (T0 + 12) + ",1",
        java.nio.file.StandardOpenOption.APPEND);
    try (FileBackend backend = FileBackend.create(root())) {
      backend.createRun(spec(ID, true));
      backend.logBatch(ID, Batch.ofMetrics(rows("loss", 2, 4)));
    }
    MetricsCsv.Result result = MetricsCsv.read(csv);
    assertThat(result.metrics()).isEqualTo(rows("loss", 0, 4));
    assertThat(result.problems()).isEmpty();
  }

  @Test
  void aFullDiskFailsWithTheFileAndCauseAndNoRowIsLostOnceThereIsRoomAgain()
      throws IOException {
    AtomicBoolean full = new AtomicBoolean();
    FileBackend backend = FileBackend.create(root(), InstantSource.system(),
        channel -> Channels.writingWith(channel, (ch, src) -> {
          if (full.get()) {
            throw new IOException("No space left on device");
          }
          return ch.write(src);
        }));
    backend.createExperiment("exp");
    backend.createRun(spec(ID, false));
    backend.logBatch(ID, Batch.ofMetrics(rows("loss", 0, 2)));
    full.set(true);
    Path csv = runDir().resolve("metrics.csv");
    assertThatThrownBy(() -> backend.logBatch(ID, Batch.ofMetrics(rows("loss", 2, 5))))
        .isInstanceOf(IOException.class)
        .hasMessage("writing " + csv + " failed: No space left on device; 3 rows not yet"
            + " written are kept and written when the file can be written again");
    assertThatThrownBy(backend::flush).isInstanceOf(IOException.class)
        .hasMessage("writing " + csv + " failed: No space left on device; 3 rows not yet"
            + " written are kept and written when the file can be written again");
    full.set(false);
    backend.flush();
    backend.logBatch(ID, Batch.ofMetrics(rows("loss", 5, 6)));
    full.set(true);
    assertThatThrownBy(() -> backend.logBatch(ID, Batch.ofMetrics(rows("loss", 6, 7))))
        .hasMessageEndingWith("1 rows not yet written are kept and written when the file can be"
            + " written again");
    assertThatThrownBy(backend::close).isInstanceOf(IOException.class)
        .hasMessage("writing " + csv + " failed: No space left on device; 1 rows that could not"
            + " be written are lost");
    assertThat(MetricsCsv.read(csv).metrics()).isEqualTo(rows("loss", 0, 6));
  }

  @Test
  void aRunWhoseWriterStoppedWithoutEndingIsReadAsRunningWithItsRows() throws IOException {
    FileBackend writer = backendWithRun();
    writer.logBatch(ID, Batch.ofMetrics(rows("loss", 0, 10)));
    // no endRun, no close: what a killed process leaves
    try (FileBackend reader = FileBackend.create(root())) {
      RunData run = reader.readRun(ID).orElseThrow();
      assertThat(run.info().status()).isEqualTo(RunStatus.RUNNING);
      assertThat(run.info().endTime()).isZero();
      assertThat(run.metrics()).isEqualTo(rows("loss", 0, 10));
    }
    writer.close();
  }

  @Test
  void twoWritersAppendingToOneRunNeverInterleaveInsideALine() throws Exception {
    // Two backends have two file descriptors, as two processes would.
    FileBackend first = backendWithRun();
    FileBackend second = FileBackend.create(root());
    second.createRun(spec(ID, true));
    int batches = 200;
    int rows = 500;
    Thread[] threads = new Thread[2];
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    FileBackend[] backends = {first, second};
    for (int w = 0; w < 2; w++) {
      FileBackend backend = backends[w];
      String key = "writer-" + w + "/with a long name to make lines long";
      threads[w] = new Thread(() -> {
        try {
          for (int b = 0; b < batches; b++) {
            backend.logBatch(ID, Batch.ofMetrics(rows(key, b * rows, (b + 1) * rows)));
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      });
      threads[w].start();
    }
    for (Thread t : threads) {
      t.join(60_000);
    }
    first.close();
    second.close();
    assertThat(failures).isEmpty();
    MetricsCsv.Result result = MetricsCsv.read(runDir().resolve("metrics.csv"));
    assertThat(result.problems()).isEmpty();
    assertThat(result.tornLastLine()).isFalse();
    for (int w = 0; w < 2; w++) {
      String key = "writer-" + w + "/with a long name to make lines long";
      assertThat(result.metrics().stream().filter(m -> m.key().equals(key)).toList())
          .isEqualTo(rows(key, 0, batches * rows));
    }
  }

  @Test
  void twoWritersOfOneRunMergeTheirParamsAndTags() throws IOException {
    try (FileBackend first = backendWithRun(); FileBackend second = FileBackend.create(root())) {
      second.createRun(spec(ID, true));
      first.logBatch(ID, new Batch(List.of(), List.of(new Param("a", "1")),
          List.of(new Tag("from", "first"), new Tag("x", "1"))));
      second.logBatch(ID, new Batch(List.of(), List.of(new Param("b", "2")),
          List.of(new Tag("from", "second"))));
      RunData run = first.readRun(ID).orElseThrow();
      assertThat(run.params()).containsEntry("a", "1").containsEntry("b", "2");
      assertThat(run.tags()).containsEntry("from", "second").containsEntry("x", "1");
    }
  }

  // ------------------------------------------------------------------------------ unsafe YAML

  @Test
  void aParamsFileWithAClassTagIsRejectedNamingTheFile() throws IOException {
    backendWithRun().close();
    Path params = runDir().resolve("params.yaml");
    Files.writeString(params, "lr: !!javax.script.ScriptEngineManager"
        + " [!!java.net.URLClassLoader [[!!java.net.URL [\"http://localhost:1/\"]]]]\n");
    try (FileBackend reader = FileBackend.create(root())) {
      assertThatThrownBy(() -> reader.readRun(ID))
          .isInstanceOf(IOException.class)
          .hasMessage(params + " was rejected: Global tag is not allowed:"
              + " tag:yaml.org,2002:javax.script.ScriptEngineManager (line 1, column 5)");
    }
  }

  @Test
  void aGlobalTagIsRejected() throws IOException {
    backendWithRun().close();
    Path params = runDir().resolve("params.yaml");
    Files.writeString(params, "lr: !<tag:example.com,2024:Evil> x\n");
    try (FileBackend reader = FileBackend.create(root())) {
      assertThatThrownBy(() -> reader.readRun(ID))
          .isInstanceOf(IOException.class)
          .hasMessage(params + " was rejected: could not determine a constructor for the tag"
              + " tag:example.com,2024:Evil (line 1, column 5)");
    }
  }

  @Test
  void anAliasBombIsRejectedNamingTheFile() throws IOException {
    backendWithRun().close();
    Path params = runDir().resolve("params.yaml");
    StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    char prev = 'a';
    for (char c = 'b'; c <= 'j'; c++) {
      bomb.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        bomb.append(i == 0 ? "" : ",").append('*').append(prev);
      }
      bomb.append("]\n");
      prev = c;
    }
    Files.writeString(params, bomb);
    try (FileBackend reader = FileBackend.create(root())) {
      assertThatThrownBy(() -> reader.readRun(ID))
          .isInstanceOf(IOException.class)
          .hasMessage(params + " was rejected: Number of aliases for non-scalar nodes exceeds"
              + " the specified max=20");
    }
  }

  @Test
  void anUnsafeParamsFileIsNeitherReadNorOverwrittenWhenLogging() throws IOException {
    FileBackend backend = backendWithRun();
    Path params = runDir().resolve("params.yaml");
    String evil = "x: !!java.io.File [\"/etc/passwd\"]\n";
    Files.writeString(params, evil);
    assertThatThrownBy(() -> backend.logBatch(ID, new Batch(rows("loss", 0, 1),
        List.of(new Param("lr", "0.1")), List.of())))
        .isInstanceOf(IOException.class)
        .hasMessage(params + " was rejected: Global tag is not allowed:"
            + " tag:yaml.org,2002:java.io.File (line 1, column 4)");
    backend.close();
    assertThat(params).hasContent(evil);
    assertThat(MetricsCsv.read(runDir().resolve("metrics.csv")).metrics()).hasSize(1);
  }

  @Test
  void paramsFilesThatAreNotFlatMappingsAreRejected() throws IOException {
    backendWithRun().close();
    Path params = runDir().resolve("params.yaml");
    try (FileBackend reader = FileBackend.create(root())) {
      Files.writeString(params, "- a\n- b\n");
      assertThatThrownBy(() -> reader.readRun(ID)).isInstanceOf(IOException.class)
          .hasMessage(params + " was rejected: expected a YAML mapping but was a sequence");
      Files.writeString(params, "opt:\n  lr: 0.1\n");
      assertThatThrownBy(() -> reader.readRun(ID)).isInstanceOf(IOException.class)
          .hasMessage(params + " was rejected: param 'opt' must be a scalar but was a mapping");
      Files.writeString(params, "a: 1\na: 2\n");
      assertThatThrownBy(() -> reader.readRun(ID)).isInstanceOf(IOException.class)
          .hasMessage(params + " was rejected: found duplicate key a (line 2, column 1)");
    }
  }

  @Test
  void runYamlWithAnUnknownStatusIsRejectedByReadRunAndSkippedByListRuns() throws IOException {
    backendWithRun().close();
    Path runYaml = runDir().resolve("run.yaml");
    Files.writeString(runYaml, Files.readString(runYaml).replace("RUNNING", "EXPLODED"));
    try (FileBackend reader = FileBackend.create(root())) {
      assertThatThrownBy(() -> reader.readRun(ID)).isInstanceOf(IOException.class)
          .hasMessage(runYaml + " was rejected: status must be one of RUNNING, FINISHED,"
              + " FAILED, KILLED but was 'EXPLODED'");
      assertThat(reader.listRuns("exp")).isEmpty();
    }
  }

  // ------------------------------------------------------------------------------ artifacts

  @Test
  void artifactsAreCopiedByteForByteAndTextIsUtf8() throws IOException {
    byte[] content = new byte[100_000];
    new java.util.Random(1).nextBytes(content);
    Path source = Files.write(tmp.resolve("weights.bin"), content);
    try (FileBackend backend = backendWithRun()) {
      backend.logArtifact(ID, source, "models/weights.bin");
      backend.logArtifact(ID, "ünï\n".getBytes(UTF_8), "notes.txt");
      assertThat(backend.readRun(ID).orElseThrow().artifacts())
          .containsExactly("models/weights.bin", "notes.txt");
    }
    assertThat(runDir().resolve("artifacts/models/weights.bin")).hasBinaryContent(content);
    assertThat(runDir().resolve("artifacts/notes.txt")).hasContent("ünï\n");
  }

  @Test
  void anArtifactNamedAsNoServerWouldStoreItStaysReadable() throws IOException {
    try (FileBackend backend = backendWithRun()) {
      Files.writeString(runDir().resolve("artifacts/report #1%41.txt"), "from before");
      assertThat(backend.readRun(ID).orElseThrow().artifacts())
          .containsExactly("report #1%41.txt");
      try (InputStream in = backend.openArtifact(ID, "report #1%41.txt")) {
        assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("from before");
      }
    }
  }

  @Test
  void artifactPathsThatLeaveTheArtifactsFolderAreRejected() throws IOException {
    Path source = Files.writeString(tmp.resolve("a.txt"), "a");
    try (FileBackend backend = backendWithRun()) {
      Map<String, String> problems = new LinkedHashMap<>();
      problems.put("../x", "no '..' segment");
      problems.put("a/../../x", "no '..' segment");
      problems.put("/etc/x", "no leading '/'");
      problems.put("..", "no '..' segment");
      problems.put("a//b", "no doubled '/'");
      problems.put("./x", "no '.' segment");
      problems.put("a/", "no trailing '/'");
      problems.put("C:/x", "no drive or NUL");
      problems.forEach((path, problem) -> assertThatThrownBy(
          () -> backend.logArtifact(ID, source, path))
          .as(path)
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("artifact path must be a relative path inside the run's artifacts ("
              + problem + ") but was '" + path + "'"));
      assertThatThrownBy(() -> backend.logArtifact(ID, source, ""))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("artifact path must not be empty");
    }
    assertThat(tmp.resolve("runs/exp/x")).doesNotExist();
    assertThat(runDir().resolve("x")).doesNotExist();
  }

  @Test
  void aSymbolicLinkInsideTheArtifactsFolderCannotLeadOutside() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path source = Files.writeString(tmp.resolve("a.txt"), "a");
    try (FileBackend backend = backendWithRun()) {
      Path link = runDir().resolve("artifacts/link");
      assumeTrue(symlink(link, outside), "symbolic links are not supported here");
      assertThatThrownBy(() -> backend.logArtifact(ID, source, "link/sub/a.txt"))
          .isInstanceOf(IOException.class)
          .hasMessage("artifact path 'link/sub/a.txt' leads outside the run's artifacts folder"
              + " through the symbolic link " + runDir().toRealPath().resolve("artifacts/link")
              + " (to " + outside.toRealPath() + ")");
      Path fileLink = runDir().resolve("artifacts/passwd");
      symlink(fileLink, Files.writeString(outside.resolve("secret"), "keep"));
      assertThatThrownBy(() -> backend.logArtifact(ID, source, "passwd"))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("artifact path 'passwd' leads outside the run's artifacts"
              + " folder through the symbolic link");
    }
    try (Stream<Path> files = Files.list(outside)) {
      assertThat(files).containsExactly(outside.resolve("secret"));
    }
    assertThat(outside.resolve("secret")).hasContent("keep");
  }

  @Test
  void anArtifactsFolderThatIsALinkToOutsideIsRejected() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path source = Files.writeString(tmp.resolve("a.txt"), "a");
    try (FileBackend backend = backendWithRun()) {
      Path artifacts = runDir().resolve("artifacts");
      Files.delete(artifacts);
      assumeTrue(symlink(artifacts, outside), "symbolic links are not supported here");
      assertThatThrownBy(() -> backend.logArtifact(ID, source, "a.txt"))
          .isInstanceOf(IOException.class)
          .hasMessage("the artifacts folder " + artifacts + " is a symbolic link to outside the"
              + " run folder (" + outside.toRealPath() + ")");
    }
    try (Stream<Path> files = Files.list(outside)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void anArtifactsFolderThatIsALinkToOutsideIsNotReadThrough() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "s");
    try (FileBackend backend = backendWithRun()) {
      Path artifacts = runDir().resolve("artifacts");
      Files.delete(artifacts);
      assumeTrue(symlink(artifacts, outside), "symbolic links are not supported here");
      assertThatThrownBy(() -> backend.openArtifact(ID, "secret.txt"))
          .isExactlyInstanceOf(IOException.class)
          .hasMessage("artifact path 'secret.txt' leads outside the run's artifacts folder"
              + " through the symbolic link " + artifacts.resolve("secret.txt") + " (to "
              + outside.toRealPath().resolve("secret.txt") + ")");
    }
  }

  @Test
  void aSourceThatIsNotARegularFileIsRejected() throws IOException {
    try (FileBackend backend = backendWithRun()) {
      Path missing = tmp.resolve("missing.bin");
      assertThatThrownBy(() -> backend.logArtifact(ID, missing, "m.bin"))
          .isInstanceOf(IOException.class)
          .hasMessage("artifact source must be a regular file but " + missing
              + " does not exist");
      assertThatThrownBy(() -> backend.logArtifact(ID, tmp, "m.bin"))
          .isInstanceOf(IOException.class)
          .hasMessage("artifact source must be a regular file but " + tmp + " is a folder");
    }
  }

  private static boolean symlink(Path link, Path target) {
    try {
      Files.createSymbolicLink(link, target);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------------------ ids, lifecycle

  @Test
  void runIdsThatCannotBeFolderNamesAreRejected() throws IOException {
    try (FileBackend backend = FileBackend.create(root())) {
      backend.createExperiment("exp");
      assertThatThrownBy(() -> backend.createRun(spec("../../etc", false)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("run id must be 1 to 128 letters, digits, '_' or '-' (Tracker's ids are 32"
              + " lowercase hex characters) but was '../../etc'");
      assertThat(backend.readRun("../../etc")).isEmpty();
      assertThat(backend.metricHistory("..", "loss")).isEmpty();
    }
  }

  @Test
  void loggingToARunThatWasNeverCreatedFails() throws IOException {
    try (FileBackend backend = FileBackend.create(root())) {
      assertThatThrownBy(() -> backend.logBatch(ID, Batch.ofMetrics(rows("loss", 0, 1))))
          .isInstanceOf(IOException.class)
          .hasMessage("no run " + ID + " under " + root()
              + " (the run was not created, or creating it failed)");
    }
  }

  @Test
  void writingAfterCloseFailsAndReadingStillWorks() throws IOException {
    FileBackend backend = backendWithRun();
    backend.logBatch(ID, Batch.ofMetrics(rows("loss", 0, 3)));
    backend.close();
    backend.close();
    assertThatThrownBy(() -> backend.logBatch(ID, Batch.ofMetrics(rows("loss", 3, 4))))
        .isInstanceOf(IOException.class)
        .hasMessage("file:" + root() + " is closed");
    assertThat(backend.metricHistory(ID, "loss")).hasSize(3);
  }

  @Test
  void aRootThatIsAFileIsRejected() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertThatThrownBy(() -> FileBackend.create(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the file backend's root must be a folder but " + file + " is a file");
  }

  // ------------------------------------------------------------------------------ listing

  @Test
  void experimentsAreListedWithTheirCreationTimeEvenWithoutOrWithBrokenExperimentYaml()
      throws IOException {
    try (FileBackend backend = FileBackend.create(root(), () -> Instant.ofEpochMilli(T0),
        c -> c)) {
      backend.createExperiment("b");
      backend.createExperiment("a");
      backend.createRun(new RunSpec(ID, "c", "c", "r", T0, Map.of(), null, false));
    }
    Files.delete(root().resolve("c/experiment.yaml"));
    Files.writeString(root().resolve("b/experiment.yaml"), "id: !!java.io.File [x]\n");
    Files.createDirectories(root().resolve("not an experiment"));
    try (FileBackend reader = FileBackend.create(root())) {
      assertThat(reader.listExperiments()).containsExactly(
          new ExperimentInfo("a", "a", T0),
          new ExperimentInfo("b", "b", 0),
          new ExperimentInfo("c", "c", 0));
    }
  }

  @Test
  void nothingIsListedUnderARootThatDoesNotExist() throws IOException {
    try (FileBackend reader = FileBackend.create(tmp.resolve("nowhere"))) {
      assertThat(reader.listExperiments()).isEmpty();
      assertThat(reader.listRuns("x")).isEmpty();
      assertThat(reader.readRun(ID)).isEmpty();
    }
    assertThat(tmp.resolve("nowhere")).doesNotExist();
  }

  @Test
  void aRunIsFoundByIdInAnyExperiment() throws IOException {
    try (FileBackend backend = FileBackend.create(root())) {
      backend.createRun(new RunSpec(ID, "other", "other", "r", T0, Map.of(), null, false));
      backend.endRun(ID, RunStatus.FINISHED, T0 + 1);
    }
    try (FileBackend reader = FileBackend.create(root())) {
      RunInfo info = reader.readRun(ID).orElseThrow().info();
      assertThat(info).isEqualTo(new RunInfo(ID, "r", "other", "other", RunStatus.FINISHED, T0,
          T0 + 1, null));
    }
  }

  @Test
  void describeNamesTheRoot() {
    assertThat(FileBackend.create(Path.of("runs")).describe()).isEqualTo("file:runs");
    assertThat(FileBackend.create(Path.of("runs")).toString()).isEqualTo("FileBackend{file:runs}");
  }

  @Test
  void binaryValuesEarlierVersionsWroteForControlCharactersReadAsTheirText() throws IOException {
    try (FileBackend backend = backendWithRun()) {
      backend.logBatch(ID, new Batch(List.of(), List.of(new Param("esc", "\u001b[31m")),
          List.of(new Tag("nul", "a\0b"))));
    }
    Files.writeString(runDir().resolve("params.yaml"), "esc: !!binary |-\n  G1szMW0=\n");
    String runYaml = Files.readString(runDir().resolve("run.yaml"));
    assertThat(runYaml).contains("nul: \"a\\0b\"");
    Files.writeString(runDir().resolve("run.yaml"),
        runYaml.replace("nul: \"a\\0b\"", "nul: !!binary |-\n    YQBi"));
    try (FileBackend reader = FileBackend.create(root())) {
      RunData run = reader.readRun(ID).orElseThrow();
      assertThat(run.params()).containsExactly(Map.entry("esc", "\u001b[31m"));
      assertThat(run.tags()).containsEntry("nul", "a\0b");
    }
  }

  @Test
  void aLoggedDirectoryFollowsNoSymbolicLinkThatLeavesIt() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(dir.resolve("a.txt"), "inside");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/b.txt"), "inside too");
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "outside");
    Files.createSymbolicLink(dir.resolve("link-in"), dir.resolve("a.txt"));
    Files.createSymbolicLink(dir.resolve("link-out"), secret);
    Files.createSymbolicLink(dir.resolve("relative-out"), Path.of("../secret.txt"));
    Files.createSymbolicLink(dir.resolve("dir-out"), tmp);
    Files.createSymbolicLink(dir.resolve("dangling"), tmp.resolve("nothing"));
    String id;
    try (Tracker tracker = tracker(); Run run = tracker.experiment("links").startRun("r")) {
      id = run.id();
      run.logArtifact(dir, "model");
    }
    try (FileBackend reader = FileBackend.create(root())) {
      assertThat(reader.readRun(id).orElseThrow().artifacts()).containsExactly(
          "model/a.txt", "model/link-in", "model/sub/b.txt");
      try (var in = reader.openArtifact(id, "model/link-in")) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("inside");
      }
    }
  }

  @Test
  void aFileSystemFailureKeepsItsKindInTheMessage() throws IOException {
    Files.createDirectories(root());
    Files.writeString(root().resolve("blocked"), "a file where the experiment's folder goes");
    Tracker tracker = tracker();
    tracker.experiment("blocked").startRun("r");
    assertThatThrownBy(tracker::flush)
        .isInstanceOf(dev.tracker.TrackerException.class)
        .hasMessageContaining("failed on file:" + root() + ": FileAlreadyExistsException: "
            + root().resolve("blocked"));
    assertThatThrownBy(tracker::close) // ending the run that could not be created fails too
        .isInstanceOf(dev.tracker.TrackerException.class);
  }

  @Test
  void typedParamKeepsOnlyCanonicalForms() {
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("1", 1L);
    expected.put("-0", "-0");
    expected.put("01", "01");
    expected.put("1.0", 1.0);
    expected.put("1.", "1.");
    expected.put("1.5e3", "1.5e3");
    expected.put("1500.0", 1500.0);
    expected.put("0x10", "0x10");
    expected.put("TRUE", "TRUE");
    expected.put("false", false);
    expected.put("Infinity", "Infinity");
    expected.put("NaN", "NaN");
    expected.put("1d", "1d");
    expected.forEach((text, typed) -> assertThat(RunYaml.typedParam(text)).as(text)
        .isEqualTo(typed));
  }

  // ------------------------------------------------------------------------------ system metrics

  @Test
  void systemMetricsLeaveSystemRowsInMetricsCsvAndContextTagsInRunYaml() throws IOException {
    String runId;
    try (Tracker tracker = Tracker.builder().uri("file:" + root()).shutdownHook(false)
            .systemProperties(k -> null).environment(k -> null).seed(7)
            .systemMetrics(true).systemMetricsInterval(java.time.Duration.ofMillis(100)).build();
        Run run = tracker.experiment("exp").startRun("sys")) {
      runId = run.id();
      run.logMetric("loss", 1.0);
      // the first sample is taken on the sampler's thread as the run starts: wait until it is in
      Path csv = root().resolve("exp").resolve(runId).resolve("metrics.csv");
      long deadline = System.nanoTime() + 10_000_000_000L;
      do {
        tracker.flush(); // waits on the dispatcher: no busy spin
      } while (!Files.readString(csv).contains("system/jvm_heap_used_megabytes")
          && System.nanoTime() < deadline);
    }
    Path dir = root().resolve("exp").resolve(runId);
    String csv = Files.readString(dir.resolve("metrics.csv"));
    assertThat(csv).contains("\"system/disk_usage_percentage\",")
        .contains("\"system/jvm_heap_used_megabytes\",").contains("\"loss\",1");
    assertThat(Files.readString(dir.resolve("run.yaml")))
        .contains("tracker.host.name").contains("tracker.jvm.version");
    assertThat(dir.resolve("artifacts").resolve("tracker.dependencies.txt")).isRegularFile();
  }

  @Test
  void theLocalDirectoryIsTheRootSoDiskUsageIsMeasuredWhereRunsAreWritten() {
    assertThat(FileBackend.create(root()).localDirectory()).contains(root());
  }

  // ------------------------------------------------------------------------------ reading artifacts

  @Test
  void openArtifactReadsTheBytesUnderTheArtifactsFolderOnly() throws IOException {
    FileBackend backend = backendWithRun();
    backend.logArtifact(ID, "w1,w2\n".getBytes(UTF_8), "model/weights.csv");
    try (java.io.InputStream in = backend.openArtifact(ID, "model/weights.csv")) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("w1,w2\n");
    }
    assertThatThrownBy(() -> backend.openArtifact(ID, "model/missing.csv"))
        .isInstanceOf(java.io.FileNotFoundException.class).hasMessageContaining("model/missing.csv");
    assertThatThrownBy(() -> backend.openArtifact("00000000000000000000000000000000", "a"))
        .isInstanceOf(java.io.FileNotFoundException.class).hasMessageContaining("no run");
    assertThatThrownBy(() -> backend.openArtifact(ID, "../run.yaml"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../run.yaml'");
    Path outside = Files.writeString(tmp.resolve("secret.txt"), "s");
    try {
      Files.createSymbolicLink(runDir().resolve("artifacts/link.txt"), outside);
    } catch (UnsupportedOperationException | IOException e) {
      return; // no symbolic links on this file system
    }
    assertThatThrownBy(() -> backend.openArtifact(ID, "link.txt"))
        .isInstanceOf(IOException.class).hasMessageContaining("leads outside");
  }

  // ------------------------------------------------------------------------------ resuming

  @Test
  void aResumedRunGoesOnWithTheSeedItRecorded() throws IOException {
    String id;
    long seed;
    try (Tracker first = Tracker.builder().uri("file:" + root()).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null).build();
        Run run = first.experiment("exp").startRun("r")) {
      id = run.id();
      seed = run.seeds().root();
      run.logMetric("loss", 1.0, 0);
    }
    try (Tracker second = Tracker.builder().uri("file:" + root()).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null)
        .resumeRun(id).build()) {
      Run run = second.experiment("exp").startRun("r");
      assertThat(run.seeds().root()).isEqualTo(seed);
      run.logMetric("loss", 0.5, 1);
      run.close();
      second.flush(); // no conflict: the seed param is logged again with the same value
    }
    RunData data = FileBackend.create(root()).readRun(id).orElseThrow();
    assertThat(data.params()).containsEntry("seed", Long.toString(seed));
    assertThat(data.metrics()).extracting(Metric::step).containsExactly(0L, 1L);
  }
}
