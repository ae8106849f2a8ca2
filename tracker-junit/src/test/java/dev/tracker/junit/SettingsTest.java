package dev.tracker.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

class SettingsTest {

  private static Settings settings(Map<String, String> properties, Map<String, String> env) {
    return new Settings(properties::get, env::get);
  }

  @Test
  void experimentComesFromTheParameterThenTrackerThenMlflowEnvironment() {
    Map<String, String> env = Map.of("TRACKER_EXPERIMENT", "from-env",
        "MLFLOW_EXPERIMENT_NAME", "from-mlflow");
    assertThat(settings(Map.of("tracker.experiment", "from-param"), env).experiment())
        .contains("from-param");
    assertThat(settings(Map.of(), env).experiment()).contains("from-env");
    assertThat(settings(Map.of(), Map.of("MLFLOW_EXPERIMENT_NAME", "from-mlflow")).experiment())
        .contains("from-mlflow");
    assertThat(settings(Map.of(), Map.of()).experiment()).isEmpty();
  }

  @Test
  void blankValuesCountAsAbsentAndValuesAreTrimmed() {
    Settings s = settings(Map.of("tracker.experiment", "  ", "tracker.seed", " 12 "),
        Map.of("TRACKER_EXPERIMENT", " from-env "));
    assertThat(s.experiment()).contains("from-env");
    assertThat(s.seed()).contains(new RootSeed(12, RootSeed.Source.PROPERTY));
  }

  @Test
  void seedComesFromTheParameterThenTheEnvironment() {
    Map<String, String> env = Map.of("TRACKER_SEED", "-5");
    assertThat(settings(Map.of("tracker.seed", "9"), env).seed())
        .contains(new RootSeed(9, RootSeed.Source.PROPERTY));
    assertThat(settings(Map.of(), env).seed())
        .contains(new RootSeed(-5, RootSeed.Source.ENVIRONMENT));
    assertThat(settings(Map.of(), Map.of()).seed()).isEqualTo(Optional.empty());
  }

  @Test
  void invalidSeedInTheEnvironmentNamesTheVariable() {
    assertThatThrownBy(() -> settings(Map.of(), Map.of("TRACKER_SEED", "1.5")).seed())
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("environment variable TRACKER_SEED must be a long integer but was '1.5'");
  }

  @Test
  void failOnErrorIsFalseUnlessTrueInAnyCase() {
    assertThat(settings(Map.of(), Map.of()).failOnError()).isFalse();
    assertThat(settings(Map.of("tracker.failOnError", "TRUE"), Map.of()).failOnError()).isTrue();
    assertThat(settings(Map.of("tracker.failOnError", "false"), Map.of()).failOnError()).isFalse();
  }

  @Test
  void coreLookupsHideTheSettingsThatWouldResumeARun() {
    Settings s = settings(Map.of("tracker.runId", "abc", "tracker.uri", "memory:x"),
        Map.of("MLFLOW_RUN_ID", "abc", "TRACKER_URI", "memory:y"));
    assertThat(s.trackerProperties().apply("tracker.runId")).isNull();
    assertThat(s.trackerProperties().apply("tracker.uri")).isEqualTo("memory:x");
    assertThat(s.trackerEnvironment().apply("MLFLOW_RUN_ID")).isNull();
    assertThat(s.trackerEnvironment().apply("TRACKER_URI")).isEqualTo("memory:y");
  }
}
