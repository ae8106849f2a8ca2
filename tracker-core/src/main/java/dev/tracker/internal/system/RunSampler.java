package dev.tracker.internal.system;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the system for one run: the first sample as soon as the run starts (so that even a short
 * run has one), then one every {@code interval} (measured from the end of the previous one), each
 * logged under {@value #PREFIX} with the sample index as the step. Each source's values are logged
 * as soon as they are read, so a slow source (nvidia-smi) never holds back the others. Every task
 * runs on the scheduler's thread; nothing here throws into the scheduler or the user's code.
 */
final class RunSampler {
  static final String PREFIX = "system/";

  private static final Logger log = LoggerFactory.getLogger(RunSampler.class);

  private final RunHandle run;
  private final List<MetricSource> sources;
  private final Scheduler scheduler;
  private final InstantSource clock;
  private final Duration interval;
  private final Warnings warnings;

  private final Object lock = new Object();
  private Scheduler.Scheduled next; // guarded by lock
  private boolean stopped; // guarded by lock

  // sampling-thread state
  private final List<MetricSource> started = new ArrayList<>();
  private final Map<String, String> tagsSet = new HashMap<>();
  private long step;

  RunSampler(RunHandle run, List<MetricSource> sources, Scheduler scheduler, InstantSource clock,
      Duration interval, Warnings warnings) {
    this.run = Objects.requireNonNull(run);
    this.sources = List.copyOf(sources);
    this.scheduler = scheduler;
    this.clock = clock;
    this.interval = interval;
    this.warnings = warnings;
  }

  /** Schedules the start at once; returns without waiting. */
  void start() {
    schedule(this::begin, Duration.ZERO);
  }

  /** Cancels the next sample; a sample running now finishes but logs nothing more once stopped. */
  void stop() {
    synchronized (lock) {
      stopped = true;
      if (next != null) {
        next.cancel();
        next = null;
      }
    }
  }

  boolean isStopped() {
    synchronized (lock) {
      return stopped;
    }
  }

  private void schedule(Runnable task, Duration delay) {
    synchronized (lock) {
      if (!stopped) {
        next = scheduler.schedule(() -> guarded(task), delay);
      }
    }
  }

  /** The scheduler's thread must survive anything a source does. */
  private void guarded(Runnable task) {
    try {
      task.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      warnings.warn("sampler", "system metrics sampling failed; it goes on: {}", t.toString());
    }
  }

  private void begin() {
    for (MetricSource source : sources) {
      try {
        if (source.start()) {
          started.add(source);
        } else {
          log.debug("system metrics: {} is not available here", source.name());
        }
      } catch (Exception | LinkageError e) {
        warnings.warn(source.name(), "system metrics: {} cannot be measured and is left out: {}",
            source.name(), e.toString());
      }
    }
    tick();
  }

  private void tick() {
    try {
      sampleOnce();
    } finally {
      schedule(this::tick, interval);
    }
  }

  /** Takes one sample and logs it at the next step. */
  void sampleOnce() {
    long timestamp = clock.millis();
    for (MetricSource source : started) {
      if (Thread.currentThread().isInterrupted() || isStopped() || !run.active()) {
        stop(); // the run ended or the tracker is closing
        return;
      }
      Sample sample = new Sample();
      try {
        source.sample(sample);
      } catch (Exception | LinkageError e) {
        warnings.warn(source.name(), "system metrics: reading {} failed; it is tried again next"
            + " sample: {}", source.name(), e.toString());
      }
      try {
        for (Map.Entry<String, Double> m : sample.metrics().entrySet()) {
          log(source, m.getKey(), () -> run.metric(PREFIX + m.getKey(), m.getValue(), step,
              timestamp));
        }
        for (Map.Entry<String, String> t : sample.tags().entrySet()) {
          if (!t.getValue().equals(tagsSet.put(t.getKey(), t.getValue()))) {
            log(source, t.getKey(), () -> run.tag(t.getKey(), t.getValue()));
          }
        }
      } catch (IllegalStateException ended) {
        // the run ended (or the tracker closed) while this sample was logged
        stop();
        return;
      }
    }
    step++;
  }

  /**
   * Logs one value; one the run refuses (a key or value past its limits) is left out, so that
   * the rest of the sample is still logged and the next sample gets the next step.
   */
  private void log(MetricSource source, String key, Runnable logging) {
    try {
      logging.run();
    } catch (IllegalArgumentException refused) {
      warnings.warn(source.name(), "system metrics: {} is left out: {}", key,
          refused.getMessage());
    }
  }
}
