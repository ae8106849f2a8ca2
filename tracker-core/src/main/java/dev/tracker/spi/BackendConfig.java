package dev.tracker.spi;

import dev.tracker.Tracker;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a {@link BackendProvider} is given to create a backend: the URI, a view of the
 * configuration (system properties, then environment variables) and the clock.
 *
 * <p>Backends read their own settings through {@link #setting(String, String)} rather than from
 * {@code System} directly, so that tests and callers can supply them.
 */
public final class BackendConfig {
  private final URI uri;
  private final Function<String, String> systemProperties;
  private final Function<String, String> environment;
  private final InstantSource clock;
  private final boolean defaultUri;

  private BackendConfig(Builder b) {
    this.uri = Objects.requireNonNull(b.uri, "uri");
    this.defaultUri = b.defaultUri != null ? b.defaultUri
        : uri.toString().equals(Tracker.DEFAULT_URI);
    this.systemProperties = b.systemProperties;
    this.environment = b.environment;
    this.clock = b.clock;
  }

  /** A configuration for {@code uri} that reads the real system properties and environment. */
  public static BackendConfig of(URI uri) {
    return builder().uri(uri).build();
  }

  /** A builder that reads the real system properties and environment unless told otherwise. */
  public static Builder builder() {
    return new Builder();
  }

  /** The URI the backend is created for. */
  public URI uri() {
    return uri;
  }

  /**
   * True when no URI was configured and {@link #uri()} is {@value Tracker#DEFAULT_URI}: a
   * backend may then take its location from a setting of its own ({@code TRACKER_DIR}). Unless
   * the builder was told, true when the URI is that text.
   */
  public boolean isDefaultUri() {
    return defaultUri;
  }

  /** The clock for timestamps. */
  public InstantSource clock() {
    return clock;
  }

  /**
   * A setting from the system property {@code property}, else the environment variable {@code
   * env}; blank values count as absent. Either name may be null.
   */
  public Optional<String> setting(String property, String env) {
    String v = property == null ? null : systemProperties.apply(property);
    if (v == null || v.isBlank()) {
      v = env == null ? null : environment.apply(env);
    }
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  /** An environment variable, blank counting as absent. */
  public Optional<String> env(String name) {
    return setting(null, name);
  }

  /**
   * An environment variable that holds a flag: {@code true}, {@code false}, {@code 1} or {@code
   * 0}, in any case (what MLflow accepts).
   *
   * @throws IllegalArgumentException naming the variable when it holds anything else
   */
  public Optional<Boolean> flag(String name) {
    return env(name).map(v -> parseFlag(v, name));
  }

  /**
   * {@code true}, {@code false}, {@code 1} or {@code 0}, in any case.
   *
   * @param names the setting's names, for the message
   * @throws IllegalArgumentException naming the setting and the value otherwise
   */
  public static boolean parseFlag(String value, String names) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw new IllegalArgumentException(names + " must be one of true, false, 1, 0"
          + " but was '" + value + "'");
    };
  }

  /**
   * An environment variable that holds a number of seconds ({@code 10}, {@code 0.5}): positive,
   * or also zero when {@code zeroAllowed}.
   *
   * @throws IllegalArgumentException naming the variable when it holds anything else
   */
  public Optional<Duration> seconds(String name, boolean zeroAllowed) {
    return env(name).map(v -> {
      BigDecimal s;
      try {
        s = new BigDecimal(v); // not Double.parseDouble, which reads "10d" as 10 and takes NaN
      } catch (NumberFormatException e) {
        s = null;
      }
      if (s == null || s.signum() < 0 || (s.signum() == 0 && !zeroAllowed)) {
        throw new IllegalArgumentException(name + " must be a " + (zeroAllowed ? "non-negative"
            : "positive") + " number of seconds but was '" + v + "'");
      }
      BigDecimal nanos = s.movePointRight(9);
      return Duration.ofNanos(nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0
          ? Long.MAX_VALUE : nanos.longValue());
    });
  }

  /**
   * An environment variable that holds a count: an integer, zero or more.
   *
   * @throws IllegalArgumentException naming the variable when it holds anything else
   */
  public Optional<Integer> count(String name) {
    return env(name).map(v -> {
      try {
        int n = Integer.parseInt(v);
        if (n >= 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw new IllegalArgumentException(name + " must be a non-negative integer but was '" + v
          + "'");
    });
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.uri = uri;
    b.systemProperties = systemProperties;
    b.environment = environment;
    b.clock = clock;
    b.defaultUri = defaultUri;
    return b;
  }

  @Override
  public String toString() {
    return "BackendConfig{uri=" + Secrets.redactUri(uri.toString()) + "}";
  }

  /** Builds a {@link BackendConfig}. */
  public static final class Builder {
    private URI uri;
    private Function<String, String> systemProperties = System::getProperty;
    private Function<String, String> environment = System::getenv;
    private InstantSource clock = InstantSource.system();
    private Boolean defaultUri;

    private Builder() {}

    /** The URI (required). */
    public Builder uri(URI uri) {
      this.uri = uri;
      return this;
    }

    /**
     * Whether the URI is the default because none was configured ({@link #isDefaultUri()});
     * when not told, whether it is the text {@value Tracker#DEFAULT_URI}.
     */
    public Builder defaultUri(boolean isDefault) {
      this.defaultUri = isDefault;
      return this;
    }

    /** The URI (required), parsed. */
    public Builder uri(String uri) {
      return uri(URI.create(uri));
    }

    /** Where system properties are read; {@code System::getProperty} by default. */
    public Builder systemProperties(Function<String, String> lookup) {
      this.systemProperties = Objects.requireNonNull(lookup);
      return this;
    }

    /** Where environment variables are read; {@code System::getenv} by default. */
    public Builder environment(Function<String, String> lookup) {
      this.environment = Objects.requireNonNull(lookup);
      return this;
    }

    /** Fixed environment variables instead of the process's (for tests). */
    public Builder environment(Map<String, String> env) {
      Map<String, String> copy = new HashMap<>(env);
      return environment(copy::get);
    }

    /** Fixed system properties instead of the JVM's (for tests). */
    public Builder systemProperties(Map<String, String> props) {
      Map<String, String> copy = new HashMap<>(props);
      return systemProperties(copy::get);
    }

    /** The clock; the system clock by default. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Builds the configuration. */
    public BackendConfig build() {
      if (uri == null) {
        throw new IllegalArgumentException("backend config needs a uri");
      }
      return new BackendConfig(this);
    }
  }
}
