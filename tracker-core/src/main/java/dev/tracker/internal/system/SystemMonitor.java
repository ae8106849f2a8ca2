package dev.tracker.internal.system;

import dev.tracker.Run;
import dev.tracker.RunStatus;
import dev.tracker.internal.Launch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tracker's system metrics and run context. The tracker calls {@link #withContextTags} once,
 * {@link #runStarted} and {@link #runEnded} for each run, and {@link #close} once; nothing here
 * throws into the tracker or the user's code.
 *
 * <p>With metrics on, each run gets a sampler on the tracker's one {@value
 * ExecutorScheduler#THREAD_NAME} daemon thread: the first sample as the run starts, then one per
 * interval, until the run ends.
 *
 * <p>With context on, the context tags join the standard tags of every run, and what takes longer
 * to find (the git dirty flag, the dependencies artifact) is computed on a background thread as
 * the tracker starts; a run started before it is ready waits for it at most {@link
 * #CONTEXT_WAIT}, and gets it when it is ready otherwise.
 */
public final class SystemMonitor implements AutoCloseable {
  /** The longest one {@code nvidia-smi} query may take; it is killed then. */
  static final Duration GPU_TIMEOUT = Duration.ofSeconds(5);
  /** The longest {@code git status} may take; the dirty flag is "unknown" then. */
  static final Duration GIT_TIMEOUT = Duration.ofSeconds(2);
  /** The longest a starting run waits for the background part of the context. */
  static final Duration CONTEXT_WAIT = Duration.ofSeconds(3);

  private static final Logger log = LoggerFactory.getLogger(SystemMonitor.class);

  private final boolean metrics;
  private final Duration interval;
  private final Platform platform;
  private final Scheduler scheduler;
  private final Warnings warnings = new Warnings();
  private final NvidiaSmi nvidiaSmi;
  private final RunContextTags context; // null when context is off
  private final Map<Object, RunSampler> samplers = new ConcurrentHashMap<>();

  /**
   * Where the monitor reads from; tests replace every part.
   *
   * @param storage the backend's local directory, whose disk is measured (else workDir's)
   * @param classPath the class path's entries for the dependencies artifact
   */
  record Platform(ProcFs proc, JvmProbe jvm, Function<String, String> env, LongSupplier nanoTime,
      InstantSource clock, Path workDir, Supplier<Optional<Path>> storage,
      Supplier<List<Path>> classPath, Duration gpuTimeout, Duration gitTimeout,
      Duration contextWait) {}

  SystemMonitor(boolean metrics, Duration interval, boolean context, Platform platform,
      Scheduler scheduler, Executor background) {
    this.metrics = metrics;
    this.interval = interval;
    this.platform = platform;
    this.scheduler = scheduler;
    this.nvidiaSmi = new NvidiaSmi(() -> platform.env().apply("PATH"), platform.gpuTimeout(),
        warnings);
    this.context = context ? new RunContextTags(platform.jvm(), platform.proc(), platform.env(),
        platform.workDir(), platform.gitTimeout(), platform.classPath(), background) : null;
  }

  /**
   * The monitor of a tracker.
   *
   * @param metrics whether runs record system metrics
   * @param interval the sampling interval
   * @param context whether runs record the run context (tags and the dependencies artifact)
   * @param env the tracker's view of the environment (PATH for nvidia-smi and git)
   * @param clock the tracker's clock, for metric timestamps
   * @param storage the backend's local directory, if it has one
   */
  public static SystemMonitor create(boolean metrics, Duration interval, boolean context,
      Function<String, String> env, InstantSource clock, Supplier<Optional<Path>> storage) {
    String javaClassPath = System.getProperty("java.class.path");
    boolean launched = Launch.current().launched();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    // the management beans cost a few milliseconds the first time: only when something uses them
    JvmProbe jvm = metrics || context ? new PlatformJvmProbe() : null;
    Platform platform = new Platform(new ProcFs(ProcFs.DEFAULT_ROOT), jvm, env,
        System::nanoTime, clock, Path.of(""), storage,
        () -> Dependencies.classPath(javaClassPath, launched, loader), GPU_TIMEOUT, GIT_TIMEOUT,
        CONTEXT_WAIT);
    Executor background = r -> {
      Thread t = new Thread(r, "tracker-context");
      t.setDaemon(true);
      t.start();
    };
    return new SystemMonitor(metrics, interval, context, platform, new ExecutorScheduler(),
        background);
  }

  /** Whether runs record system metrics. */
  public boolean metricsEnabled() {
    return metrics;
  }

  /** The sampling interval. */
  public Duration interval() {
    return interval;
  }

  /** {@code standardTags} with the context tags added (unchanged when context is off). */
  public Map<String, String> withContextTags(Map<String, String> standardTags) {
    if (context == null) {
      return standardTags;
    }
    Map<String, String> all = new LinkedHashMap<>(standardTags);
    context.tags().forEach(all::putIfAbsent);
    return Map.copyOf(all);
  }

  /** Records the rest of the context on a run that just started, and starts its sampler. */
  public void runStarted(Run run) {
    runStarted(run, handle(run));
  }

  /** Stops the run's sampler. */
  public void runEnded(Run run) {
    stopSampler(run);
  }

  void runStarted(Object key, RunHandle run) {
    try {
      if (context != null) {
        recordLateContext(run);
      }
      if (metrics) {
        startSampler(key, run);
      }
    } catch (RuntimeException | LinkageError e) {
      warnings.warn("start", "system metrics: starting failed for a run: {}", e.toString());
    }
  }

  void stopSampler(Object key) {
    RunSampler s = samplers.remove(key);
    if (s != null) {
      s.stop();
    }
  }

  /** Stops every sampler and the sampling thread. */
  @Override
  public void close() {
    for (Object key : List.copyOf(samplers.keySet())) {
      stopSampler(key);
    }
    scheduler.shutdown();
  }

  /** The number of runs being sampled now (for tests and diagnostics). */
  public int activeSamplers() {
    return samplers.size();
  }

  NvidiaSmi nvidiaSmi() {
    return nvidiaSmi;
  }

  Warnings warnings() {
    return warnings;
  }

  private void startSampler(Object key, RunHandle run) {
    Platform p = platform;
    List<MetricSource> sources = List.of(
        new CpuSource(p.proc(), p.jvm(), p.nanoTime()),
        new MemorySource(p.proc(), p.jvm()),
        new DiskSource(() -> p.storage().get().orElse(p.workDir())),
        new NetworkSource(p.proc()),
        new JvmSource(p.jvm()),
        new GpuSource(nvidiaSmi));
    RunSampler sampler = new RunSampler(run, sources, scheduler, p.clock(), interval, warnings);
    if (samplers.isEmpty()) {
      log.debug("recording system metrics every {} ms", interval.toMillis());
    }
    samplers.put(key, sampler);
    sampler.start();
  }

  private void recordLateContext(RunHandle run) {
    CompletableFuture<RunContextTags.Late> late = context.late();
    RunContextTags.Late ready = null;
    try {
      ready = late.get(platform.contextWait().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.debug("run context could not be found: {}", e.getCause().toString());
      return;
    } catch (TimeoutException e) {
      // still busy: record it when done, if the run still runs
    }
    if (ready != null) {
      record(run, ready);
    } else {
      late.thenAccept(l -> record(run, l));
    }
  }

  private static void record(RunHandle run, RunContextTags.Late late) {
    try {
      if (!run.active()) {
        return;
      }
      late.tags().forEach(run::tag);
      if (late.dependencies() != null && run.topLevel()) {
        run.text(late.dependencies(), Dependencies.ARTIFACT);
      }
    } catch (RuntimeException ended) {
      log.debug("run context not recorded: {}", ended.toString());
    }
  }

  private static RunHandle handle(Run run) {
    return new RunHandle() {
      @Override
      public boolean active() {
        return run.status() == RunStatus.RUNNING;
      }

      @Override
      public boolean topLevel() {
        return run.parentRunId() == null;
      }

      @Override
      public void metric(String key, double value, long step, long timestampMillis) {
        run.logMetric(key, value, step, timestampMillis);
      }

      @Override
      public void tag(String key, String value) {
        run.setTag(key, value);
      }

      @Override
      public void text(String text, String artifactFile) {
        run.logText(text, artifactFile);
      }
    };
  }
}
