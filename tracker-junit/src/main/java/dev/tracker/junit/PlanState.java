package dev.tracker.junit;

import dev.tracker.Experiment;
import dev.tracker.Run;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.spi.TrackingBackend;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker of a test plan, kept in the root store and closed (flushed) when the plan ends.
 * When the tracker cannot be created, the failure is kept instead, and runs go to a no-op tracker
 * so that tests still receive a {@link Run} and its seeds.
 *
 * <p>Implements both {@code AutoCloseable} (closed by JUnit 5.13 and later) and {@code
 * CloseableResource} (closed by JUnit 5.10 to 5.12); JUnit closes a value once either way.
 */
@SuppressWarnings("deprecation") // CloseableResource: deprecated in JUnit 5.13, needed for 5.10
final class PlanState implements ExtensionContext.Store.CloseableResource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrackerExtension.class);

  private final ExtensionContext root;
  private final Tracker tracker;
  private final RuntimeException failure;
  private final boolean failOnError;
  private final Object lock = new Object();
  private Tracker noop; // guarded by lock

  private PlanState(ExtensionContext root, Tracker tracker, RuntimeException failure,
      boolean failOnError) {
    this.root = root;
    this.tracker = tracker;
    this.failure = failure;
    this.failOnError = failOnError;
  }

  /** Creates the plan's tracker; never throws: a failure is kept and reported per test. */
  static PlanState start(ExtensionContext root, Settings settings, String uri,
      TrackingBackend backend, boolean failOnError) {
    try {
      Tracker.Builder b = Tracker.builder()
          .systemProperties(settings.trackerProperties())
          .environment(settings.trackerEnvironment());
      if (uri != null) {
        b.uri(uri);
      }
      if (backend != null) {
        b.backend(backend);
      }
      return new PlanState(root, b.build(), null, failOnError);
    } catch (RuntimeException e) {
      log.warn("tracker-junit: tests are not tracked: {}{}", e.getMessage(), failOnError ? ""
          : " (the tests run on; set " + TrackerExtension.FAIL_ON_ERROR_KEY
              + "=true to fail them instead)");
      return new PlanState(root, null, e, failOnError);
    }
  }

  boolean failOnError() {
    return failOnError;
  }

  /** A run started on the tracker, or on the no-op tracker with the reason it is not tracked. */
  record Started(Run run, RuntimeException failure) {
    boolean tracked() {
      return failure == null;
    }
  }

  /**
   * Starts a run; when that fails, reports why and starts an untracked one with the same seed.
   */
  Started start(ExtensionContext context, String experiment, String name, long seed,
      Map<String, String> tags, long rootSeed, Run parent) {
    RuntimeException problem = failure;
    if (tracker != null) {
      try {
        Experiment.RunBuilder b = tracker.experiment(experiment).newRun(name).seed(seed)
            .tags(tags);
        if (parent != null) {
          b.parent(parent);
        }
        Run run = b.start();
        run.logParam(TrackerExtension.ROOT_SEED_PARAM, rootSeed);
        return new Started(run, null);
      } catch (RuntimeException e) {
        warn("starting the run of '" + context.getDisplayName() + "'", e);
        problem = e;
      }
    }
    context.publishReportEntry(TrackerExtension.REPORT_KEY, "not tracked: " + problem.getMessage());
    Run run = noop().experiment(Tracker.DEFAULT_EXPERIMENT).newRun(null).seed(seed).start();
    return new Started(run, problem);
  }

  /**
   * Records the outcome and ends the run. With {@code failOnError}, waits until the backend has
   * the run and throws what went wrong; otherwise failures are logged and reported.
   *
   * @throws TrackerException only when {@code failOnError} is set
   */
  void end(ExtensionContext context, Started started, RunStatus status,
      Map<String, String> tags, Map<String, Double> metrics) {
    Run run = started.run();
    if (run.status().isTerminal()) {
      return; // the test ended its run itself: the status it chose stands
    }
    RuntimeException problem = null;
    try {
      run.setTags(tags);
      metrics.forEach(run::logMetric);
    } catch (RuntimeException e) {
      problem = e;
    }
    try {
      run.end(status);
      if (problem == null && started.tracked() && failOnError) {
        tracker.flush();
      }
    } catch (RuntimeException e) {
      if (problem == null) {
        problem = e;
      } else {
        problem.addSuppressed(e);
      }
    }
    if (problem != null) {
      String what = "recording the end of '" + context.getDisplayName() + "'";
      warn(what, problem);
      context.publishReportEntry(TrackerExtension.REPORT_KEY,
          what + " failed: " + problem.getMessage());
      if (failOnError) {
        throw failure(what, problem);
      }
    }
  }

  /** The exception that fails a test when tracking it failed and {@code failOnError} is set. */
  static TrackerException failure(String what, RuntimeException cause) {
    return new TrackerException(what + " failed and " + TrackerExtension.FAIL_ON_ERROR_KEY
        + " is true: " + cause.getMessage(), cause);
  }

  private void warn(String what, RuntimeException e) {
    log.warn("tracker-junit: {} failed: {}{}", what, e.toString(), failOnError ? ""
        : " (the test is not failed: " + TrackerExtension.FAIL_ON_ERROR_KEY + " is false)");
  }

  private Tracker noop() {
    synchronized (lock) {
      if (noop == null) {
        noop = Tracker.noop();
      }
      return noop;
    }
  }

  /**
   * Closes the tracker: ends runs still open, flushes, closes the backend. A failure is logged and
   * reported on the test plan; it is thrown only with {@code failOnError}.
   */
  @Override
  public void close() {
    Tracker n;
    synchronized (lock) {
      n = noop;
    }
    if (n != null) {
      n.close();
    }
    if (tracker == null) {
      return;
    }
    try {
      tracker.close();
    } catch (RuntimeException e) {
      warn("flushing the test plan's runs to " + tracker.uri(), e);
      root.publishReportEntry(TrackerExtension.REPORT_KEY, "flushing the runs to "
          + tracker.uri() + " failed: " + e.getMessage());
      if (failOnError) {
        throw failure("flushing the runs to " + tracker.uri(), e);
      }
    }
  }
}
