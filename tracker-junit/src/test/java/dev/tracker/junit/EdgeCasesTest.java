package dev.tracker.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunStatus;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Tests whose names, failures or registration are out of the ordinary. */
class EdgeCasesTest {
  private final Kit kit = new Kit().parameter(TrackerExtension.SEED_KEY, "123");

  // ------------------------------------------------------------------------------- odd names

  @ExtendWith(TrackerExtension.class)
  static class LoneSurrogateTestCase {
    /** Half an emoji as the argument: a test of string handling, say. */
    @ParameterizedTest
    @ValueSource(strings = {"\uD83D"})
    void halfAnEmoji(String s, Run run) {
      run.logMetric("length", s.length());
      fail("cannot encode <" + s + ">");
    }
  }

  @Test
  void anArgumentOrFailureWithHalfACharacterIsTrackedWithItReplaced() {
    EngineExecutionResults results = kit.run(LoneSurrogateTestCase.class);

    results.testEvents().assertStatistics(s -> s.started(1).failed(1));
    assertThat(Kit.reports(results)).isEmpty();
    List<String> ids = kit.runIds().stream()
        .filter(i -> kit.spec(i).runName().startsWith("[1] ")).toList();
    assertThat(ids).hasSize(1);
    String id = ids.get(0);
    String name = kit.spec(id).runName();
    // JUnit 6 quotes a text argument in the display name, JUnit 5 does not
    assertThat(name).isIn("[1] \uFFFD", "[1] \"\uFFFD\"");
    assertThat(kit.backend.status(id)).isEqualTo(RunStatus.FAILED);
    assertThat(kit.backend.metrics(id)).extracting(Metric::key).contains("length");
    assertThat(kit.backend.tags(id))
        .containsEntry(TrackerExtension.DISPLAY_NAME_TAG, name)
        .containsEntry(TrackerExtension.FAILURE_TAG,
            "java.lang.AssertionError: cannot encode <\uFFFD>");
  }

  @Test
  void wellFormedKeepsWholeCharactersAndReplacesHalves() {
    assertThat(TrackerExtension.wellFormed("a\uD83D\uDD25b")).isEqualTo("a\uD83D\uDD25b");
    assertThat(TrackerExtension.wellFormed("\uDD25\uD83D")).isEqualTo("\uFFFD\uFFFD");
    assertThat(TrackerExtension.wellFormed("end\uD83D")).isEqualTo("end\uFFFD");
  }

  // ------------------------------------------------------------------------------- twice

  @ExtendWith(TrackerExtension.class)
  static class RegisteredTwiceTestCase {
    @RegisterExtension
    static final TrackerExtension AGAIN = TrackerExtension.builder().build();

    @Test
    void logs(Run run) {
      run.logMetric("accuracy", 0.9);
    }

    @TestFactory
    Stream<DynamicTest> checks() {
      return Stream.of(DynamicTest.dynamicTest("passes", () -> { }),
          DynamicTest.dynamicTest("fails", () -> fail("no")));
    }
  }

  @Test
  void anExtensionRegisteredTwiceTracksEachTestOnceAndResolvesItsParameters() {
    EngineExecutionResults results = kit.run(RegisteredTwiceTestCase.class);

    results.testEvents().assertStatistics(s -> s.started(3).succeeded(2).failed(1));
    String logs = kit.runId("logs(Run)");
    assertThat(kit.backend.status(logs)).isEqualTo(RunStatus.FINISHED);
    assertThat(kit.backend.metrics(logs)).extracting(Metric::key).contains("accuracy");
    String checks = kit.runId("checks()");
    assertThat(kit.backend.tags(checks))
        .containsEntry(TrackerExtension.FAILURE_TAG, "1 of 2 dynamic tests failed");
    assertThat(kit.runIds()).hasSize(2);
    assertThat(List.of(logs, checks)).allSatisfy(
        id -> assertThat(kit.backend.params(id)).containsKey(TrackerExtension.ROOT_SEED_PARAM));
  }
}
