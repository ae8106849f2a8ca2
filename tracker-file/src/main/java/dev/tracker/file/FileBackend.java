package dev.tracker.file;

import dev.tracker.DatasetInput;
import dev.tracker.ExperimentInfo;
import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.ModelStore;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records runs as plain files, the layout of the DAGsHub logger, and reads them back.
 *
 * <pre>
 * runs/                          the root: file:./runs by default
 *   iris/                        one folder per experiment (its name, made safe)
 *     experiment.yaml            id, name, created (ms)
 *     3f2a…e41c/                 one folder per run, named by its id (32 lowercase hex characters)
 *       run.yaml                 id, name, experiment, status, start_time, end_time (ms), parent,
 *                                source, tags
 *       params.yaml              flat mapping key: value
 *       metrics.csv              Name,Value,Timestamp,Step (see {@link MetricsCsv})
 *       inputs.yaml              the data sets the run used (name, digest, source, size, ...)
 *       artifacts/               logged files under their artifact paths
 *   models/iris/                 the model registry: version-1.yaml, …, aliases.yaml (see
 *                                {@link #modelStore()})
 * </pre>
 *
 * <p>Obtain one through {@code Tracker.create()} with a {@code file:} URI (see {@link
 * FileBackendProvider}) or directly with {@link #create(Path)}.
 *
 * <h2>Files</h2>
 *
 * <ul>
 *   <li>{@code params.yaml}: a param whose string is the canonical form of a long, a double or a
 *       boolean ({@code 50}, {@code 0.1}, {@code true}) is written typed; any other stays a
 *       string ({@code NaN} and {@code Infinity} too), quoted or escaped so that every YAML
 *       reader reads it back exactly. Reading gives back the exact strings that were logged.
 *   <li>YAML files are replaced atomically (temporary file in the same folder, forced to disk, then
 *       renamed) and read with SnakeYAML's {@code SafeConstructor} and limits on aliases, nesting
 *       and size: a file with a tag that would instantiate a class, or an alias bomb, is rejected
 *       with an {@link IOException} naming the file.
 *   <li>{@code metrics.csv} is append-only: rows are only ever added at the end of the file, never
 *       rewritten, and the header is written only when the file is empty.
 *   <li>Artifacts are copied under {@code artifacts/} (copy to a temporary file, then rename). A
 *       path that would leave the run's artifacts folder, lexically ({@code ../x}, an absolute
 *       path) or through a symbolic link, is rejected.
 * </ul>
 *
 * <h2>Crashes and concurrent writers</h2>
 *
 * <ul>
 *   <li><b>Whole-line appends.</b> Each batch of metric rows is encoded in memory as complete lines
 *       and written with one {@code write} call on a file opened in append mode ({@code
 *       O_APPEND}). The operating system moves the end of the file and writes the bytes as one
 *       step, so two processes appending to the same run (a resumed run) never interleave inside
 *       a line. This holds on local file systems; network file systems such as NFS do not honour
 *       {@code O_APPEND} across machines.
 *   <li><b>Killed process.</b> Every row of every batch written before the kill is intact; a
 *       batch cut short leaves at most one unterminated last line, which readers skip. When the
 *       run is resumed, that line is moved out of the file into {@code metrics.csv.torn}
 *       first, so that new rows start on their own line, the cut row can never read as a row
 *       with other digits, and the file stays a clean CSV for every reader. The run's {@code
 *       run.yaml} still says {@code RUNNING}: a run whose process died is shown as {@code RUNNING}
 *       (there is no reliable way to tell it from a live run in another process).
 *   <li><b>Full disk, read-only file system.</b> When a write of rows fails, {@link #logBatch}
 *       and {@link #flush()} throw an {@link IOException} naming {@code metrics.csv} and the
 *       cause. The rows not written (the rest of a row cut short included) are kept in memory,
 *       up to 16 MiB, and written first by the next batch or flush: once the file can be written
 *       again, nothing is lost and no line is cut. Rows still kept at {@link #close()} are lost,
 *       and the exception says how many.
 *   <li><b>Params and tags</b> are merged into {@code params.yaml} and {@code run.yaml} under a
 *       lock (a {@code .lock} file in the run folder, locked with the operating system's file
 *       lock), so processes sharing a run add to each other's params and tags. A param already
 *       present with another value is not changed (params are write-once): the batch fails with
 *       an {@link IOException} naming the key, after everything else in it was written. Params
 *       and tags whose file could not be written are kept and written first by the next merge
 *       or flush, as rows are.
 * </ul>
 *
 * <p>File handles of active runs stay open between batches; {@link #flush()} forces their rows to
 * disk; {@link #endRun} and {@link #close()} close them.
 *
 * <h2>Reading</h2>
 *
 * The reading methods work on any root, also while other processes write to it, and after {@link
 * #close()}. {@link #readRun} and {@link #metricHistory} throw when a run's YAML is invalid or
 * unsafe; the listing methods skip such entries with a WARN. Metric rows that cannot be read are
 * skipped and reported ({@link MetricsCsv}).
 *
 * <p>Writing methods are called by one thread at a time (a tracker's dispatcher).
 */
public final class FileBackend implements TrackingBackend {
  /** The experiment's description in its folder. */
  public static final String EXPERIMENT_FILE = "experiment.yaml";
  /** The run's description in its folder. */
  public static final String RUN_FILE = "run.yaml";
  /** The run's params. */
  public static final String PARAMS_FILE = "params.yaml";
  /** The run's metric rows. */
  public static final String METRICS_FILE = "metrics.csv";
  /** The folder of the run's artifacts. */
  public static final String ARTIFACTS_DIR = "artifacts";

  private static final Logger log = LoggerFactory.getLogger(FileBackend.class);

  private final Path root;
  private final InstantSource clock;
  private final UnaryOperator<WritableByteChannel> metricsChannels;
  private final Map<String, OpenRun> openRuns = new ConcurrentHashMap<>();
  private final RunFolders folders;
  private final FileModelStore models;
  private volatile boolean closed;

  private FileBackend(Path root, InstantSource clock,
      UnaryOperator<WritableByteChannel> metricsChannels) {
    this.root = Objects.requireNonNull(root, "root");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metricsChannels = Objects.requireNonNull(metricsChannels, "metricsChannels");
    this.folders = new RunFolders(root);
    this.models = new FileModelStore(root, folders, clock);
  }

  /**
   * A backend writing run folders under {@code root}; the folder is created when the first
   * experiment is.
   *
   * @throws IllegalArgumentException when {@code root} exists and is not a folder
   */
  public static FileBackend create(Path root) {
    return create(root, InstantSource.system(), UnaryOperator.identity());
  }

  /**
   * As {@link #create(Path)}, with the clock for {@code experiment.yaml}'s creation time, and a
   * decorator of the channels that metric batches are written to (tests count writes with it).
   */
  static FileBackend create(Path root, InstantSource clock,
      UnaryOperator<WritableByteChannel> metricsChannels) {
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw new IllegalArgumentException("the file backend's root must be a folder but " + root
          + " is a file");
    }
    return new FileBackend(root, clock, metricsChannels);
  }

  /** The root folder, as given. */
  public Path root() {
    return root;
  }

  @Override
  public String describe() {
    return "file:" + root;
  }

  /** The root: system metrics report the disk usage of the file system the runs are written to. */
  @Override
  public Optional<Path> localDirectory() {
    return Optional.of(root);
  }

  @Override
  public String toString() {
    return "FileBackend{" + describe() + (closed ? ", closed" : "") + "}";
  }

  // ------------------------------------------------------------------------------ writing

  /** Creates {@code <root>/<name>/experiment.yaml} unless present; the id is the name. */
  @Override
  public String createExperiment(String name) throws IOException {
    checkOpen();
    try {
      Path dir = folders.experimentDir(name);
      Files.createDirectories(dir);
      Path file = dir.resolve(EXPERIMENT_FILE);
      if (!Files.exists(file)) {
        // Two processes may both write it: both write the same id and name, and the rename of
        // the second replaces the first whole.
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("id", name);
        yaml.put("name", name);
        yaml.put("created", clock.millis());
        YamlFiles.write(file, yaml);
      }
      return name;
    } catch (FileSystemException e) {
      throw FileFailures.withKind(e);
    }
  }

  /**
   * Creates the run folder with {@code run.yaml} (status RUNNING), an empty {@code params.yaml},
   * {@code metrics.csv} with its header and {@code artifacts/}. When {@link RunSpec#resume()} is
   * true and the run exists (in any experiment), attaches to it instead: status back to RUNNING,
   * end time cleared, tags not yet present added, everything else kept.
   *
   * @throws IOException when a new run's folder exists already, or a file cannot be written
   */
  @Override
  public void createRun(RunSpec spec) throws IOException {
    checkOpen();
    try {
      String id = RunFolders.checkRunId(spec.runId());
      if (spec.resume()) {
        Path existing = findRunDir(id);
        if (existing != null) {
          resume(existing, spec);
          return;
        }
      }
      Path expDir = folders.experimentDir(spec.experimentName());
      if (!Files.exists(expDir.resolve(EXPERIMENT_FILE))) {
        createExperiment(spec.experimentName());
      }
      Path dir = expDir.resolve(id);
      if (Files.exists(dir.resolve(RUN_FILE))) {
        throw new IOException("run " + id + " already exists in " + dir
            + "; resume it (Tracker.builder().resumeRun(\"" + id + "\")) to log to it again");
      }
      Files.createDirectories(dir.resolve(ARTIFACTS_DIR));
      RunLock.locked(dir, () -> {
        YamlFiles.write(dir.resolve(RUN_FILE), RunYaml.newRunYaml(spec));
        if (!Files.exists(dir.resolve(PARAMS_FILE))) {
          // a folder that lost its run.yaml (a crash, an edit) keeps the params it recorded
          YamlFiles.write(dir.resolve(PARAMS_FILE), Map.of());
        }
        return null;
      });
      folders.remember(id, dir);
      open(id, dir);
    } catch (FileSystemException e) {
      throw FileFailures.withKind(e);
    }
  }

  private void resume(Path dir, RunSpec spec) throws IOException {
    RunLock.locked(dir, () -> {
      Path file = dir.resolve(RUN_FILE);
      Map<String, Object> yaml = YamlFiles.loadMap(file);
      yaml.put("status", RunStatus.RUNNING.name());
      yaml.put("end_time", null);
      Map<String, String> tags = RunYaml.readTags(file, yaml);
      spec.tags().forEach(tags::putIfAbsent);
      yaml.put("tags", RunYaml.sorted(tags));
      YamlFiles.write(file, yaml);
      if (!Files.exists(dir.resolve(PARAMS_FILE))) {
        YamlFiles.write(dir.resolve(PARAMS_FILE), Map.of());
      }
      return null;
    });
    Files.createDirectories(dir.resolve(ARTIFACTS_DIR));
    log.debug("resumed run {} in {}", spec.runId(), dir);
    open(spec.runId(), dir);
  }

  /**
   * Appends the batch's metric rows to {@code metrics.csv} in one write, then merges params into
   * {@code params.yaml} and tags into {@code run.yaml}.
   *
   * @throws IOException when a file cannot be written, or a param exists with another value
   *     (everything else in the batch is written first)
   */
  @Override
  public void logBatch(String runId, Batch batch) throws IOException {
    checkOpen();
    OpenRun run = openRun(runId);
    IOException failure = null;
    if (!batch.metrics().isEmpty()) {
      try {
        run.append(batch.metrics());
      } catch (IOException e) {
        failure = FileFailures.withKind(e);
      }
    }
    if (!batch.params().isEmpty() || !batch.tags().isEmpty()) {
      try {
        List<String> conflicts = run.merge(batch.params(), batch.tags());
        if (!conflicts.isEmpty()) {
          throw new IOException(String.join("; ", conflicts));
        }
      } catch (IOException e) {
        failure = FileFailures.collect(failure, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Copies the file to {@code artifacts/<artifactPath>}, replacing an artifact of that path.
   *
   * @throws IllegalArgumentException when the path breaks {@link dev.tracker.spi.ArtifactPath}'s
   *     rule
   * @throws IOException when the path leads outside the run folder through a symbolic link, the
   *     source is not a regular file, or the copy fails
   */
  @Override
  public void logArtifact(String runId, Path file, String artifactPath) throws IOException {
    checkOpen();
    try {
      Path dir = writableRunDir(runId);
      if (!Files.isRegularFile(file)) {
        throw new IOException("artifact source must be a regular file but " + file
            + (Files.isDirectory(file) ? " is a folder" : Files.exists(file) ? " is not a file"
                : " does not exist"));
      }
      AtomicFiles.copy(file, ArtifactPaths.artifactTarget(dir, artifactPath));
    } catch (FileSystemException e) {
      throw FileFailures.withKind(e);
    }
  }

  /** Writes the bytes to {@code artifacts/<artifactPath>} (temporary file, then rename). */
  @Override
  public void logArtifact(String runId, byte[] content, String artifactPath) throws IOException {
    checkOpen();
    try {
      Path dir = writableRunDir(runId);
      AtomicFiles.write(ArtifactPaths.artifactTarget(dir, artifactPath), content);
    } catch (FileSystemException e) {
      throw FileFailures.withKind(e);
    }
  }

  /** Adds the inputs to the run's {@code inputs.yaml}, one per (name, digest). */
  @Override
  public void logInputs(String runId, List<DatasetInput> inputs) throws IOException {
    checkOpen();
    Path dir = writableRunDir(runId);
    RunLock.locked(dir, () -> {
      InputsYaml.merge(dir.resolve(InputsYaml.FILE), inputs);
      return null;
    });
  }

  /** Sets status and end time in {@code run.yaml}; closes the run's {@code metrics.csv}. */
  @Override
  public void endRun(String runId, RunStatus status, long endTime) throws IOException {
    checkOpen();
    try {
      OpenRun run = openRuns.remove(runId);
      Path dir = run != null ? run.dir : writableRunDir(runId);
      IOException failure = null;
      if (run != null) {
        try {
          run.close();
        } catch (IOException e) {
          failure = FileFailures.withKind(e);
        }
      }
      try {
        RunLock.locked(dir, () -> {
          Path file = dir.resolve(RUN_FILE);
          Map<String, Object> yaml = YamlFiles.loadMap(file);
          yaml.put("status", status.name());
          yaml.put("end_time", endTime);
          YamlFiles.write(file, yaml);
          return null;
        });
      } catch (IOException e) {
        if (failure != null) {
          e.addSuppressed(failure);
        }
        throw e;
      }
      if (failure != null) {
        throw failure;
      }
    } catch (FileSystemException e) {
      throw FileFailures.withKind(e);
    }
  }

  /** Forces the rows written so far to disk ({@code fdatasync}). */
  @Override
  public FlushResult flush() throws IOException {
    eachRun(openRuns.values(), OpenRun::force);
    return FlushResult.DELIVERED;
  }

  /**
   * Forces and closes the files of runs still open (their {@code run.yaml} keeps its status).
   * Writing afterwards fails; reading still works. Safe to call twice.
   */
  @Override
  public void close() throws IOException {
    closed = true;
    eachRun(List.copyOf(openRuns.values()), run -> {
      openRuns.remove(run.id);
      run.close();
    });
  }

  private interface RunAction {
    void apply(OpenRun run) throws IOException;
  }

  /** Applies {@code action} to every run, going on after a failure: one bad file stops no other. */
  private static void eachRun(Iterable<OpenRun> runs, RunAction action) throws IOException {
    IOException failure = null;
    for (OpenRun run : runs) {
      try {
        action.apply(run);
      } catch (IOException e) {
        failure = FileFailures.collect(failure, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Creates the root folder and writes and removes a file in it, so that a tracker learns at
   * start, not at the end of a long job, that nothing could be saved.
   *
   * @throws IOException naming the folder, the exception's kind and the reason
   */
  @Override
  public void checkWritable() throws IOException {
    try {
      Files.createDirectories(root);
      Files.delete(Files.createTempFile(root, ".tracker-probe-", ".tmp"));
    } catch (IOException e) {
      throw new IOException("the runs folder " + root + " cannot be created or written: "
          + FileFailures.withKind(e).getMessage(), e);
    }
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException(describe() + " is closed");
    }
  }

  private void open(String id, Path dir) throws IOException {
    OpenRun run = new OpenRun(id, dir, metricsChannels);
    run.writer();
    OpenRun old = openRuns.put(id, run);
    if (old != null) {
      old.close();
    }
  }

  /** The open run, or a run found on disk that this backend attaches to (status unchanged). */
  private OpenRun openRun(String runId) throws IOException {
    OpenRun run = openRuns.get(runId);
    if (run == null) {
      Path dir = writableRunDir(runId);
      open(runId, dir);
      run = openRuns.get(runId);
    }
    return run;
  }

  private Path writableRunDir(String runId) throws IOException {
    OpenRun run = openRuns.get(runId);
    if (run != null) {
      return run.dir;
    }
    Path dir = findRunDir(RunFolders.checkRunId(runId));
    if (dir == null) {
      throw new IOException("no run " + runId + " under " + root
          + " (the run was not created, or creating it failed)");
    }
    return dir;
  }

  // ------------------------------------------------------------------------------ reading

  /**
   * The experiments: every folder of the root with an {@code experiment.yaml} or a run, by name.
   */
  @Override
  public List<ExperimentInfo> listExperiments() throws IOException {
    return folders.listExperiments();
  }

  /** The runs of an experiment, newest first (by start time, then id); none when it is missing. */
  @Override
  public List<RunInfo> listRuns(String experimentName) throws IOException {
    return folders.listRuns(experimentName);
  }

  /**
   * Reads a run, found by id in any experiment.
   *
   * @throws IOException when its {@code run.yaml} or {@code params.yaml} is invalid or unsafe,
   *     naming the file
   */
  @Override
  public Optional<RunData> readRun(String runId) throws IOException {
    Path dir = findRunDir(runId);
    if (dir == null) {
      return Optional.empty();
    }
    Path runFile = dir.resolve(RUN_FILE);
    Map<String, Object> yaml = YamlFiles.loadMap(runFile);
    RunInfo info = RunYaml.info(dir, runFile, yaml);
    Map<String, String> tags = RunYaml.readTags(runFile, yaml);
    Map<String, String> params = RunYaml.readParams(dir.resolve(PARAMS_FILE));
    List<Metric> metrics = MetricsCsv.read(dir.resolve(METRICS_FILE)).metrics();
    return Optional.of(new RunData(info, params, tags, metrics, RunFolders.artifacts(dir),
        InputsYaml.read(dir.resolve(InputsYaml.FILE))));
  }

  /** The points of one metric of a run, in file order; none when the run is missing. */
  @Override
  public List<Metric> metricHistory(String runId, String key) throws IOException {
    Path dir = findRunDir(runId);
    if (dir == null) {
      return List.of();
    }
    return MetricsCsv.read(dir.resolve(METRICS_FILE), key).metrics();
  }

  /**
   * Opens {@code artifacts/<artifactPath>} of a run (what {@code tracker sync} uploads). The path
   * must stay inside the run's artifacts folder, also after following symbolic links.
   *
   * @throws java.io.FileNotFoundException when the run or the artifact is missing
   * @throws IllegalArgumentException when the path breaks {@link dev.tracker.spi.ArtifactPath}'s
   *     rule
   */
  @Override
  public InputStream openArtifact(String runId, String artifactPath) throws IOException {
    Path dir = findRunDir(runId);
    if (dir == null) {
      throw new FileNotFoundException("no run " + runId + " under " + root);
    }
    Path artifacts = dir.resolve(ARTIFACTS_DIR);
    Path file = artifacts.resolve(String.join("/", ArtifactPaths.artifactSegments(artifactPath)));
    if (!Files.isRegularFile(file)) {
      throw new FileNotFoundException("no artifact '" + artifactPath + "' in run " + runId);
    }
    Path real = file.toRealPath();
    // the run folder's real path: an artifacts folder that is itself a link out is no base
    if (!real.startsWith(dir.toRealPath().resolve(ARTIFACTS_DIR))) {
      throw ArtifactPaths.escapes(artifactPath, file, real);
    }
    return Files.newInputStream(real);
  }

  /**
   * The folder of a run, searched in every experiment; null when there is none. Ids that cannot
   * be folder names have none.
   */
  Path findRunDir(String runId) throws IOException {
    return folders.findRunDir(runId);
  }

  /**
   * The model registry in {@code <root>/models/<name>/}: one {@code version-N.yaml} per version
   * and {@code aliases.yaml}, written atomically under the folder's lock; a version's source is
   * the model in its run's artifacts folder, not a copy.
   */
  @Override
  public Optional<ModelStore> modelStore() {
    return Optional.of(models);
  }
}
