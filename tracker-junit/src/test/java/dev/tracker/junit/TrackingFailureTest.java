package dev.tracker.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tracker.Run;
import dev.tracker.Seeds;
import dev.tracker.TrackerException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.commons.JUnitException;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

class TrackingFailureTest {
  private static final String NO_BACKEND = "no backend for URI scheme 'nope' (nope:x); add a"
      + " dev.tracker backend for 'nope' (dev.tracker:tracker-file serves file:,"
      + " dev.tracker:tracker-http serves http: and https:) to the class path";

  @ExtendWith(TrackerExtension.class)
  static class UserTestCase {
    static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

    @Test
    void passes(Run run) {
      RUNS.put("passes", run);
      run.logMetric("accuracy", 0.9);
    }

    @Test
    void fails() {
      fail("accuracy 0.5 is below 0.9");
    }
  }

  private static String uniqueId(String method) {
    return "[engine:junit-jupiter]/[class:" + UserTestCase.class.getName() + "]/[method:" + method
        + "]";
  }

  private static Event finished(EngineExecutionResults results, String method) {
    return results.testEvents().finished().stream()
        .filter(e -> e.getTestDescriptor().getDisplayName().startsWith(method + "("))
        .findFirst().orElseThrow();
  }

  @Test
  void noBackendForTheUriFailsNoTestAndTheTestsStillGetTheirRunsAndSeeds() {
    UserTestCase.RUNS.clear();
    Kit kit = new Kit().parameter(TrackerExtension.URI_KEY, "nope:x")
        .parameter(TrackerExtension.SEED_KEY, "123");
    EngineExecutionResults results = kit.run(UserTestCase.class);

    results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
    assertThat(Kit.reports(results)).containsExactly("not tracked: " + NO_BACKEND,
        "not tracked: " + NO_BACKEND);
    assertThat(UserTestCase.RUNS.get("passes").seeds().root())
        .isEqualTo(Seeds.of(123).derive(uniqueId("passes(dev.tracker.Run)")));
    Throwable failure = Kit.throwable(finished(results, "fails"));
    assertThat(failure).hasMessage("accuracy 0.5 is below 0.9");
    assertThat(failure.getSuppressed()).singleElement(InstanceOfAssertFactories.THROWABLE)
        .hasMessage("untracked run (" + NO_BACKEND + "), seed "
            + Seeds.of(123).derive(uniqueId("fails()"))
            + " from root seed 123: rerun with -Dtracker.seed=123");
  }

  @Test
  void noBackendForTheUriFailsEveryTestWithFailOnError() {
    Kit kit = new Kit().parameter(TrackerExtension.URI_KEY, "nope:x")
        .parameter(TrackerExtension.FAIL_ON_ERROR_KEY, "true");
    EngineExecutionResults results = kit.run(UserTestCase.class);

    results.testEvents().assertStatistics(s -> s.started(2).failed(2));
    assertThat(Kit.throwable(finished(results, "passes")))
        .isExactlyInstanceOf(TrackerException.class)
        .hasMessage("tracking 'passes(Run)' failed and tracker.failOnError is true: " + NO_BACKEND)
        .cause().isExactlyInstanceOf(TrackerException.class).hasMessage(NO_BACKEND);
  }

  @Test
  void backendDownFailsNoTestAndIsReportedWhenThePlanEnds() {
    Kit kit = new Kit();
    kit.backend.failWith(new IOException("backend down"));
    EngineExecutionResults results = kit.run(UserTestCase.class);

    results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
    results.containerEvents().assertStatistics(s -> s.failed(0));
    assertThat(Kit.reports(results)).singleElement(InstanceOfAssertFactories.STRING)
        .startsWith("flushing the runs to recording failed: ")
        .contains("failed on recording: backend down");
    assertThat(kit.backend.isClosed()).isTrue();
  }

  @Test
  void backendDownFailsTheTestWithFailOnError() {
    Kit kit = new Kit().parameter(TrackerExtension.FAIL_ON_ERROR_KEY, "true");
    kit.backend.failWith(new IOException("backend down"));
    EngineExecutionResults results = kit.run(UserTestCase.class);

    results.testEvents().assertStatistics(s -> s.started(2).failed(2));
    // the run ends when JUnit closes the test's store: 5.10 throws what that throws as is, later
    // versions wrap it in a JUnitException
    Throwable thrown = Kit.throwable(finished(results, "passes"));
    Throwable tracking = thrown instanceof JUnitException ? thrown.getCause() : thrown;
    assertThat(tracking).isExactlyInstanceOf(TrackerException.class)
        .hasMessageStartingWith("recording the end of 'passes(Run)' failed and"
            + " tracker.failOnError is true: ")
        .hasMessageContaining("failed on recording: backend down");
  }

  @Tracked(experiment = "a\uD83D")
  static class BadExperimentTestCase {
    @Test
    void passes(Run run) {
      run.logMetric("accuracy", 0.9);
    }
  }

  @Test
  void experimentNameTheCoreRefusesFailsNoTest() {
    Kit kit = new Kit();
    EngineExecutionResults results = kit.run(BadExperimentTestCase.class);

    results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(Kit.reports(results)).containsExactly("not tracked: experiment name must be"
        + " well-formed UTF-16 but has a lone surrogate \\ud83d at index 1 (half of a character"
        + " such as an emoji, cut in two)");
    assertThat(kit.runIds()).isEmpty();
  }
}
