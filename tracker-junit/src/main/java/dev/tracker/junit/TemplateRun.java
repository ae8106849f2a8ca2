package dev.tracker.junit;

import dev.tracker.Run;
import dev.tracker.RunStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * The parent run of a parameterized or repeated test, kept in the store of the test template and
 * closed when its last invocation has run. Started with the first invocation, so a template that
 * is skipped creates no run. Ends FAILED when an invocation failed, KILLED when every invocation
 * was aborted, FINISHED otherwise.
 */
@SuppressWarnings("deprecation") // CloseableResource: deprecated in JUnit 5.13, needed for 5.10
final class TemplateRun implements ExtensionContext.Store.CloseableResource, AutoCloseable {
  private final ExtensionContext context;
  private final PlanState plan;
  private final PlanState.Started started;
  private final long startNanos = System.nanoTime();
  private final AtomicInteger invocations = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger aborted = new AtomicInteger();

  TemplateRun(ExtensionContext context, PlanState plan, PlanState.Started started) {
    this.context = context;
    this.plan = plan;
    this.started = started;
  }

  /** The parent of the invocations' runs, or null when this run is not tracked. */
  Run parent() {
    return started.tracked() ? started.run() : null;
  }

  /** Counts an invocation's outcome; called by each invocation's {@link TestRun}. */
  void finished(RunStatus status) {
    invocations.incrementAndGet();
    if (status == RunStatus.FAILED) {
      failed.incrementAndGet();
    } else if (status == RunStatus.KILLED) {
      aborted.incrementAndGet();
    }
  }

  @Override
  public void close() {
    Optional<Throwable> thrown = context.getExecutionException();
    int n = invocations.get();
    Map<String, String> tags = new LinkedHashMap<>();
    RunStatus status;
    if (thrown.isPresent() && !(thrown.get() instanceof TestAbortedException)) {
      status = RunStatus.FAILED;
      tags.put(TrackerExtension.FAILURE_TAG, TrackerExtension.describe(thrown.get()));
    } else if (failed.get() > 0) {
      status = RunStatus.FAILED;
      tags.put(TrackerExtension.FAILURE_TAG, failed.get() + " of " + n + " invocations failed");
    } else if (thrown.isPresent() || (n > 0 && aborted.get() == n)) {
      status = RunStatus.KILLED;
      thrown.ifPresent(t -> tags.put(TrackerExtension.ABORTED_TAG, TrackerExtension.describe(t)));
    } else {
      status = RunStatus.FINISHED;
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put(TrackerExtension.INVOCATIONS_METRIC, (double) n);
    metrics.put(TrackerExtension.DURATION_METRIC, (System.nanoTime() - startNanos) / 1e6);
    plan.end(context, started, status, tags, metrics);
  }
}
