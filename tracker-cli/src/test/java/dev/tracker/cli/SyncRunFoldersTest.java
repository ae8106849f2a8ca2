package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.RunStatus;
import dev.tracker.file.FileBackend;
import dev.tracker.testing.RecordingBackend;
import dev.tracker.testing.ForwardingBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tracker sync} of a runs folder. Run folders edited or broken by hand: the broken run is
 * named with its file and the rule, nothing of it is sent, the other runs are synced, and the
 * sync exits 3. Two syncs of one folder to one server at once would each create the runs and
 * send every point: the second stops, naming the lock the first holds.
 */
class SyncRunFoldersTest {
  private static final String TO = SyncTest.TO;

  @TempDir Path root;
  @TempDir Path journals;
  private final RecordingBackend server = new RecordingBackend();
  private SyncTest.Target target;

  @BeforeEach
  void threeRuns() throws IOException {
    try (FileBackend b = Fixtures.threeRuns(FileBackend.create(root))) {
      b.flush();
    }
    target = new SyncTest.Target(server, journals);
  }

  private Path runFolder(String id) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(p -> p.getFileName().toString().equals(id)).findFirst().orElseThrow();
    }
  }

  private Harness.Result sync(String... runs) {
    String[] args = Stream.concat(Stream.of("sync", "--to", TO), Stream.of(runs))
        .toArray(String[]::new);
    return new Harness(uri -> uri.toString().equals(TO) ? target : FileBackend.create(root))
        .run(args);
  }

  private String cannotSyncB(String file) {
    return "tracker sync: cannot sync lr-0.1 (b2c3d4e5) from file:" + root + ": " + file + ": ";
  }

  /** Without a runs folder, {@code tracker sync --to} pushes the journal and says so. */
  @Test
  void withoutARunsFolderTheSyncOfTheJournalEndsWell() {
    Path missing = root.resolve("nothing-here");

    Harness.Result r = new Harness(uri -> uri.toString().equals(TO) ? target
        : FileBackend.create(missing)).run("sync", "--to", TO);

    assertThat(r.err()).isEqualTo("no runs folder file:" + missing + " to sync (give one with"
        + " --from); the journal for " + TO + " is synced\n");
    assertThat(r.code()).isZero();
    assertThat(missing).doesNotExist();
    assertThat(server.runIds()).isEmpty();
  }

  @Test
  void aParamOverMlflowsLengthIsNamedWithItsFileAndTheOtherRunsAreSynced() throws IOException {
    Files.writeString(runFolder(Fixtures.B).resolve(FileBackend.PARAMS_FILE),
        "lr: 0.1\nnote: " + "x".repeat(6001) + "\n", StandardCharsets.UTF_8);

    Harness.Result r = sync();

    assertThat(r.code()).isEqualTo(TrackerCli.DATA_ERROR);
    assertThat(r.err()).isEqualTo(cannotSyncB("params.yaml") + "param 'note' value must be at"
        + " most 6000 characters but was 6001 characters; left out\n");
    assertThat(r.out()).isEqualTo("""
        lr-0.5 (c3d4e5f6) -> 00000001: created, 3 params, 2 tags, 3 metric points, FAILED
        lr-0.01 (a1b2c3d4) -> 00000002: created, 3 params, 2 tags, 6 metric points, FINISHED
        Synced 2 runs to http://mlflow:5000: 2 created, 9 metric points
        """);
    assertThat(server.runIds()).hasSize(2);
  }

  @Test
  void aTagMlflowRefusesIsNamedWithItsFileAndNothingOfTheRunIsSent() throws IOException {
    Path runYaml = runFolder(Fixtures.B).resolve(FileBackend.RUN_FILE);
    Files.writeString(runYaml, Files.readString(runYaml).replace("tags:",
        "tags:\n  'bad key!': v"), StandardCharsets.UTF_8);

    Harness.Result r = sync("lr-0.1");

    assertThat(r.code()).isEqualTo(TrackerCli.DATA_ERROR);
    assertThat(r.err()).isEqualTo(cannotSyncB("run.yaml") + "tag key must match"
        + " [\\w./ :-]{1,250} but was 'bad key!'; left out\n");
    assertThat(r.out()).isEqualTo("Nothing new synced to http://mlflow:5000; 1 run left out\n");
    assertThat(server.runIds()).isEmpty();
  }

  @Test
  void aMetricsFileWithFewerRowsThanWereSentIsNamedAndTheOtherRunsAreSynced()
      throws IOException {
    assertThat(sync().code()).isZero();
    Path metrics = runFolder(Fixtures.B).resolve("metrics.csv");
    List<String> rows = Files.readAllLines(metrics);
    Files.write(metrics, rows.subList(0, 3)); // the header and 2 of 6 rows
    try (FileBackend b = FileBackend.create(root)) {
      Fixtures.run(b, "iris", "e5f60718293a4b5c6d7e8f90a1b2c3d4", "new-run", Fixtures.T0, 10,
          RunStatus.FINISHED, Map.of(), Map.of("loss", new double[] {0.5}));
    }

    Harness.Result r = sync();

    assertThat(r.code()).isEqualTo(TrackerCli.DATA_ERROR);
    assertThat(r.err()).isEqualTo("tracker sync: cannot sync lr-0.1 (b2c3d4e5) from file:"
        + root + ": metrics.csv has 2 metric points but 6 were sent to http://mlflow:5000"
        + " before; remove the tag tracker.sync.mlflow_5000.metrics from run.yaml to send them"
        + " all again; left out\n");
    assertThat(r.out()).contains("lr-0.5 (c3d4e5f6) -> 00000001: up to date\n")
        .contains("new-run (e5f60718) -> 00000004: created");
  }

  @Test
  void aMetricsFileChangedBeforeThePointsSentIsNamedNotSentFromTheWrongRow() throws IOException {
    assertThat(sync().code()).isZero();
    // a row added before the last one sent (a skipped row mended by hand): counting alone
    // would send the last row again and never the new one
    Path metrics = runFolder(Fixtures.B).resolve("metrics.csv");
    List<String> rows = new ArrayList<>(Files.readAllLines(metrics));
    rows.add(1, rows.get(1).replaceAll(",[0-9]+$", ",99"));
    Files.write(metrics, rows);

    Harness.Result r = sync("lr-0.1");

    assertThat(r.code()).isEqualTo(TrackerCli.DATA_ERROR);
    assertThat(r.err()).isEqualTo("tracker sync: cannot sync lr-0.1 (b2c3d4e5) from file:"
        + root + ": metrics.csv changed before its 6 metric points sent to http://mlflow:5000"
        + " (point 6 is not the one sent); remove the tags tracker.sync.mlflow_5000.metrics and"
        + " tracker.sync.mlflow_5000.metrics_last from run.yaml to send them all again; left"
        + " out\n");
    assertThat(server.metrics(target.serverId(Fixtures.B))).hasSize(6);
  }

  @Test
  void aRunTheReaderRejectsIsNamedAndTheOtherRunsAreSynced() throws IOException {
    Path params = runFolder(Fixtures.B).resolve(FileBackend.PARAMS_FILE);
    Files.writeString(params, "lr: !!java.io.File /etc/passwd\n", StandardCharsets.UTF_8);

    Harness.Result r = sync();

    assertThat(r.code()).isEqualTo(TrackerCli.DATA_ERROR);
    assertThat(r.err()).startsWith("tracker sync: cannot read run " + Fixtures.B + " (lr-0.1) in"
        + " file:" + root + ": " + params + " was rejected: Global tag is not allowed:")
        .endsWith("; left out\n");
    assertThat(r.out()).endsWith("Synced 2 runs to http://mlflow:5000: 2 created, 9 metric"
        + " points\n");
    assertThat(server.runIds()).hasSize(2);
  }

  @Test
  void anArtifactThatCannotBeReadIsNamedAndTheOtherRunsAreSynced() throws IOException {
    Path weights = runFolder(Fixtures.B).resolve("artifacts").resolve("weights.bin");
    Files.writeString(weights, "w");
    Harness h = new Harness(uri -> uri.toString().equals(TO) ? target
        : new ForwardingBackend(FileBackend.create(root)) {
          @Override
          public InputStream openArtifact(String runId, String path) throws IOException {
            throw new AccessDeniedException(weights.toString());
          }
        });

    Harness.Result r = h.run("sync", "--to", TO);

    assertThat(r.code()).isEqualTo(TrackerCli.DATA_ERROR);
    assertThat(r.err()).isEqualTo("tracker sync: cannot read artifact weights.bin of lr-0.1"
        + " (b2c3d4e5) in file:" + root + ": AccessDeniedException: " + weights
        + "; left out\n");
    assertThat(r.out()).endsWith("Synced 2 runs to http://mlflow:5000: 2 created, 9 metric"
        + " points\n");
    assertThat(server.runIds()).hasSize(2);
  }

  @Test
  void aSecondSyncOfTheSameRunsToTheSameServerStopsWhileTheFirstRuns() throws IOException {
    Path lockFile = root.resolve(".tracker-sync.mlflow_5000.lock");
    try (FileChannel first = FileChannel.open(lockFile, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock held = first.lock()) {
      Harness.Result second = sync();

      assertThat(second.code()).isEqualTo(TrackerCli.BACKEND_ERROR);
      assertThat(second.err()).isEqualTo("tracker sync: another tracker sync to"
          + " http://mlflow:5000 from file:" + root + " is running (it holds " + lockFile
          + "); run this one once it has ended\n");
      assertThat(second.out()).isEmpty();
      assertThat(server.runIds()).isEmpty();
    }

    Harness.Result after = sync();

    assertThat(after.code()).as(after.err()).isZero();
    assertThat(server.runIds()).hasSize(3);
    assertThat(sync().out()).startsWith("lr-0.5 (c3d4e5f6) -> 00000001: up to date\n");
  }
}
