package dev.tracker.junit;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The extension's view of the configuration: JUnit configuration parameters (which include the
 * JVM's system properties and {@code junit-platform.properties}), then the environment variables
 * the core reads. Blank values count as absent.
 */
final class Settings {
  static final String ENV_EXPERIMENT = "TRACKER_EXPERIMENT";
  static final String ENV_MLFLOW_EXPERIMENT = "MLFLOW_EXPERIMENT_NAME";
  static final String ENV_SEED = "TRACKER_SEED";

  /** The core's settings that would make the first test's run continue an existing run. */
  private static final String RESUME_PROPERTY = "tracker.runId";
  private static final String RESUME_ENV = "MLFLOW_RUN_ID";

  private final Function<String, String> properties;
  private final Function<String, String> environment;

  Settings(Function<String, String> properties, Function<String, String> environment) {
    this.properties = properties;
    this.environment = environment;
  }

  /** The configuration parameters of a test plan, then system properties, then the environment. */
  static Settings of(ExtensionContext context) {
    ExtensionContext root = context.getRoot();
    return new Settings(
        key -> root.getConfigurationParameter(key).orElseGet(() -> System.getProperty(key)),
        System::getenv);
  }

  /** A configuration parameter (or system property), trimmed. */
  Optional<String> property(String key) {
    return present(properties.apply(key));
  }

  /** An environment variable, trimmed. */
  Optional<String> env(String name) {
    return present(environment.apply(name));
  }

  /**
   * {@code tracker.experiment}, then {@code TRACKER_EXPERIMENT}, then {@code
   * MLFLOW_EXPERIMENT_NAME}.
   */
  Optional<String> experiment() {
    return property(TrackerExtension.EXPERIMENT_KEY)
        .or(() -> env(ENV_EXPERIMENT))
        .or(() -> env(ENV_MLFLOW_EXPERIMENT));
  }

  /**
   * {@code tracker.seed}, then {@code TRACKER_SEED}.
   *
   * @throws ExtensionConfigurationException when the value is not a long integer
   */
  Optional<RootSeed> seed() {
    Optional<String> property = property(TrackerExtension.SEED_KEY);
    if (property.isPresent()) {
      return Optional.of(new RootSeed(parseSeed(TrackerExtension.SEED_KEY, property.get()),
          RootSeed.Source.PROPERTY));
    }
    return env(ENV_SEED)
        .map(v -> new RootSeed(parseSeed(ENV_SEED, v), RootSeed.Source.ENVIRONMENT));
  }

  /**
   * {@code tracker.failOnError}: {@code true} or {@code false} in any case; false when absent.
   *
   * @throws ExtensionConfigurationException for any other value
   */
  boolean failOnError() {
    Optional<String> v = property(TrackerExtension.FAIL_ON_ERROR_KEY);
    if (v.isEmpty()) {
      return false;
    }
    switch (v.get().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new ExtensionConfigurationException("configuration parameter "
            + TrackerExtension.FAIL_ON_ERROR_KEY + " must be true or false but was '" + v.get()
            + "'");
    }
  }

  /**
   * The lookup handed to the core as its system properties: the configuration parameters, so that
   * {@code tracker.uri} and every backend setting can be given in {@code junit-platform.properties}
   * too. Never resumes a run: a test plan's runs are always new.
   */
  Function<String, String> trackerProperties() {
    return key -> RESUME_PROPERTY.equals(key) ? null : properties.apply(key);
  }

  /** The environment handed to the core, without the variable that would resume a run. */
  Function<String, String> trackerEnvironment() {
    return name -> RESUME_ENV.equals(name) ? null : environment.apply(name);
  }

  private static long parseSeed(String name, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ExtensionConfigurationException((name.equals(ENV_SEED) ? "environment variable "
          : "configuration parameter ") + name + " must be a long integer but was '" + value + "'",
          e);
    }
  }

  private static Optional<String> present(String v) {
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }
}
