package dev.tracker;

import dev.tracker.internal.NoopBackend;
import dev.tracker.internal.Pipeline;
import dev.tracker.internal.RunContext;
import dev.tracker.internal.SeedHooks;
import dev.tracker.internal.delivery.Sinks;
import dev.tracker.internal.system.SystemMonitor;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: records runs of experiments to a backend (local files or an MLflow server).
 *
 * <pre>{@code
 * try (Tracker tracker = Tracker.create();                      // file:./runs unless configured
 *      Run run = tracker.experiment("iris").startRun("lr-0.1")) {
 *   Random random = run.seeds().random("init");                 // root seed recorded as param "seed"
 *   run.logParams(Map.of("lr", 0.1, "epochs", 50));
 *   for (int epoch = 0; epoch < 50; epoch++) {
 *     run.logMetric("loss", train(random), epoch);               // never blocks on I/O
 *   }
 *   run.logArtifact(Path.of("model.bin"));
 * }                                                              // flushes and ends FINISHED
 * }</pre>
 *
 * <p>A tracker is thread-safe and meant to be shared by an application. Logging validates on the
 * caller's thread and queues; one daemon thread ({@code tracker-dispatcher}) hands batches to the
 * backend. When the queue of a run is full the caller waits: records are never dropped.
 *
 * <h2>Delivery</h2>
 *
 * A local backend (files) writes each batch at once. A remote backend (an MLflow server) is
 * journal-first: the dispatcher appends each batch to a local journal (under the backend's
 * journal directory, {@code ~/.tracker/spool/<server>} by default, at most 1 GiB undelivered per
 * tracker, after which logging waits), and an uploader thread ({@code tracker-uploader})
 * delivers it, retrying with back-off while the server is slow, down or answers nonsense. A
 * process that ends (or is killed) before delivering leaves the journal on disk; the next tracker
 * for the same server, or {@code tracker sync}, delivers it, each record once.
 *
 * <ul>
 *   <li>{@link #flush()} returns once what was logged before is durable (written, or in the
 *       journal), waiting at most a second more for delivery: DELIVERED or SPOOLED;
 *   <li>{@link #flush(Duration)} and {@link #close()} ({@link Builder#closeTimeout(Duration)})
 *       wait for delivery up to their bound; what is left is in {@link #backlog()}.
 * </ul>
 *
 * Records the server refuses and operations that can never succeed are reported by the next
 * {@code flush()} or {@code close()} as a {@link TrackerException}, never only in a log line.
 *
 * <h2>Configuration</h2>
 *
 * Each setting is taken from the builder, else the system property, else the environment variable,
 * else the default:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>builder</th><th>property</th><th>environment</th><th>default</th></tr>
 *   <tr><td>{@code uri}</td><td>{@code tracker.uri}</td>
 *       <td>{@code TRACKER_URI}, then {@code MLFLOW_TRACKING_URI}</td><td>{@value #DEFAULT_URI}</td></tr>
 *   <tr><td>{@code experiment}</td><td>{@code tracker.experiment}</td>
 *       <td>{@code TRACKER_EXPERIMENT}, then {@code MLFLOW_EXPERIMENT_NAME}</td>
 *       <td>{@value #DEFAULT_EXPERIMENT}</td></tr>
 *   <tr><td>{@code seed}</td><td>{@code tracker.seed}</td><td>{@code TRACKER_SEED}</td>
 *       <td>drawn at random per run</td></tr>
 *   <tr><td>{@code resumeRun}</td><td>{@code tracker.runId}</td><td>{@code MLFLOW_RUN_ID}</td>
 *       <td>none</td></tr>
 *   <tr><td>{@code systemMetrics}</td><td>{@code tracker.systemMetrics}</td>
 *       <td>{@code TRACKER_SYSTEM_METRICS}, then {@code MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING}</td>
 *       <td>{@code false}</td></tr>
 *   <tr><td>{@code systemMetricsInterval}</td><td>{@code tracker.systemMetricsInterval}</td>
 *       <td>{@code TRACKER_SYSTEM_METRICS_INTERVAL}, then
 *       {@code MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL} (seconds, or ISO-8601 like {@code PT10S})</td>
 *       <td>10 seconds</td></tr>
 * </table>
 */
public final class Tracker implements AutoCloseable {
  /** The URI used when none is configured: run folders under {@code ./runs}. */
  public static final String DEFAULT_URI = "file:./runs";
  /** The experiment used when none is named or configured (MLflow's default experiment). */
  public static final String DEFAULT_EXPERIMENT = "Default";
  /** The most records handed to the backend in one batch. */
  public static final int DEFAULT_BATCH_SIZE = 1000;
  /**
   * The most records waiting per run before logging waits for the backend. Each logging thread
   * also fills a chunk of its own (up to one batch) before it joins the queue, so a run may hold
   * up to one more batch per logging thread.
   */
  public static final int DEFAULT_QUEUE_CAPACITY = 65_536;
  /** The longest a record waits in the queue before it is sent. */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
  /** The most requests in flight to a server at once. */
  public static final int DEFAULT_UPLOADS_IN_FLIGHT = 4;
  /** How long {@link #close()} waits for the backend. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(60);
  /** How often system metrics are sampled when they are on. */
  public static final Duration DEFAULT_SYSTEM_METRICS_INTERVAL = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(Tracker.class);

  private final Builder config;
  private final TrackingBackend backend;
  private final Pipeline pipeline;
  private final InstantSource clock;
  private final Map<String, String> standardTags;
  private final SeedHooks seedHooks;
  private final OpenRuns openRuns = new OpenRuns();
  private volatile Backlog closedBacklog;
  private volatile boolean endedByShutdownHook;
  private final AtomicReference<String> resumeRunId;
  private final Thread shutdownHook;
  private final SystemMonitor system;

  private Tracker(Builder b, TrackingBackend backend) {
    this.config = b;
    this.backend = backend;
    this.clock = b.clock;
    this.system = SystemMonitor.create(b.systemMetrics, b.systemMetricsInterval, b.standardTags,
        b.environment, b.clock, backend::localDirectory);
    this.standardTags = b.standardTags
        ? system.withContextTags(RunContext.standardTags(Path.of(""))) : Map.of();
    this.seedHooks = SeedHooks.load(Tracker.class);
    this.resumeRunId = new AtomicReference<>(b.resumeRun);
    this.pipeline = new Pipeline(Sinks.forBackend(backend, b.clock, b.uploadsInFlight),
        backend.describe(), b.batchSize, b.queueCapacity, b.flushInterval);
    if (b.shutdownHook) {
      shutdownHook = new Thread(this::onShutdown, "tracker-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } else {
      shutdownHook = null;
    }
    if (!b.noop) {
      log.info("tracking to {}", backend.describe());
    }
  }

  /**
   * A tracker configured from system properties and environment variables (see the class
   * javadoc), or {@value #DEFAULT_URI}.
   *
   * @throws TrackerException when no backend on the class path serves the configured URI
   */
  public static Tracker create() {
    return builder().build();
  }

  /** A builder for a tracker; settings not given are read as {@link #create()} reads them. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A tracker that validates everything and records nothing: for code paths that must run
   * without tracking. Never used as a silent fallback.
   */
  public static Tracker noop() {
    Builder b = builder().backend(new NoopBackend()).shutdownHook(false).standardTags(false)
        .systemMetrics(false);
    b.noop = true;
    return b.build();
  }

  /** The configured default experiment. */
  public Experiment experiment() {
    return experiment(config.experiment);
  }

  /**
   * An experiment by name; it is created in the backend when its first run starts.
   *
   * @throws IllegalArgumentException when the name is null, blank, longer than 500 characters,
   *     or holds a lone surrogate (MLflow's rules: {@code /Users/me/exp}, control characters and
   *     emoji are valid names)
   */
  public Experiment experiment(String name) {
    return new Experiment(this, TrackerSettings.checkExperimentName(name));
  }

  /**
   * A search for runs in MLflow's syntax; see {@link RunQuery}. Reading happens on the caller's
   * thread and never waits for logging.
   */
  public RunQuery runs() {
    checkOpen();
    return RunQuery.of(backend, this::checkOpen);
  }

  /**
   * A run read whole, by id, unique id prefix or (on a server) the server's id.
   *
   * @throws IllegalArgumentException when no run or several runs match
   * @throws TrackerException when the backend fails
   */
  public RunData run(String runId) {
    checkOpen();
    return new RunReader(backend).run(runId);
  }

  /** Every point of a metric of a run (named as for {@link #run(String)}), in logging order. */
  public List<Metric> history(String runId, String key) {
    checkOpen();
    return new RunReader(backend).history(runId, key);
  }

  /**
   * Copies a run's artifact {@code path} (a file, or a folder and everything under it; empty
   * for all) to {@code destination/path} and returns that path.
   *
   * @throws IllegalArgumentException when the run has no such artifact, or the destination is
   *     a file
   */
  public Path downloadArtifacts(String runId, String path, Path destination) {
    checkOpen();
    return new RunReader(backend).downloadArtifacts(runId, path, destination);
  }

  /** The model registry of the backend: see {@link ModelRegistry}. */
  public ModelRegistry models() {
    checkOpen();
    return new ModelRegistry(this, backend, config.closeTimeout);
  }

  /**
   * Waits until every record logged before this call is durable: written by a local backend, or
   * appended to the journal of a remote one and forced to disk; then waits at most about a second
   * more for the journal's delivery to the server.
   *
   * @return {@link FlushResult#DELIVERED} when the server took everything logged before, {@link
   *     FlushResult#SPOOLED} when some of it waits in the journal ({@link #backlog()} says how
   *     much and where); either way nothing logged before is lost
   * @throws TrackerException carrying every failure since the last flush that lost or refused
   *     records (refused by the server, an operation that can never succeed, a full disk), or
   *     when a remote backend's journal is at its limit and the server takes nothing
   * @throws IllegalStateException when the tracker is closed
   */
  public FlushResult flush() {
    checkOpen();
    return pipeline.awaitFlush(null);
  }

  /**
   * Like {@link #flush()}, but waits for delivery to the server until {@code timeout} has
   * passed; returns within the timeout plus a second whatever the server does.
   *
   * @throws TrackerException when records are not even durable within the timeout, or a second
   *     for a shorter one (a local backend still writing); they stay queued and are written
   * @throws IllegalArgumentException when the timeout is negative
   */
  public FlushResult flush(Duration timeout) {
    checkOpen();
    return pipeline.awaitFlush(Objects.requireNonNull(timeout, "timeout"));
  }

  /**
   * Ends every open run as {@link RunStatus#FINISHED}, flushes, waits for delivery up to {@link
   * Builder#closeTimeout(Duration)}, stops the dispatcher and the uploader and closes the backend;
   * returns within the close timeout plus a second whatever the server does. Once this returns
   * normally, every record logged is written, delivered, or waits in the journal: {@link
   * #backlog()} then says how many operations, in which directory, and which runs' ends among
   * them (the server shows those runs RUNNING until the next tracker for the server or {@code
   * tracker sync} delivers them, or may not have a run whose creation waits too); a WARN says
   * the same. Safe to call twice; the second call does
   * nothing. Logging after close throws {@link IllegalStateException}.
   *
   * @throws TrackerException carrying every failure that lost or refused records, not yet
   *     reported
   */
  @Override
  public void close() {
    closeWith(RunStatus.FINISHED);
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook is running or will run; it finds the tracker closed
      }
    }
  }

  /**
   * What this tracker logged to a server and has not delivered yet (always empty for a local
   * backend): after {@link #close()}, what waits in the journal for the next tracker or {@code
   * tracker sync}.
   */
  public Backlog backlog() {
    Backlog left = closedBacklog;
    return left != null ? left : pipeline.backlog();
  }

  /** True once {@link #close()} was called. */
  public boolean isClosed() {
    return openRuns.isClosed();
  }

  /** Where this tracker records, without credentials, e.g. {@code file:./runs}. */
  public String uri() {
    return backend.describe();
  }

  @Override
  public String toString() {
    return "Tracker{" + backend.describe() + (openRuns.isClosed() ? ", closed" : "") + "}";
  }

  // ------------------------------------------------------------------------------- internals

  private void closeWith(RunStatus status) {
    if (!openRuns.close(status)) {
      return;
    }
    system.close();
    closedBacklog = pipeline.shutdown(config.closeTimeout);
  }

  void onShutdown() {
    if (openRuns.isClosed()) {
      return;
    }
    endedByShutdownHook = true;
    try {
      closeWith(RunStatus.KILLED);
    } catch (RuntimeException e) {
      System.err.println("tracker: flushing at JVM shutdown failed: " + e.getMessage());
    }
  }

  /** True once the JVM shutdown hook ended this tracker's runs (the JVM is going down). */
  boolean endedByShutdownHook() {
    return endedByShutdownHook;
  }

  void checkOpen() {
    openRuns.checkOpen();
  }

  Run startRun(Experiment experiment, String name, Long seed, Map<String, String> userTags,
      Run parent) {
    checkOpen();
    ResumedRun resumed = parent == null
        ? ResumedRun.claim(resumeRunId, backend, experiment.name(), seed) : null;
    if (resumed != null && !resumed.experimentName().equals(experiment.name())) {
      experiment = new Experiment(this, resumed.experimentName());
    }
    String id = resumed != null ? resumed.id() : ResumedRun.newId();
    String runName = name != null ? name : "run-" + id.substring(0, Math.min(8, id.length()));
    long root = seed != null ? seed
        : resumed != null && resumed.seed() != null ? resumed.seed()
        : parent != null ? parent.seeds().derive(name != null ? runName : parent.unnamedChild())
        : config.seed != null ? config.seed
        : ThreadLocalRandom.current().nextLong() & 0x7fff_ffff_ffff_ffffL;
    Seeds seeds = Seeds.of(root);
    Map<String, String> tags = StartTags.of(standardTags, runName, parent == null ? null
        : parent.id(), seedHooks.seed(seeds), userTags);
    RunSpec spec = new RunSpec(id, null, experiment.name(), runName, clock.millis(), tags,
        parent == null ? null : parent.id(), resumed != null);
    Run run = new Run(this, experiment, spec, seeds, pipeline.open(spec), clock);
    run.recordedParams(resumed != null ? resumed.params() : Map.of());
    openRuns.add(run);
    run.logParam(Seeds.SEED_PARAM, root);
    system.runStarted(run);
    return run;
  }

  void runEnded(Run run) {
    openRuns.remove(run);
    system.runEnded(run);
  }

  Pipeline pipelineForTest() {
    return pipeline;
  }

  SystemMonitor systemForTest() {
    return system;
  }

  FlushResult flushForRun() {
    return pipeline.awaitFlush(null);
  }

  /**
   * Builds a {@link Tracker}. Settings not given fall back to system properties, then the
   * environment, then the defaults (see {@link Tracker}).
   */
  public static final class Builder {
    String uri;
    String experiment;
    Long seed;
    String resumeRun;
    TrackingBackend backend;
    int batchSize = DEFAULT_BATCH_SIZE;
    int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
    Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    Integer uploadsInFlight;
    boolean shutdownHook = true;
    boolean standardTags = true;
    Boolean systemMetrics;
    Duration systemMetricsInterval;
    boolean noop;
    InstantSource clock = InstantSource.system();
    Function<String, String> systemProperties = System::getProperty;
    Function<String, String> environment = System::getenv;

    private Builder() {}

    /** Where to record: {@code file:./runs}, {@code http://host:5000}, … */
    public Builder uri(String uri) {
      this.uri = uri;
      return this;
    }

    /** The experiment of {@link Tracker#experiment()}. */
    public Builder experiment(String name) {
      this.experiment = name;
      return this;
    }

    /** The root seed of every run that is given none (default: drawn at random per run). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Resume the run with this id: the first top-level run started continues it instead of
     * creating a new one (several JVMs can log into one run this way). The resumed run goes on
     * with the root seed it recorded (its {@code seed} param), read back from a backend that can
     * read runs; a seed given to it must be that one. Its params stay write-once: another value
     * for one it recorded throws {@link IllegalArgumentException} at the call. The id may be a
     * unique prefix of a run's id (as {@code tracker runs} shows it); the run continues in its
     * own experiment. An id that names no run starts a new run with that id when it is a full
     * id (32 lowercase hex characters), and otherwise makes the run's start throw {@link
     * IllegalArgumentException}.
     */
    public Builder resumeRun(String runId) {
      this.resumeRun = runId;
      return this;
    }

    /** A backend to use instead of finding one for the URI with {@link java.util.ServiceLoader}. */
    public Builder backend(TrackingBackend backend) {
      this.backend = backend;
      return this;
    }

    /** The most records per batch; default {@value Tracker#DEFAULT_BATCH_SIZE}. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * The most records waiting per run before logging waits; default {@value
     * Tracker#DEFAULT_QUEUE_CAPACITY}.
     */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * The longest a record waits before it is sent; default 1 second. For a remote backend,
     * while its server keeps up (nothing journaled waits for delivery), records go out every
     * 100 ms, so that the server follows the loop closely and a run's close finds little left
     * to send.
     */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = interval;
      return this;
    }

    /** The most requests in flight to a server ({@code TRACKER_UPLOADS_IN_FLIGHT}); 1 to 64. */
    public Builder uploadsInFlight(int requests) {
      this.uploadsInFlight = requests;
      return this;
    }

    /** How long {@link Tracker#close()} waits for the backend; default 60 seconds. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * Whether a JVM shutdown hook flushes and ends open runs as {@link RunStatus#KILLED}; on by
     * default.
     */
    public Builder shutdownHook(boolean enabled) {
      this.shutdownHook = enabled;
      return this;
    }

    /**
     * Whether runs get the standard {@code mlflow.*} tags and the run context at start (host,
     * OS, CPUs, JVM and its redacted arguments, git commit, branch, remote and dirty flag as
     * tags; the class path's jars and versions as the artifact {@code tracker.dependencies.txt}
     * of each top-level run); on by default.
     */
    public Builder standardTags(boolean enabled) {
      this.standardTags = enabled;
      return this;
    }

    /**
     * Whether every run also records system metrics under {@code system/} (CPU, memory, disk,
     * network, JVM heap, GC and threads, NVIDIA GPUs through {@code nvidia-smi}) every {@link
     * #systemMetricsInterval(Duration)}, with the sample index as the step. Sampling runs on one
     * daemon thread ({@code tracker-system-metrics}) and stops when the run ends. Off unless
     * configured ({@code tracker.systemMetrics}, {@code TRACKER_SYSTEM_METRICS}, {@code
     * MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING}).
     */
    public Builder systemMetrics(boolean enabled) {
      this.systemMetrics = enabled;
      return this;
    }

    /**
     * How often system metrics are sampled; default 10 seconds, at least 100 ms. The first sample
     * (step 0) is taken as the run starts; CPU shares, which need a window, start at step 1.
     */
    public Builder systemMetricsInterval(Duration interval) {
      this.systemMetricsInterval = interval;
      return this;
    }

    /** The clock for timestamps; the system clock by default. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where system properties are read; {@code System::getProperty} by default. */
    public Builder systemProperties(Function<String, String> lookup) {
      this.systemProperties = Objects.requireNonNull(lookup, "lookup");
      return this;
    }

    /** Where environment variables are read; {@code System::getenv} by default. */
    public Builder environment(Function<String, String> lookup) {
      this.environment = Objects.requireNonNull(lookup, "lookup");
      return this;
    }

    /** A builder with this builder's settings. */
    public Builder toBuilder() {
      Builder b = new Builder();
      b.uri = uri;
      b.experiment = experiment;
      b.seed = seed;
      b.resumeRun = resumeRun;
      b.backend = backend;
      b.batchSize = batchSize;
      b.queueCapacity = queueCapacity;
      b.flushInterval = flushInterval;
      b.closeTimeout = closeTimeout;
      b.uploadsInFlight = uploadsInFlight;
      b.shutdownHook = shutdownHook;
      b.standardTags = standardTags;
      b.systemMetrics = systemMetrics;
      b.systemMetricsInterval = systemMetricsInterval;
      b.noop = noop;
      b.clock = clock;
      b.systemProperties = systemProperties;
      b.environment = environment;
      return b;
    }

    /**
     * Resolves the settings, finds the backend and starts the dispatcher.
     *
     * @throws IllegalArgumentException when a setting is invalid, naming it
     * @throws TrackerException when no backend serves the URI, or the backend cannot start
     */
    public Tracker build() {
      Builder b = toBuilder();
      TrackerSettings.resolve(b);
      return new Tracker(b, TrackerSettings.backend(b));
    }
  }
}
