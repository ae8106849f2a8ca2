package dev.tracker.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunStatus;
import dev.tracker.Seeds;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

class TrackerExtensionTest {
  private static final String ENGINE = "[engine:junit-jupiter]";

  private final Kit kit = new Kit().parameter(TrackerExtension.SEED_KEY, "123");

  private static String classId(Class<?> c) {
    return ENGINE + "/[class:" + c.getName() + "]";
  }

  private static long seedOf(String uniqueId) {
    return Seeds.of(123).derive(uniqueId);
  }

  private static List<Double> values(List<Metric> metrics, String key) {
    return metrics.stream().filter(m -> m.key().equals(key)).map(Metric::value).toList();
  }

  // ------------------------------------------------------------------------------- outcomes

  @ExtendWith(TrackerExtension.class)
  @Tag("model")
  @Tag("fast")
  static class OutcomesTestCase {
    @Test
    @DisplayName("passes and logs accuracy")
    void passes(Run run) {
      run.logMetric("accuracy", 0.95);
    }

    @Test
    void fails() {
      fail("accuracy 0.5 is below 0.9");
    }

    @Test
    void aborts() {
      assumeTrue(false, "no GPU");
    }

    @Test
    @Disabled("not today")
    void skipped() {}
  }

  @Test
  void passingTestIsARunFinishedWithItsTagsSeedsAndDuration() {
    EngineExecutionResults results = kit.run(OutcomesTestCase.class);

    results.testEvents().assertStatistics(s -> s.started(3).succeeded(1).failed(1).aborted(1));
    String id = kit.runId("passes and logs accuracy");
    String uniqueId = classId(OutcomesTestCase.class) + "/[method:passes(dev.tracker.Run)]";
    assertThat(kit.backend.status(id)).isEqualTo(RunStatus.FINISHED);
    assertThat(kit.spec(id).experimentName()).isEqualTo(OutcomesTestCase.class.getName());
    assertThat(kit.spec(id).parentRunId()).isNull();
    assertThat(kit.backend.tags(id))
        .containsEntry("mlflow.runName", "passes and logs accuracy")
        .containsEntry(TrackerExtension.CLASS_TAG, OutcomesTestCase.class.getName())
        .containsEntry("mlflow.source.name", OutcomesTestCase.class.getName())
        .containsEntry(TrackerExtension.METHOD_TAG, "passes")
        .containsEntry(TrackerExtension.DISPLAY_NAME_TAG, "passes and logs accuracy")
        .containsEntry(TrackerExtension.UNIQUE_ID_TAG, uniqueId)
        .containsEntry(TrackerExtension.TAGS_TAG, "fast,model")
        .containsEntry(TrackerExtension.SEED_SOURCE_TAG, "tracker.seed")
        .doesNotContainKeys(TrackerExtension.FAILURE_TAG, TrackerExtension.ABORTED_TAG);
    assertThat(kit.backend.params(id)).isEqualTo(Map.of(
        "seed", String.valueOf(seedOf(uniqueId)), TrackerExtension.ROOT_SEED_PARAM, "123"));
    List<Metric> metrics = kit.backend.metrics(id);
    assertThat(values(metrics, "accuracy")).containsExactly(0.95);
    assertThat(values(metrics, TrackerExtension.DURATION_METRIC)).singleElement()
        .satisfies(ms -> assertThat(ms).isGreaterThanOrEqualTo(0.0));
  }

  @Test
  void failingTestIsARunFailedWithTheFailureInATagAndTheRerunHintInTheFailure() {
    EngineExecutionResults results = kit.run(OutcomesTestCase.class);

    String id = kit.runId("fails()");
    String uniqueId = classId(OutcomesTestCase.class) + "/[method:fails()]";
    assertThat(kit.backend.status(id)).isEqualTo(RunStatus.FAILED);
    assertThat(kit.backend.tags(id))
        .containsEntry(TrackerExtension.FAILURE_TAG, "java.lang.AssertionError: accuracy 0.5 is below 0.9");
    Throwable failure = Kit.throwable(results.testEvents().failed().list().get(0));
    assertThat(failure).hasMessage("accuracy 0.5 is below 0.9");
    assertRerunHint(failure, id, OutcomesTestCase.class, uniqueId);
  }

  /** The failure carries one suppressed {@link RerunHint} naming the run and root seed 123. */
  private static void assertRerunHint(Throwable failure, String runId, Class<?> testClass,
      String uniqueId) {
    assertThat(failure.getSuppressed()).singleElement(InstanceOfAssertFactories.THROWABLE)
        .isInstanceOf(RerunHint.class)
        .hasMessage("tracked run " + runId + " (experiment '" + testClass.getName()
            + "'), seed " + seedOf(uniqueId) + " from root seed 123: rerun with -Dtracker.seed=123");
  }

  @ExtendWith(TrackerExtension.class)
  static class LongFailureTestCase {
    static final String PREFIX = "java.lang.AssertionError: ";

    @Test
    void failsAtLength() {
      // the tag's cut (7999 characters and "…") would fall inside the emoji
      fail("x".repeat(7998 - PREFIX.length()) + "\uD83D\uDD25 and more");
    }
  }

  @Test
  void aFailureLongerThanATagIsCutBetweenCharactersAndStillRecorded() {
    kit.run(LongFailureTestCase.class);

    String id = kit.runId("failsAtLength()");
    assertThat(kit.backend.status(id)).isEqualTo(RunStatus.FAILED);
    assertThat(kit.backend.tags(id)).containsEntry(TrackerExtension.FAILURE_TAG,
        LongFailureTestCase.PREFIX + "x".repeat(7998 - LongFailureTestCase.PREFIX.length()) + "…");
  }

  @Test
  void abortedTestIsARunKilledWithTheReasonAndNoRerunHint() {
    EngineExecutionResults results = kit.run(OutcomesTestCase.class);

    String id = kit.runId("aborts()");
    assertThat(kit.backend.status(id)).isEqualTo(RunStatus.KILLED);
    assertThat(kit.backend.tags(id))
        .containsEntry(TrackerExtension.ABORTED_TAG,
            "org.opentest4j.TestAbortedException: Assumption failed: no GPU")
        .doesNotContainKey(TrackerExtension.FAILURE_TAG);
    Throwable abort = Kit.throwable(results.testEvents().aborted().list().get(0));
    assertThat(abort.getSuppressed()).isEmpty();
  }

  @Test
  void skippedTestCreatesNoRun() {
    EngineExecutionResults results = kit.run(OutcomesTestCase.class);

    results.testEvents().assertStatistics(s -> s.skipped(1));
    assertThat(kit.runIds()).hasSize(3);
    assertThat(kit.runIds()).extracting(id -> kit.spec(id).runName())
        .containsExactlyInAnyOrder("passes and logs accuracy", "fails()", "aborts()");
  }

  // ------------------------------------------------------------------------------- lifecycle

  @ExtendWith(TrackerExtension.class)
  static class AfterEachFailsTestCase {
    @Test
    void passes() {}

    @AfterEach
    void tearDown() {
      throw new IllegalStateException("could not delete the model file");
    }
  }

  @Test
  void failureInAfterEachEndsTheRunFailed() {
    kit.run(AfterEachFailsTestCase.class);

    String id = kit.runId("passes()");
    assertThat(kit.backend.status(id)).isEqualTo(RunStatus.FAILED);
    assertThat(kit.backend.tags(id)).containsEntry(TrackerExtension.FAILURE_TAG,
        "java.lang.IllegalStateException: could not delete the model file");
  }

  @ExtendWith(TrackerExtension.class)
  static class EndsItsRunTestCase {
    @Test
    void endsKilled(Run run) {
      run.end(RunStatus.KILLED);
    }
  }

  @Test
  void runTheTestEndedItselfKeepsItsStatusAndNothingIsReported() {
    EngineExecutionResults results = kit.run(EndsItsRunTestCase.class);

    results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(kit.backend.status(kit.runId("endsKilled(Run)"))).isEqualTo(RunStatus.KILLED);
    assertThat(Kit.reports(results)).isEmpty();
  }

  @Test
  void oneTrackerServesTheWholeTestPlanAndIsClosedWhenItEnds() {
    kit.run(OutcomesTestCase.class, AfterEachFailsTestCase.class);

    assertThat(kit.runIds()).hasSize(4);
    assertThat(kit.backend.calls()).filteredOn("close"::equals).hasSize(1);
    assertThat(kit.backend.calls()).last().isEqualTo("close");
    assertThat(kit.backend.listExperiments()).extracting(e -> e.name()).containsExactlyInAnyOrder(
        OutcomesTestCase.class.getName(), AfterEachFailsTestCase.class.getName());
  }

  // ------------------------------------------------------------------------------- templates

  @ExtendWith(TrackerExtension.class)
  static class TemplatesTestCase {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void scores(int k, Run run) {
      run.logMetric("k", k);
      if (k == 2) {
        fail("k is 2");
      }
    }

    @RepeatedTest(3)
    void repeats(Run run, RepetitionInfo info) {
      run.logMetric("repetition", info.getCurrentRepetition());
    }
  }

  @Test
  void parameterizedTestIsAParentRunWithAChildRunPerInvocation() {
    EngineExecutionResults results = kit.run(TemplatesTestCase.class);

    String templateId = classId(TemplatesTestCase.class)
        + "/[test-template:scores(int, dev.tracker.Run)]";
    String parent = kit.runId("scores(int, Run)");
    assertThat(kit.backend.status(parent)).isEqualTo(RunStatus.FAILED);
    assertThat(kit.backend.tags(parent))
        .containsEntry(TrackerExtension.UNIQUE_ID_TAG, templateId)
        .containsEntry(TrackerExtension.METHOD_TAG, "scores")
        .containsEntry(TrackerExtension.FAILURE_TAG, "1 of 3 invocations failed")
        .doesNotContainKey("mlflow.parentRunId");
    assertThat(kit.backend.params(parent)).containsEntry("seed", String.valueOf(seedOf(templateId)));
    assertThat(values(kit.backend.metrics(parent), TrackerExtension.INVOCATIONS_METRIC))
        .containsExactly(3.0);

    List<String> children = kit.children(parent);
    List<Event> invocations = results.testEvents().started().list();
    assertThat(children).extracting(id -> kit.spec(id).runName()).containsExactlyInAnyOrderElementsOf(
        invocations.stream().map(e -> e.getTestDescriptor().getDisplayName())
            .filter(name -> name.startsWith("[")).toList());
    for (int k = 1; k <= 3; k++) {
      String uniqueId = templateId + "/[test-template-invocation:#" + k + "]";
      String child = children.stream()
          .filter(id -> kit.backend.tags(id).get(TrackerExtension.UNIQUE_ID_TAG).equals(uniqueId))
          .findFirst().orElseThrow();
      assertThat(kit.backend.tags(child)).containsEntry("mlflow.parentRunId", parent);
      assertThat(kit.spec(child).experimentName()).isEqualTo(TemplatesTestCase.class.getName());
      assertThat(kit.backend.params(child)).containsEntry("seed", String.valueOf(seedOf(uniqueId)));
      assertThat(values(kit.backend.metrics(child), "k")).containsExactly((double) k);
      assertThat(kit.backend.status(child))
          .isEqualTo(k == 2 ? RunStatus.FAILED : RunStatus.FINISHED);
    }
  }

  @Test
  void repeatedTestIsAParentRunWithAChildRunPerRepetition() {
    kit.run(TemplatesTestCase.class);

    String parent = kit.runId("repeats(Run, RepetitionInfo)");
    assertThat(kit.backend.status(parent)).isEqualTo(RunStatus.FINISHED);
    assertThat(kit.backend.tags(parent)).doesNotContainKey(TrackerExtension.FAILURE_TAG);
    List<String> children = kit.children(parent);
    assertThat(children).extracting(id -> kit.spec(id).runName())
        .containsExactlyInAnyOrder("repetition 1 of 3", "repetition 2 of 3", "repetition 3 of 3");
    assertThat(children).allSatisfy(
        id -> assertThat(kit.backend.status(id)).isEqualTo(RunStatus.FINISHED));
    assertThat(kit.runIds()).hasSize(2 + 3 + 3);
  }

  // ------------------------------------------------------------------------------- dynamic

  @ExtendWith(TrackerExtension.class)
  static class FactoryTestCase {
    @TestFactory
    Stream<DynamicTest> checks(Run run) {
      return Stream.of(
          DynamicTest.dynamicTest("passes", () -> run.logMetric("checked", 1)),
          DynamicTest.dynamicTest("fails", () -> fail("dynamic check failed")),
          DynamicTest.dynamicTest("aborts", () -> assumeTrue(false, "no GPU")));
    }

    @TestFactory
    Stream<DynamicTest> allPass() {
      return Stream.of(DynamicTest.dynamicTest("passes", () -> {}));
    }
  }

  @Test
  void testFactoryWithAFailedDynamicTestIsARunFailedAndTheFailureCarriesTheRerunHint() {
    EngineExecutionResults results = kit.run(FactoryTestCase.class);

    results.testEvents().assertStatistics(s -> s.started(4).succeeded(2).failed(1).aborted(1));
    String id = kit.runId("checks(Run)");
    String uniqueId = classId(FactoryTestCase.class) + "/[test-factory:checks(dev.tracker.Run)]";
    assertThat(kit.backend.status(id)).isEqualTo(RunStatus.FAILED);
    assertThat(kit.backend.tags(id))
        .containsEntry(TrackerExtension.FAILURE_TAG, "1 of 3 dynamic tests failed");
    Throwable failure = Kit.throwable(results.testEvents().failed().list().get(0));
    assertThat(failure).hasMessage("dynamic check failed");
    assertRerunHint(failure, id, FactoryTestCase.class, uniqueId);
    String passing = kit.runId("allPass()");
    assertThat(kit.backend.status(passing)).isEqualTo(RunStatus.FINISHED);
    assertThat(kit.backend.tags(passing)).doesNotContainKey(TrackerExtension.FAILURE_TAG);
    assertThat(kit.runIds()).hasSize(2);
  }

  // ------------------------------------------------------------------------------- nested

  @ExtendWith(TrackerExtension.class)
  static class OuterTestCase {
    @Test
    void outer() {}

    @Nested
    class Inner {
      @Test
      void inner(Run run) {
        run.logMetric("depth", 1);
      }
    }
  }

  @Test
  void nestedClassTestsAreRunsInTheExperimentOfTheOutermostClass() {
    kit.run(OuterTestCase.class);

    String inner = kit.runId("inner(Run)");
    assertThat(kit.spec(inner).experimentName()).isEqualTo(OuterTestCase.class.getName());
    assertThat(kit.spec(kit.runId("outer()")).experimentName())
        .isEqualTo(OuterTestCase.class.getName());
    assertThat(kit.backend.tags(inner))
        .containsEntry(TrackerExtension.CLASS_TAG, OuterTestCase.Inner.class.getName())
        .containsEntry(TrackerExtension.UNIQUE_ID_TAG,
            classId(OuterTestCase.class) + "/[nested-class:Inner]/[method:inner(dev.tracker.Run)]");
    assertThat(kit.backend.status(inner)).isEqualTo(RunStatus.FINISHED);
  }

  // ------------------------------------------------------------------------------- parallel

  /** Each test waits until all four run at once: they pass only when run in parallel. */
  @ExtendWith(TrackerExtension.class)
  static class ParallelTestCase {
    static volatile CountDownLatch running;

    static void together(Run run) throws InterruptedException {
      run.logMetric("started", 1);
      running.countDown();
      assertThat(running.await(20, TimeUnit.SECONDS)).as("all four tests running").isTrue();
    }

    @Test
    void a(Run run) throws InterruptedException {
      together(run);
    }

    @Test
    void b(Run run) throws InterruptedException {
      together(run);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void c(int k, Run run) throws InterruptedException {
      together(run);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void testsRunInParallelAreEachTheirOwnRun() {
    ParallelTestCase.running = new CountDownLatch(4);
    kit.parameter("junit.jupiter.execution.parallel.enabled", "true")
        .parameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
        .parameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
        .parameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
        .parameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "6");

    EngineExecutionResults results = kit.run(ParallelTestCase.class);

    results.testEvents().assertStatistics(s -> s.started(4).succeeded(4));
    String parent = kit.runId("c(int, Run)");
    assertThat(kit.children(parent)).hasSize(2);
    assertThat(kit.runIds()).hasSize(5);
    assertThat(kit.runIds()).allSatisfy(id -> {
      assertThat(kit.backend.status(id)).isEqualTo(RunStatus.FINISHED);
      assertThat(kit.backend.params(id)).containsEntry("seed",
          String.valueOf(seedOf(kit.backend.tags(id).get(TrackerExtension.UNIQUE_ID_TAG))));
    });
    assertThat(kit.runIds()).filteredOn(id -> !id.equals(parent)).allSatisfy(
        id -> assertThat(values(kit.backend.metrics(id), "started")).containsExactly(1.0));
  }
}
