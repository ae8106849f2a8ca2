package dev.tracker.http;

import dev.tracker.spi.BackendConfig;
import dev.tracker.spi.BackendProvider;
import dev.tracker.spi.Backends;
import dev.tracker.spi.TrackingBackend;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates an {@link MlflowBackend} for {@code http:} and {@code https:} tracking URIs, found by
 * {@link java.util.ServiceLoader} when {@code dev.tracker:tracker-http} is on the class path.
 * {@code databricks} URIs get a clear error.
 *
 * <p>Settings come from MLflow's own environment variables, read through {@link
 * BackendConfig#env(String)} (so a tracker built with injected variables sees those):
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code MLFLOW_TRACKING_USERNAME}, {@code MLFLOW_TRACKING_PASSWORD}</td>
 *       <td>HTTP Basic credentials; win over the token</td><td>none</td></tr>
 *   <tr><td>{@code MLFLOW_TRACKING_TOKEN}</td><td>bearer token</td><td>none</td></tr>
 *   <tr><td>{@code MLFLOW_TRACKING_INSECURE_TLS}</td><td>{@code true} skips certificate
 *       verification (and logs one WARN saying so)</td><td>false</td></tr>
 *   <tr><td>{@code MLFLOW_TRACKING_SERVER_CERT_PATH}</td><td>PEM file of CA certificates to
 *       trust</td><td>the JVM's</td></tr>
 *   <tr><td>{@code MLFLOW_EXPERIMENT_ID}</td><td>experiment of the default experiment's runs,
 *       when no experiment name is configured</td><td>none</td></tr>
 *   <tr><td>{@code MLFLOW_HTTP_REQUEST_TIMEOUT}</td><td>seconds per request</td><td>120</td></tr>
 *   <tr><td>{@code MLFLOW_HTTP_REQUEST_MAX_RETRIES}</td><td>checked, otherwise unused: a
 *       tracker retries delivery from its journal until the server takes it</td><td></td></tr>
 *   <tr><td>{@code MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR}</td><td>seconds before the first retry,
 *       doubled each time</td><td>2</td></tr>
 *   <tr><td>{@code MLFLOW_HTTP_REQUEST_BACKOFF_JITTER}</td><td>random seconds added to each
 *       wait, at most</td><td>1</td></tr>
 *   <tr><td>{@code TRACKER_SPOOL_DIR} (property {@code tracker.spoolDir})</td><td>journal
 *       root</td><td>{@code ~/.tracker/spool}</td></tr>
 * </table>
 *
 * <p>{@code MLFLOW_TRACKING_CLIENT_CERT_PATH}, {@code MLFLOW_TRACKING_AUTH} and {@code
 * MLFLOW_TRACKING_AWS_SIGV4=true} are not supported: each, when set, logs a WARN as the backend is
 * created.
 *
 * <p>{@code MLFLOW_TRACKING_URI}, {@code MLFLOW_EXPERIMENT_NAME} and {@code MLFLOW_RUN_ID} are
 * read by {@code Tracker} itself. User info in the URI ({@code https://user:token@host}) serves as
 * Basic credentials when no other credentials are set.
 */
public final class MlflowBackendProvider implements BackendProvider {
  private static final Logger log = LoggerFactory.getLogger(MlflowBackendProvider.class);

  /** For {@link java.util.ServiceLoader}. */
  public MlflowBackendProvider() {}

  /**
   * True for {@code http:} and {@code https:}, and for Databricks URIs ({@code databricks},
   * {@code databricks://profile}: MLflow never reads those as paths), which get a clear error.
   */
  @Override
  public boolean supports(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return scheme.equals("http") || scheme.equals("https") || Backends.isDatabricks(uri);
  }

  @Override
  public String artifact() {
    return "dev.tracker:tracker-http";
  }

  /**
   * Creates the backend.
   *
   * @throws IllegalArgumentException when a variable holds an invalid value, naming it
   */
  @Override
  public TrackingBackend create(BackendConfig config) {
    return configure(config).build();
  }

  /** A builder configured from {@code config}'s URI and variables. */
  static MlflowBackend.Builder configure(BackendConfig c) {
    MlflowBackend.Builder b = MlflowBackend.builder().uri(c.uri()).clock(c.clock());
    c.env("MLFLOW_TRACKING_USERNAME").ifPresent(b::username);
    c.env("MLFLOW_TRACKING_PASSWORD").ifPresent(b::password);
    c.env("MLFLOW_TRACKING_TOKEN").ifPresent(b::token);
    c.flag("MLFLOW_TRACKING_INSECURE_TLS").ifPresent(b::insecureTls);
    c.env("MLFLOW_TRACKING_SERVER_CERT_PATH").map(Path::of).ifPresent(b::serverCertPath);
    Optional<String> experimentName = c.setting("tracker.experiment", "TRACKER_EXPERIMENT")
        .or(() -> c.env("MLFLOW_EXPERIMENT_NAME"));
    if (experimentName.isEmpty()) {
      c.env("MLFLOW_EXPERIMENT_ID").ifPresent(b::experimentId);
    }
    c.seconds("MLFLOW_HTTP_REQUEST_TIMEOUT", false).ifPresent(b::timeout);
    c.count("MLFLOW_HTTP_REQUEST_MAX_RETRIES"); // checked; see the table
    c.seconds("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", true).map(d -> d.toNanos() / 1e9)
        .ifPresent(b::backoffFactor);
    c.seconds("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", true).map(d -> d.toNanos() / 1e9)
        .ifPresent(b::backoffJitter);
    c.setting("tracker.spoolDir", "TRACKER_SPOOL_DIR").map(Path::of).ifPresent(b::spoolDir);
    warnUnsupported(c);
    return b;
  }

  /** MLflow's variables this backend cannot honour: never ignored silently. */
  private static void warnUnsupported(BackendConfig c) {
    c.env("MLFLOW_TRACKING_CLIENT_CERT_PATH").ifPresent(v -> log.warn("MLFLOW_TRACKING_CLIENT_CERT"
        + "_PATH is set, but dev.tracker:tracker-http sends no client certificate: a server that"
        + " requires one (mutual TLS) refuses the connection"));
    c.env("MLFLOW_TRACKING_AUTH").ifPresent(v -> log.warn("MLFLOW_TRACKING_AUTH is set, but"
        + " dev.tracker:tracker-http runs no MLflow auth plugin: requests carry only"
        + " MLFLOW_TRACKING_USERNAME/PASSWORD, MLFLOW_TRACKING_TOKEN or the URI's user info"));
    if (c.flag("MLFLOW_TRACKING_AWS_SIGV4").orElse(false)) {
      log.warn("MLFLOW_TRACKING_AWS_SIGV4 is true, but dev.tracker:tracker-http does not sign"
          + " requests with AWS Signature V4: a server behind such a gateway refuses them");
    }
  }
}
