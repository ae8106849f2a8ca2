package dev.tracker.junit;

import dev.tracker.Run;
import dev.tracker.RunStatus;
import dev.tracker.Seeds;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Random;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * The run of one test (a test method, or one invocation of a parameterized or repeated test),
 * kept in the test's store. JUnit closes it after the test and its {@code @AfterEach} methods, and
 * it ends the run with the test's outcome read from {@link
 * ExtensionContext#getExecutionException()} (a {@code TestWatcher} would only be called after
 * store resources are closed).
 */
@SuppressWarnings("deprecation") // CloseableResource: deprecated in JUnit 5.13, needed for 5.10
final class TestRun implements ExtensionContext.Store.CloseableResource, AutoCloseable {
  private final ExtensionContext context;
  private final PlanState plan;
  private final PlanState.Started started;
  private final RootSeed rootSeed;
  private final long seed;
  private final TemplateRun template;
  private final long startNanos = System.nanoTime();
  private final AtomicInteger dynamicTests = new AtomicInteger();
  private final AtomicInteger dynamicFailed = new AtomicInteger();
  private final Object lock = new Object();
  private Random random; // guarded by lock
  private RandomGenerator generator; // guarded by lock

  TestRun(ExtensionContext context, PlanState plan, PlanState.Started started, RootSeed rootSeed,
      long seed, TemplateRun template) {
    this.context = context;
    this.plan = plan;
    this.started = started;
    this.rootSeed = rootSeed;
    this.seed = seed;
    this.template = template;
  }

  Run run() {
    return started.run();
  }

  Seeds seeds() {
    return started.run().seeds();
  }

  /** The test's {@link Random}: {@code new Random(seed)}, one per test. */
  Random random() {
    synchronized (lock) {
      if (random == null) {
        random = new Random(seed);
      }
      return random;
    }
  }

  /** The test's generator: {@value Seeds#GENERATOR_ALGORITHM} seeded with the seed, one a test. */
  RandomGenerator generator() {
    synchronized (lock) {
      if (generator == null) {
        generator = RandomGeneratorFactory.<RandomGenerator>of(Seeds.GENERATOR_ALGORITHM)
            .create(seed);
      }
      return generator;
    }
  }

  /** Throws when the run could not be tracked and {@code tracker.failOnError} is set. */
  void failIfAsked() {
    if (!started.tracked() && plan.failOnError()) {
      throw PlanState.failure("tracking '" + context.getDisplayName() + "'", started.failure());
    }
  }

  /** Counts a dynamic test of this {@code @TestFactory}; {@code failure} null when it passed. */
  void dynamicTestFinished(Throwable failure) {
    dynamicTests.incrementAndGet();
    if (failure != null && statusOf(Optional.of(failure)) == RunStatus.FAILED) {
      dynamicFailed.incrementAndGet();
      addHint(failure);
    }
  }

  @Override
  public void close() {
    Optional<Throwable> thrown = context.getExecutionException();
    RunStatus status = statusOf(thrown);
    int failedDynamic = dynamicFailed.get();
    if (thrown.isEmpty() && failedDynamic > 0) {
      status = RunStatus.FAILED;
    }
    if (template != null) {
      template.finished(status);
    }
    Map<String, String> tags = new LinkedHashMap<>();
    if (status == RunStatus.FAILED && thrown.isEmpty()) {
      tags.put(TrackerExtension.FAILURE_TAG, failedDynamic + " of " + dynamicTests.get()
          + " dynamic tests failed");
    } else if (status == RunStatus.FAILED) {
      tags.put(TrackerExtension.FAILURE_TAG, TrackerExtension.describe(thrown.get()));
      addHint(thrown.get());
    } else if (status == RunStatus.KILLED) {
      tags.put(TrackerExtension.ABORTED_TAG, TrackerExtension.describe(thrown.get()));
    }
    double millis = (System.nanoTime() - startNanos) / 1e6;
    plan.end(context, started, status, tags, Map.of(TrackerExtension.DURATION_METRIC, millis));
  }

  static RunStatus statusOf(Optional<Throwable> thrown) {
    if (thrown.isEmpty()) {
      return RunStatus.FINISHED;
    }
    return thrown.get() instanceof TestAbortedException ? RunStatus.KILLED : RunStatus.FAILED;
  }

  private void addHint(Throwable failure) {
    for (Throwable s : failure.getSuppressed()) {
      if (s instanceof RerunHint) {
        return; // the same exception object failed another test too
      }
    }
    try {
      failure.addSuppressed(new RerunHint(hint()));
    } catch (RuntimeException e) {
      // an exception type that refuses suppressed exceptions: the run's tags still tell
    }
  }

  /** "tracked run <id> (experiment 'x'), seed <seed> from root seed <root>: rerun with ...". */
  String hint() {
    Run run = started.run();
    String where = started.tracked()
        ? "tracked run " + run.id() + " (experiment '" + run.experiment().name() + "')"
        : "untracked run (" + started.failure().getMessage() + ")";
    String how = rootSeed.source() == RootSeed.Source.ANNOTATION
        ? "fixed by @Seed(" + rootSeed.value() + "), a rerun uses the same seed"
        : "rerun with -D" + TrackerExtension.SEED_KEY + "=" + rootSeed.value();
    return where + ", seed " + seed + " from root seed " + rootSeed.value() + ": " + how;
  }
}
