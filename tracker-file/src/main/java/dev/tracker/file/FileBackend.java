package dev.tracker.file;

import dev.tracker.ExperimentInfo;
import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records runs as plain files, the layout of the DAGsHub logger, and reads them back.
 *
 * <pre>
 * runs/                          the root: file:./runs by default
 *   iris/                        one folder per experiment
 *     experiment.yaml            id, name, created (ms)
 *     3f2a…e41c/                 one folder per run, named by its id (32 lowercase hex characters)
 *       run.yaml                 id, name, experiment, status, start_time, end_time (ms), parent,
 *                                source, tags
 *       params.yaml              flat mapping key: value
 *       metrics.csv              Name,Value,Timestamp,Step (see {@link MetricsCsv})
 *       artifacts/               logged files under their artifact paths
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
 *       string. Reading gives back the exact strings that were logged.
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
 *       run is resumed, that line is ended with {@value MetricsCsv#CUT_MARK} first so that new
 *       rows start on their own line and the cut row can never read as a row with other digits;
 *       {@link MetricsCsv#read} reports it as a corrupt line. The run's {@code
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
 *       an {@link IOException} naming the key, after everything else in it was written.
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
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
  private static final Pattern LONG = Pattern.compile("-?[0-9]{1,19}");
  private static final Pattern DOUBLE_LIKE = Pattern.compile("-?([0-9].*|NaN|Infinity)");

  private final Path root;
  private final InstantSource clock;
  private final UnaryOperator<WritableByteChannel> metricsChannels;
  private final Map<String, OpenRun> openRuns = new ConcurrentHashMap<>();
  private final Map<String, Path> runDirs = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private FileBackend(Path root, InstantSource clock,
      UnaryOperator<WritableByteChannel> metricsChannels) {
    this.root = Objects.requireNonNull(root, "root");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metricsChannels = Objects.requireNonNull(metricsChannels, "metricsChannels");
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
    Path dir = experimentDir(name);
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
    String id = checkRunId(spec.runId());
    if (spec.resume()) {
      Path existing = findRunDir(id);
      if (existing != null) {
        resume(existing, spec);
        return;
      }
    }
    Path expDir = experimentDir(spec.experimentName());
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
      YamlFiles.write(dir.resolve(RUN_FILE), newRunYaml(spec));
      YamlFiles.write(dir.resolve(PARAMS_FILE), Map.of());
      return null;
    });
    runDirs.put(id, dir);
    open(id, dir);
  }

  private void resume(Path dir, RunSpec spec) throws IOException {
    RunLock.locked(dir, () -> {
      Path file = dir.resolve(RUN_FILE);
      Map<String, Object> yaml = YamlFiles.loadMap(file);
      yaml.put("status", RunStatus.RUNNING.name());
      yaml.put("end_time", null);
      Map<String, String> tags = readTags(file, yaml);
      spec.tags().forEach(tags::putIfAbsent);
      yaml.put("tags", sorted(tags));
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
        failure = e;
      }
    }
    if (!batch.params().isEmpty() || !batch.tags().isEmpty()) {
      try {
        List<String> conflicts = RunLock.locked(run.dir, () -> {
          List<String> c = batch.params().isEmpty() ? List.of()
              : mergeParams(run.dir.resolve(PARAMS_FILE), batch.params());
          if (!batch.tags().isEmpty()) {
            mergeTags(run.dir.resolve(RUN_FILE), batch.tags());
          }
          return c;
        });
        if (!conflicts.isEmpty()) {
          throw new IOException(String.join("; ", conflicts));
        }
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static List<String> mergeParams(Path file, List<Param> params) throws IOException {
    Map<String, Object> current = Files.exists(file) ? YamlFiles.loadMap(file)
        : new LinkedHashMap<>();
    List<String> conflicts = new ArrayList<>();
    boolean changed = false;
    for (Param p : params) {
      if (!current.containsKey(p.key())) {
        current.put(p.key(), typedParam(p.value()));
        changed = true;
        continue;
      }
      String old = paramText(file, p.key(), current.get(p.key()));
      if (!old.equals(p.value())) {
        conflicts.add("param '" + p.key() + "' is '" + abbreviate(old) + "' in " + file
            + " and cannot be changed to '" + abbreviate(p.value()) + "' (params are write-once)");
      }
    }
    if (changed) {
      YamlFiles.write(file, current);
    }
    return conflicts;
  }

  private static void mergeTags(Path file, List<Tag> tags) throws IOException {
    Map<String, Object> yaml = YamlFiles.loadMap(file);
    Map<String, String> current = readTags(file, yaml);
    for (Tag t : tags) {
      current.put(t.key(), t.value());
    }
    yaml.put("tags", sorted(current));
    YamlFiles.write(file, yaml);
  }

  /**
   * Copies the file to {@code artifacts/<artifactPath>}, replacing an artifact of that path.
   *
   * @throws IllegalArgumentException when the path is empty, absolute or leaves the artifacts
   *     folder
   * @throws IOException when the path leads outside the run folder through a symbolic link, the
   *     source is not a regular file, or the copy fails
   */
  @Override
  public void logArtifact(String runId, Path file, String artifactPath) throws IOException {
    checkOpen();
    Path dir = writableRunDir(runId);
    if (!Files.isRegularFile(file)) {
      throw new IOException("artifact source must be a regular file but " + file
          + (Files.isDirectory(file) ? " is a folder" : Files.exists(file) ? " is not a file"
              : " does not exist"));
    }
    AtomicFiles.copy(file, artifactTarget(dir, artifactPath));
  }

  /** Writes the bytes to {@code artifacts/<artifactPath>} (temporary file, then rename). */
  @Override
  public void logArtifact(String runId, byte[] content, String artifactPath) throws IOException {
    checkOpen();
    Path dir = writableRunDir(runId);
    AtomicFiles.write(artifactTarget(dir, artifactPath), content);
  }

  /** Sets status and end time in {@code run.yaml}; closes the run's {@code metrics.csv}. */
  @Override
  public void endRun(String runId, RunStatus status, long endTime) throws IOException {
    checkOpen();
    OpenRun run = openRuns.remove(runId);
    Path dir = run != null ? run.dir : writableRunDir(runId);
    IOException failure = null;
    if (run != null) {
      try {
        run.close();
      } catch (IOException e) {
        failure = e;
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
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException(describe() + " is closed");
    }
  }

  private void open(String id, Path dir) throws IOException {
    OpenRun run = new OpenRun(id, dir);
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
    Path dir = findRunDir(checkRunId(runId));
    if (dir == null) {
      throw new IOException("no run " + runId + " under " + root
          + " (the run was not created, or creating it failed)");
    }
    return dir;
  }

  /** Opens {@code metrics.csv} for appending, writing the header or ending a cut line first. */
  private static FileChannel openMetrics(Path dir) throws IOException {
    Path file = dir.resolve(METRICS_FILE);
    return RunLock.locked(dir, () -> {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
      try {
        long size = ch.size();
        if (size == 0) {
          writeFully(ch, MetricsCsv.header());
        } else if (lastByte(file, size) != '\n') {
          log.warn("{} ends with a line cut short (a process was killed while writing);"
              + " marking it and ending it so that new rows start on their own line", file);
          writeFully(ch, ByteBuffer.wrap((MetricsCsv.CUT_MARK + "\n")
              .getBytes(StandardCharsets.US_ASCII)));
        }
        return ch;
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    });
  }

  private static int lastByte(Path file, long size) throws IOException {
    try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      return r.read(one, size - 1) == 1 ? one.get(0) : -1;
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      ch.write(bytes);
    }
  }

  /** A run whose {@code metrics.csv} is open for appending; used by the writing thread only. */
  private final class OpenRun {
    final String id;
    final Path dir;
    private FileChannel channel;
    private MetricsCsv.Writer writer;
    private boolean dirty;

    OpenRun(String id, Path dir) {
      this.id = id;
      this.dir = dir;
    }

    /** The writer, reopening the file when its channel was closed (by an interrupt). */
    MetricsCsv.Writer writer() throws IOException {
      if (channel == null || !channel.isOpen()) {
        channel = openMetrics(dir);
        writer = new MetricsCsv.Writer(metricsChannels.apply(channel));
      }
      return writer;
    }

    void append(List<Metric> metrics) throws IOException {
      MetricsCsv.Writer w = writer();
      try {
        w.append(metrics);
      } catch (IOException e) {
        throw writeFailed(e, false);
      } finally {
        dirty = true;
      }
    }

    /** Writes rows that failed writes left, then forces the file to disk. */
    void force() throws IOException {
      if (channel == null || !channel.isOpen()) {
        return;
      }
      try {
        writer.writePending();
        if (dirty) {
          channel.force(false);
          dirty = false;
        }
      } catch (IOException e) {
        throw writeFailed(e, false);
      }
    }

    void close() throws IOException {
      if (channel == null) {
        return;
      }
      try {
        force();
      } catch (IOException e) {
        throw writeFailed(e.getCause(), true);
      } finally {
        writer.close();
        channel.close();
      }
    }

    /** The failure of a write to metrics.csv, naming the file, the cause and the rows kept. */
    private IOException writeFailed(Throwable cause, boolean closing) {
      int kept = writer.pendingRows();
      String rows = kept == 0 ? ""
          : closing ? "; " + kept + " rows that could not be written are lost"
          : "; " + kept + " rows not yet written are kept and written when the file can be"
              + " written again";
      return new IOException("writing " + dir.resolve(METRICS_FILE) + " failed: "
          + reason(cause) + rows, cause);
    }
  }

  /** What went wrong, in words: the OS's reason for file-system errors, which name the file. */
  static String reason(Throwable e) {
    if (e instanceof java.nio.file.AccessDeniedException ade) {
      return "permission denied" + (ade.getFile() == null ? "" : " (" + ade.getFile() + ")");
    }
    if (e instanceof NoSuchFileException nsf) {
      return "no such file or folder " + nsf.getFile();
    }
    if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
      return fse.getReason() + (fse.getFile() == null ? "" : " (" + fse.getFile() + ")");
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  // ------------------------------------------------------------------------------ reading

  /**
   * The experiments: every folder of the root with an {@code experiment.yaml} or a run, by name.
   */
  @Override
  public List<ExperimentInfo> listExperiments() throws IOException {
    List<ExperimentInfo> out = new ArrayList<>();
    for (Path dir : subfolders(root)) {
      String folder = dir.getFileName().toString();
      Path file = dir.resolve(EXPERIMENT_FILE);
      if (!Files.exists(file)) {
        if (subfolders(dir).stream().anyMatch(d -> Files.isRegularFile(d.resolve(RUN_FILE)))) {
          out.add(new ExperimentInfo(folder, folder, 0));
        }
        continue;
      }
      try {
        Map<String, Object> yaml = YamlFiles.loadMap(file);
        String name = string(file, yaml, "name", folder);
        out.add(new ExperimentInfo(string(file, yaml, "id", name), name,
            number(file, yaml, "created", 0)));
      } catch (IOException e) {
        log.warn("{}; listing the experiment by its folder name", e.getMessage());
        out.add(new ExperimentInfo(folder, folder, 0));
      }
    }
    out.sort(Comparator.comparing(ExperimentInfo::name));
    return out;
  }

  /** The runs of an experiment, newest first (by start time, then id); none when it is missing. */
  @Override
  public List<RunInfo> listRuns(String experimentName) throws IOException {
    Path dir;
    try {
      dir = experimentDir(experimentName);
    } catch (IllegalArgumentException e) {
      return List.of(); // no folder can have that name
    }
    List<RunInfo> out = new ArrayList<>();
    for (Path runDir : subfolders(dir)) {
      if (!Files.isRegularFile(runDir.resolve(RUN_FILE))) {
        continue;
      }
      try {
        out.add(readInfo(runDir));
      } catch (IOException e) {
        log.warn("skipping run folder {}: {}", runDir, e.getMessage());
      }
    }
    out.sort(Comparator.comparingLong(RunInfo::startTime).reversed()
        .thenComparing(RunInfo::id));
    return out;
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
    RunInfo info = info(dir, runFile, yaml);
    Map<String, String> tags = readTags(runFile, yaml);
    Map<String, String> params = readParams(dir.resolve(PARAMS_FILE));
    List<Metric> metrics = MetricsCsv.read(dir.resolve(METRICS_FILE)).metrics();
    return Optional.of(new RunData(info, params, tags, metrics, artifacts(dir)));
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
   * @throws IllegalArgumentException when the path is absolute or has '..', '.' or empty segments
   */
  @Override
  public InputStream openArtifact(String runId, String artifactPath) throws IOException {
    Path dir = findRunDir(runId);
    if (dir == null) {
      throw new FileNotFoundException("no run " + runId + " under " + root);
    }
    Path artifacts = dir.resolve(ARTIFACTS_DIR);
    Path file = artifacts.resolve(String.join("/", artifactSegments(artifactPath)));
    if (!Files.isRegularFile(file)) {
      throw new FileNotFoundException("no artifact '" + artifactPath + "' in run " + runId);
    }
    Path real = file.toRealPath();
    if (!real.startsWith(artifacts.toRealPath())) {
      throw escapes(artifactPath, file, real);
    }
    return Files.newInputStream(real);
  }

  /**
   * The folder of a run, searched in every experiment; null when there is none. Ids that cannot
   * be folder names have none.
   */
  Path findRunDir(String runId) throws IOException {
    if (runId == null || !RUN_ID.matcher(runId).matches()) {
      return null;
    }
    Path known = runDirs.get(runId);
    if (known != null && Files.isRegularFile(known.resolve(RUN_FILE))) {
      return known;
    }
    for (Path exp : subfolders(root)) {
      Path dir = exp.resolve(runId);
      if (Files.isRegularFile(dir.resolve(RUN_FILE))) {
        runDirs.put(runId, dir);
        return dir;
      }
    }
    return null;
  }

  private RunInfo readInfo(Path dir) throws IOException {
    Path file = dir.resolve(RUN_FILE);
    return info(dir, file, YamlFiles.loadMap(file));
  }

  private static RunInfo info(Path dir, Path file, Map<String, Object> yaml) throws IOException {
    String id = string(file, yaml, "id", dir.getFileName().toString());
    String experiment = string(file, yaml, "experiment", dir.getParent().getFileName().toString());
    String statusText = string(file, yaml, "status", RunStatus.RUNNING.name());
    RunStatus status;
    try {
      status = RunStatus.valueOf(statusText);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " was rejected: status must be one of RUNNING, FINISHED,"
          + " FAILED, KILLED but was '" + statusText + "'");
    }
    return new RunInfo(id, string(file, yaml, "name", id), experiment, experiment, status,
        number(file, yaml, "start_time", 0), number(file, yaml, "end_time", 0),
        string(file, yaml, "parent", null));
  }

  private static Map<String, String> readParams(Path file) throws IOException {
    Map<String, Object> yaml;
    try {
      yaml = YamlFiles.loadMap(file);
    } catch (NoSuchFileException e) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : yaml.entrySet()) {
      out.put(e.getKey(), paramText(file, e.getKey(), e.getValue()));
    }
    return out;
  }

  private static Map<String, String> readTags(Path file, Map<String, Object> yaml)
      throws IOException {
    Object tags = yaml.get("tags");
    Map<String, String> out = new LinkedHashMap<>();
    if (tags == null) {
      return out;
    }
    if (!(tags instanceof Map<?, ?> map)) {
      throw new IOException(file + " was rejected: tags must be a mapping but was a "
          + YamlFiles.kind(tags));
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object v = e.getValue();
      if (v instanceof Map || v instanceof Iterable || v instanceof byte[]) {
        throw new IOException(file + " was rejected: tag '" + e.getKey()
            + "' must be a scalar but was a " + YamlFiles.kind(v));
      }
      out.put(String.valueOf(e.getKey()), v == null ? "" : scalarText(v));
    }
    return out;
  }

  private static List<String> artifacts(Path runDir) throws IOException {
    Path dir = runDir.resolve(ARTIFACTS_DIR);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !AtomicFiles.isTemporary(p.getFileName().toString()))
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }

  // ------------------------------------------------------------------------------ helpers

  private Path experimentDir(String name) throws IOException {
    if (name == null || name.isBlank() || name.equals(".") || name.equals("..")
        || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0
        || name.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("experiment name must be usable as a folder name (not"
          + " blank, '.' or '..', no '/', '\\' or control characters) but was '"
          + (name == null ? "null" : name.replaceAll("\\p{Cntrl}", "?")) + "'");
    }
    try {
      return root.resolve(name);
    } catch (InvalidPathException e) {
      throw new IOException("experiment name '" + name + "' cannot be a folder name on this file"
          + " system: " + e.getReason(), e);
    }
  }

  private static String checkRunId(String runId) {
    if (runId == null || !RUN_ID.matcher(runId).matches()) {
      throw new IllegalArgumentException("run id must be 1 to 128 letters, digits, '_' or '-'"
          + " (Tracker's ids are 32 lowercase hex characters) but was '"
          + (runId == null ? "null" : runId.replaceAll("\\p{Cntrl}", "?")) + "'");
    }
    return runId;
  }

  /**
   * Where an artifact goes: {@code artifacts/<artifactPath>} after checking that the path stays
   * inside the artifacts folder, lexically and after following symbolic links. Creates the
   * folders on the way.
   */
  static Path artifactTarget(Path runDir, String artifactPath) throws IOException {
    List<String> segments = artifactSegments(artifactPath);
    Path artifacts = runDir.resolve(ARTIFACTS_DIR);
    Files.createDirectories(artifacts);
    Path realArtifacts = artifacts.toRealPath();
    if (!realArtifacts.startsWith(runDir.toRealPath())) {
      throw new IOException("the artifacts folder " + artifacts
          + " is a symbolic link to outside the run folder (" + realArtifacts + ")");
    }
    // Walk the folders one by one: a symbolic link on the way must not lead outside, and nothing
    // may be created outside before that is known.
    Path current = realArtifacts;
    for (int i = 0; i < segments.size() - 1; i++) {
      Path next = current.resolve(segments.get(i));
      if (Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
        Path real = realOrNull(next);
        if (real == null || !real.startsWith(realArtifacts)) {
          throw escapes(artifactPath, next, real);
        }
        if (!Files.isDirectory(real)) {
          throw new IOException("artifact path '" + artifactPath + "' needs " + next
              + " to be a folder but it is a file");
        }
        current = real;
      } else {
        current = Files.createDirectory(next);
      }
    }
    Path target = current.resolve(segments.get(segments.size() - 1));
    if (Files.isSymbolicLink(target)) {
      Path real = realOrNull(target);
      if (real == null || !real.startsWith(realArtifacts)) {
        throw escapes(artifactPath, target, real);
      }
    }
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("artifact path '" + artifactPath + "' is a folder in " + artifacts);
    }
    return target;
  }

  /** The '/'-separated segments of an artifact path that stays inside the artifacts folder. */
  private static List<String> artifactSegments(String artifactPath) {
    if (artifactPath == null || artifactPath.isEmpty()) {
      throw new IllegalArgumentException("artifact path must not be empty");
    }
    String path = artifactPath.replace('\\', '/');
    List<String> segments = List.of(path.split("/", -1));
    if (path.startsWith("/") || path.indexOf(':') == 1 || path.indexOf('\0') >= 0
        || segments.contains("..") || segments.contains(".") || segments.contains("")) {
      throw new IllegalArgumentException("artifact path must be a relative path inside the run's"
          + " artifacts folder (no leading '/', drive, '..', '.' or empty segment) but was '"
          + artifactPath.replace("\0", "\\0") + "'");
    }
    return segments;
  }

  private static Path realOrNull(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return null; // a dangling link
    }
  }

  private static IOException escapes(String artifactPath, Path link, Path real) {
    return new IOException("artifact path '" + artifactPath
        + "' leads outside the run's artifacts folder through the symbolic link " + link
        + (real == null ? " (dangling)" : " (to " + real + ")"));
  }

  private static Map<String, Object> newRunYaml(RunSpec spec) {
    Map<String, Object> yaml = new LinkedHashMap<>();
    yaml.put("id", spec.runId());
    yaml.put("name", spec.runName());
    yaml.put("experiment", spec.experimentName());
    yaml.put("status", RunStatus.RUNNING.name());
    yaml.put("start_time", spec.startTime());
    yaml.put("end_time", null);
    yaml.put("parent", spec.parentRunId());
    yaml.put("source", spec.tags().get("mlflow.source.name"));
    yaml.put("tags", sorted(spec.tags()));
    return yaml;
  }

  private static Map<String, String> sorted(Map<String, String> tags) {
    return new LinkedHashMap<>(new TreeMap<>(tags));
  }

  /**
   * The value to write for a param: a Long, Double or Boolean when the string is exactly how
   * Java writes that value (so that reading it back gives the same string), else the string.
   */
  static Object typedParam(String value) {
    if (value.equals("true")) {
      return Boolean.TRUE;
    }
    if (value.equals("false")) {
      return Boolean.FALSE;
    }
    if (LONG.matcher(value).matches()) {
      try {
        long l = Long.parseLong(value);
        if (Long.toString(l).equals(value)) {
          return l;
        }
      } catch (NumberFormatException tooBig) {
        return value;
      }
    }
    if (DOUBLE_LIKE.matcher(value).matches()) {
      try {
        double d = Double.parseDouble(value);
        if (Double.toString(d).equals(value)) {
          return d;
        }
      } catch (NumberFormatException notANumber) {
        return value;
      }
    }
    return value;
  }

  /** The string a param value read from YAML stands for. */
  private static String paramText(Path file, String key, Object value) throws IOException {
    if (value instanceof Map || value instanceof Iterable || value instanceof byte[]) {
      throw new IOException(file + " was rejected: param '" + key
          + "' must be a scalar but was a " + YamlFiles.kind(value));
    }
    return value == null ? "null" : scalarText(value);
  }

  private static String scalarText(Object value) {
    if (value instanceof Double d) {
      return Double.toString(d);
    }
    return String.valueOf(value);
  }

  private static String string(Path file, Map<String, Object> yaml, String field, String dflt)
      throws IOException {
    Object v = yaml.get(field);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Map || v instanceof Iterable || v instanceof byte[]) {
      throw new IOException(file + " was rejected: " + field + " must be a scalar but was a "
          + YamlFiles.kind(v));
    }
    return String.valueOf(v);
  }

  private static long number(Path file, Map<String, Object> yaml, String field, long dflt)
      throws IOException {
    Object v = yaml.get(field);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw new IOException(file + " was rejected: " + field
        + " must be an integer (milliseconds since the epoch) but was '" + v + "'");
  }

  private static List<Path> subfolders(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path p : stream) {
        out.add(p);
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "…";
  }
}
