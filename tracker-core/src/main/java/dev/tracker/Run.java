package dev.tracker;

import dev.tracker.internal.Channel;
import dev.tracker.internal.Pipeline;
import dev.tracker.internal.RunContext;
import dev.tracker.internal.Validation;
import dev.tracker.spi.RunSpec;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of an experiment: its params, metrics, tags and artifacts. Thread-safe: many threads
 * may log into one run.
 *
 * <p>Every {@code logX} method validates on the caller's thread (a mistake throws {@link
 * IllegalArgumentException} naming the key and the rule, and nothing else is lost), then queues
 * the record and returns without I/O. When the run's queue is full the call waits for room.
 *
 * <p>Closing the run ends it {@link RunStatus#FINISHED} (unless it was ended already) and waits
 * until everything logged to the tracker is accepted by the backend or spooled.
 */
public final class Run implements AutoCloseable {
  /** The step of metrics logged without one (MLflow's default). */
  public static final long DEFAULT_STEP = 0;

  private static final Logger log = LoggerFactory.getLogger(Run.class);

  private final Tracker tracker;
  private final Experiment experiment;
  private final RunSpec spec;
  private final Seeds seeds;
  private final Channel channel;
  private final InstantSource clock;
  private final ConcurrentHashMap<String, String> params = new ConcurrentHashMap<>();
  private final AtomicReference<RunStatus> status = new AtomicReference<>(RunStatus.RUNNING);
  private final AtomicBoolean ignoredAfterShutdown = new AtomicBoolean();
  private volatile String name;
  private final AtomicInteger unnamedChildren = new AtomicInteger();

  Run(Tracker tracker, Experiment experiment, RunSpec spec, Seeds seeds, Channel channel,
      InstantSource clock) {
    this.tracker = tracker;
    this.experiment = experiment;
    this.spec = spec;
    this.seeds = seeds;
    this.channel = channel;
    this.clock = clock;
    this.name = spec.runName();
  }

  /** The run id: 32 lowercase hex characters (or the id of the resumed run). */
  public String id() {
    return spec.runId();
  }

  /** The run name: the one it started with, or the last {@code mlflow.runName} tag set since. */
  public String name() {
    return name;
  }

  /** The experiment the run belongs to. */
  public Experiment experiment() {
    return experiment;
  }

  /** The parent run's id, or null for a top-level run. */
  public String parentRunId() {
    return spec.parentRunId();
  }

  /** The start time in milliseconds since the epoch. */
  public long startTime() {
    return spec.startTime();
  }

  /** The run's seeds; the root seed is recorded as the param {@code seed}. */
  public Seeds seeds() {
    return seeds;
  }

  /** The status: {@link RunStatus#RUNNING} until the run ends. */
  public RunStatus status() {
    return status.get();
  }

  // ------------------------------------------------------------------------------- params

  /**
   * Logs a param. The value is stored as its string form ({@link BigDecimal#toPlainString()} for
   * {@code BigDecimal}, the elements for an array: {@code [64, 32]}); numbers and booleans stay
   * typed in the file backend's params.yaml. Params are write-once: the same value again does
   * nothing.
   *
   * @throws IllegalArgumentException when key or value is invalid, or the param was logged
   *     before with another value
   * @throws IllegalStateException when the run has ended
   */
  public void logParam(String key, Object value) {
    if (!checkRunning("param", key)) {
      return;
    }
    if (value == null) {
      Validation.key("param", key);
      throw new IllegalArgumentException("param '" + key + "' value must not be null");
    }
    Param p = new Param(key, stringOf(value));
    String old = params.putIfAbsent(p.key(), p.value());
    if (old != null) {
      if (old.equals(p.value())) {
        return;
      }
      throw new IllegalArgumentException("param '" + key + "' was already logged with value '"
          + abbreviate(old) + "' and cannot be changed to '" + abbreviate(p.value())
          + "' (params are write-once)");
    }
    try {
      channel.put(p);
    } catch (RuntimeException notQueued) {
      params.remove(p.key(), p.value()); // not logged: logging it again must not be a no-op
      throw notQueued;
    }
  }

  /**
   * Logs several params. All are validated before any is logged: when one is invalid, none is.
   *
   * @see #logParam(String, Object)
   */
  public void logParams(Map<String, ?> params) {
    Objects.requireNonNull(params, "params");
    for (Map.Entry<String, ?> e : params.entrySet()) {
      if (e.getValue() == null) {
        Validation.key("param", e.getKey());
        throw new IllegalArgumentException("param '" + e.getKey() + "' value must not be null");
      }
      Param p = new Param(e.getKey(), stringOf(e.getValue()));
      String old = this.params.get(p.key());
      if (old != null && !old.equals(p.value())) {
        throw new IllegalArgumentException("param '" + p.key() + "' was already logged with value '"
            + abbreviate(old) + "' and cannot be changed to '" + abbreviate(p.value())
            + "' (params are write-once)");
      }
    }
    params.forEach(this::logParam);
  }

  /** Makes the params a resumed run recorded before known here, so they stay write-once. */
  void recordedParams(Map<String, String> recorded) {
    params.putAll(recorded);
  }

  // ------------------------------------------------------------------------------- metrics

  /** Logs a metric value at step {@value #DEFAULT_STEP}, timestamped now. */
  public void logMetric(String key, double value) {
    logMetric(key, value, DEFAULT_STEP, clock.millis());
  }

  /** Logs a metric value at a step, timestamped now. */
  public void logMetric(String key, double value, long step) {
    logMetric(key, value, step, clock.millis());
  }

  /**
   * Logs a metric value at a step and time. NaN and the infinities are valid values, and so is
   * any step, negative ones included.
   *
   * @param timestampMillis milliseconds since the epoch, at least 0 (MLflow refuses earlier times)
   * @throws IllegalArgumentException when the key is invalid or the timestamp is negative
   * @throws IllegalStateException when the run has ended
   */
  public void logMetric(String key, double value, long step, long timestampMillis) {
    if (!checkRunning("metric", key)) {
      return;
    }
    channel.put(new Metric(key, value, timestampMillis, step));
  }

  /**
   * Logs several metrics at one step, timestamped now. All keys are validated before any is
   * logged.
   */
  public void logMetrics(Map<String, ? extends Number> metrics, long step) {
    Objects.requireNonNull(metrics, "metrics");
    long now = clock.millis();
    for (Map.Entry<String, ? extends Number> e : metrics.entrySet()) {
      Validation.key("metric", e.getKey());
      if (e.getValue() == null) {
        throw new IllegalArgumentException("metric '" + e.getKey() + "' value must not be null");
      }
    }
    if (!checkRunning("metric", metrics.keySet().stream().findFirst().orElse(""))) {
      return;
    }
    for (Map.Entry<String, ? extends Number> e : metrics.entrySet()) {
      channel.put(new Metric(e.getKey(), e.getValue().doubleValue(), now, step));
    }
  }

  // ------------------------------------------------------------------------------- tags

  /**
   * Sets a tag; setting it again replaces the value.
   *
   * @throws IllegalArgumentException when key or value is invalid
   * @throws IllegalStateException when the run has ended
   */
  public void setTag(String key, String value) {
    if (!checkRunning("tag", key)) {
      return;
    }
    channel.put(new Tag(key, value));
    if (key.equals(RunContext.RUN_NAME)) { // renames the run, on MLflow and in run files alike
      name = value;
    }
  }

  /** Sets several tags. All are validated before any is set. */
  public void setTags(Map<String, String> tags) {
    Objects.requireNonNull(tags, "tags");
    tags.forEach(Tag::new);
    tags.forEach(this::setTag);
  }

  // ------------------------------------------------------------------------------- artifacts

  /** Stores a file (or a directory's files) under the run's artifacts, by its file name. */
  public void logArtifact(Path file) {
    logArtifact(file, null);
  }

  /**
   * Stores a file under the artifact directory {@code artifactPath} (MLflow's meaning: {@code
   * logArtifact(Path.of("m.bin"), "models")} stores {@code models/m.bin}); a directory stores
   * each file under it. The file is read later by the tracker's dispatcher, not on this thread:
   * keep it unchanged until {@link Tracker#flush()} or {@link #close()} returns ({@link
   * #end(RunStatus)} does not wait). A file that changed before it was read is stored as read,
   * and the next {@code flush()} or {@code close()} reports the change.
   *
   * @param artifactPath a relative directory under the run's artifacts, or null for the top
   * @throws IllegalArgumentException when the file does not exist or cannot be read, or the path
   *     would leave the run's artifacts
   * @throws IllegalStateException when the run has ended
   */
  public void logArtifact(Path file, String artifactPath) {
    if (!checkRunning("artifact", file == null ? "null" : file.toString())) {
      return;
    }
    if (file == null) {
      throw new IllegalArgumentException("artifact file must not be null");
    }
    String dir = artifactPath == null ? null : Validation.artifactPath("artifact path", artifactPath);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("artifact file must exist but '" + file
          + "' does not");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("artifact file must be readable but '" + file
          + "' is not");
    }
    if (Files.isDirectory(file)) {
      channel.artifact(file, dir);
      return;
    }
    Path name = file.getFileName();
    String fileName = Validation.artifactPath("artifact file name", name.toString());
    channel.artifact(file, dir == null ? fileName : dir + "/" + fileName);
  }

  /**
   * Stores text (UTF-8) as the artifact file {@code artifactFile}, e.g. {@code "notes/readme.md"}
   * (MLflow's {@code log_text}). The text is kept in memory until stored.
   */
  public void logText(String text, String artifactFile) {
    if (!checkRunning("artifact", artifactFile)) {
      return;
    }
    if (text == null) {
      throw new IllegalArgumentException("text of artifact '" + artifactFile
          + "' must not be null");
    }
    String path = Validation.artifactPath("artifact file", artifactFile);
    channel.artifact(text.getBytes(StandardCharsets.UTF_8), path);
  }

  // ------------------------------------------------------------------------------- inputs

  /**
   * Records a data set the run used. A local file or folder is read by the tracker's
   * dispatcher, not now, to compute its digest (see {@link Dataset}); the digest of a file
   * whose size and modification time did not change since the tracker last read it is not
   * computed again. Do not change the data before {@link Tracker#flush()} or the run's end.
   * Logging the same data set (name and digest) twice records it once.
   *
   * <pre>{@code
   * run.logInput(Dataset.of(Path.of("data/train.csv")).name("iris-train"));
   * }</pre>
   *
   * @throws IllegalArgumentException when the dataset is null, or its local file or folder does
   *     not exist, is neither a file nor a folder (a named pipe, a device) or cannot be read
   * @throws IllegalStateException when the run has ended
   */
  public void logInput(Dataset dataset) {
    if (!checkRunning("input", dataset == null ? "null" : dataset.name())) {
      return;
    }
    if (dataset == null) {
      throw new IllegalArgumentException("dataset must not be null");
    }
    Path path = dataset.path().orElse(null);
    if (path != null && !Files.exists(path)) {
      throw new IllegalArgumentException("dataset path must exist but '" + path
          + "' does not");
    }
    if (path != null && !Files.isRegularFile(path) && !Files.isDirectory(path)) {
      // the digest of a named pipe waits for a writer, of a device never ends: the dispatcher
      // would hold every run's records behind it
      throw new IllegalArgumentException("dataset path must be a file or a folder but '" + path
          + "' is neither (a named pipe, a device or a socket)");
    }
    if (path != null && !Files.isReadable(path)) {
      throw new IllegalArgumentException("dataset path must be readable but '" + path
          + "' is not");
    }
    channel.input(dataset);
  }

  // ------------------------------------------------------------------------------- lifecycle

  /**
   * Starts a child run (tagged {@code mlflow.parentRunId}) in the same experiment; its root seed
   * is {@code seeds().derive(name)}, or for an unnamed child (null) {@code derive("#1")}, {@code
   * derive("#2")}, … in the order this run starts unnamed children. Closing it
   * (try-with-resources included) ends it {@link RunStatus#FINISHED} even when the block threw:
   * use {@link #childRun(String, RunBody)} for a child that ends {@link RunStatus#FAILED} then.
   */
  public Run startChildRun(String name) {
    return experiment.newRun(name).parent(this).start();
  }

  /**
   * What an unnamed child's seed derives from: {@code #1}, {@code #2}, … in the order this run
   * starts them, so that a rerun with the same root seed gives them the same seeds (their names,
   * {@code run-<id>}, are new every time).
   */
  String unnamedChild() {
    return "#" + unnamedChildren.incrementAndGet();
  }

  /**
   * Runs {@code body} in a new child run: the child ends {@link RunStatus#FINISHED} when the
   * body returns, {@link RunStatus#FAILED} when it throws, and the exception is rethrown
   * unchanged (the failure is recorded in the child's tag {@code tracker.failure}). This run goes
   * on.
   *
   * <pre>{@code
   * run.childRun("fold-1", fold -> fold.logMetric("accuracy", trainFold(1)));
   * }</pre>
   */
  public <E extends Exception> void childRun(String name, RunBody<E> body) throws E {
    Objects.requireNonNull(body, "body");
    runBody(startChildRun(name), body);
  }

  /** Runs {@code body} in {@code run}, then ends it FINISHED, or FAILED and rethrows. */
  static <E extends Exception> void runBody(Run run, RunBody<E> body) throws E {
    try {
      body.accept(run);
    } catch (Exception | Error e) {
      run.fail(e);
      throw e;
    }
    run.close();
  }

  /**
   * Ends the run with a status (without waiting for the backend). Ending an ended run does
   * nothing.
   *
   * @throws IllegalArgumentException when status is {@link RunStatus#RUNNING} or null
   */
  public void end(RunStatus status) {
    if (status == null || status == RunStatus.RUNNING) {
      throw new IllegalArgumentException(
          "end status must be FINISHED, FAILED or KILLED but was " + status);
    }
    endWithoutFlush(status);
  }

  /**
   * Ends the run {@link RunStatus#FINISHED} unless it was ended already, then waits until
   * everything logged to the tracker before this call is accepted by the backend or spooled.
   * Safe to call twice.
   *
   * @throws TrackerException carrying backend failures not reported before
   */
  @Override
  public void close() {
    boolean ended = endWithoutFlush(RunStatus.FINISHED);
    if (ended && !tracker.isClosed()) {
      tracker.flushForRun();
    }
  }

  boolean endWithoutFlush(RunStatus end) {
    if (!status.compareAndSet(RunStatus.RUNNING, end)) {
      return false;
    }
    channel.end(end, clock.millis());
    tracker.runEnded(this);
    return true;
  }

  void fail(Throwable t) {
    if (status.get() == RunStatus.RUNNING) {
      try {
        String msg = t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        setTag("tracker.failure", Validation.cut(msg, Validation.MAX_TAG_VALUE_LENGTH));
      } catch (RuntimeException ignored) {
        // recording the failure must not hide it
      }
      end(RunStatus.FAILED);
    }
  }

  /**
   * True while the run takes records. After the JVM shutdown hook ended it (the JVM is going
   * down and a training thread still logs), false: the record is ignored, with one DEBUG line.
   *
   * @throws IllegalStateException when the run was ended otherwise
   */
  private boolean checkRunning(String kind, String key) {
    RunStatus s = status.get();
    if (s == RunStatus.RUNNING) {
      return true;
    }
    if (tracker.endedByShutdownHook()) {
      if (ignoredAfterShutdown.compareAndSet(false, true)) {
        log.debug("ignoring {} '{}' and what follows for run {}: the JVM is shutting down and"
            + " its shutdown hook ended the run {}", kind, key, spec.runId(), s);
      }
      return false;
    }
    throw new IllegalStateException("run '" + spec.runName() + "' (" + spec.runId()
        + ") has ended with status " + s + "; cannot log " + kind + " '" + key + "'");
  }

  static String stringOf(Object value) {
    if (value instanceof BigDecimal bd) {
      return bd.toPlainString();
    }
    if (value != null && value.getClass().isArray()) {
      // an array's own toString is its identity ("[I@1b6d3586"): its elements, as Python's str
      String wrapped = Arrays.deepToString(new Object[] {value});
      return wrapped.substring(1, wrapped.length() - 1);
    }
    return String.valueOf(value);
  }

  private static String abbreviate(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "…";
  }

  @Override
  public String toString() {
    return "Run{id=" + spec.runId() + ", name=" + spec.runName() + ", experiment="
        + spec.experimentName() + ", status=" + status.get() + "}";
  }
}
