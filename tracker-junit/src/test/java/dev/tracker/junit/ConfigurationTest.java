package dev.tracker.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Run;
import dev.tracker.RunStatus;
import dev.tracker.testing.RecordingBackend;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

class ConfigurationTest {

  @ExtendWith(TrackerExtension.class)
  static class PlainTestCase {
    @Test
    void passes(Run run) {
      run.logMetric("accuracy", 0.9);
    }
  }

  @Tracked(experiment = "iris-quality")
  static class TrackedTestCase {
    @Test
    void passes() {}
  }

  @Test
  void experimentParameterNamesTheExperimentOfEveryClass() {
    Kit kit = new Kit().parameter(TrackerExtension.EXPERIMENT_KEY, "model-tests");
    kit.run(PlainTestCase.class);

    assertThat(kit.spec(kit.runId("passes(Run)")).experimentName()).isEqualTo("model-tests");
  }

  @Test
  void trackedAnnotationRegistersTheExtensionAndItsExperimentWinsOverTheParameter() {
    Kit kit = new Kit().parameter(TrackerExtension.EXPERIMENT_KEY, "model-tests");
    kit.run(TrackedTestCase.class);

    String id = kit.runId("passes()");
    assertThat(kit.spec(id).experimentName()).isEqualTo("iris-quality");
    assertThat(kit.backend.status(id)).isEqualTo(RunStatus.FINISHED);
  }

  static class BuiltTestCase {
    static final RecordingBackend BACKEND = new RecordingBackend();

    @RegisterExtension
    static final TrackerExtension TRACKER = TrackerExtension.builder().backend(BACKEND)
        .experiment("built").build();

    @Test
    void passes(Run run) {
      run.logMetric("accuracy", 0.9);
    }
  }

  @Test
  void builderSettingsWinOverConfigurationParameters() {
    Kit kit = new Kit().parameter(TrackerExtension.EXPERIMENT_KEY, "model-tests");
    kit.run(BuiltTestCase.class);

    RecordingBackend backend = BuiltTestCase.BACKEND;
    assertThat(kit.runIds()).isEmpty();
    assertThat(backend.runIds()).singleElement().satisfies(id -> {
      assertThat(backend.spec(id).experimentName()).isEqualTo("built");
      assertThat(backend.spec(id).runName()).isEqualTo("passes(Run)");
      assertThat(backend.status(id)).isEqualTo(RunStatus.FINISHED);
    });
    assertThat(backend.isClosed()).isTrue();
  }

  @Test
  void builderRefusesABlankExperiment() {
    assertThatThrownBy(() -> TrackerExtension.builder().experiment(" "))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("experiment name must not be blank but was ' '");
  }

  @Test
  void invalidSeedParameterFailsEveryTestNamingTheParameter() {
    Kit kit = new Kit().parameter(TrackerExtension.SEED_KEY, "abc");
    EngineExecutionResults results = kit.run(PlainTestCase.class, TrackedTestCase.class);

    List<Event> failed = results.testEvents().failed().list();
    assertThat(failed).hasSize(2).allSatisfy(e -> assertThat(Kit.throwable(e))
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("configuration parameter tracker.seed must be a long integer but was 'abc'"));
    assertThat(kit.runIds()).isEmpty();
  }

  @Test
  void invalidFailOnErrorParameterFailsTheTestNamingTheParameter() {
    Kit kit = new Kit().parameter(TrackerExtension.FAIL_ON_ERROR_KEY, "yes");
    EngineExecutionResults results = kit.run(PlainTestCase.class);

    assertThat(Kit.throwable(results.testEvents().failed().list().get(0)))
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("configuration parameter tracker.failOnError must be true or false but was"
            + " 'yes'");
  }

  @Test
  void resumeSettingsAreIgnoredSoEveryTestIsANewRun() {
    Kit kit = new Kit().parameter("tracker.runId", "0123456789abcdef0123456789abcdef");
    kit.run(PlainTestCase.class);

    assertThat(kit.runIds()).singleElement()
        .isNotEqualTo("0123456789abcdef0123456789abcdef");
  }
}
