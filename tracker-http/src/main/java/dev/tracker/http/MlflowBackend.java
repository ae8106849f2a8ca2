package dev.tracker.http;

import dev.tracker.ExperimentInfo;
import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.spi.BackendConfig;
import dev.tracker.spi.Backends;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RemoteDelivery;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.SearchPage;
import dev.tracker.spi.SearchRequest;
import dev.tracker.spi.Secrets;
import dev.tracker.spi.TrackingBackend;
import java.io.InputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records runs to an MLflow tracking server (self-hosted MLflow, DAGsHub, or any server speaking
 * the MLflow REST API 2.0) without blocking the caller and without losing a record while the
 * server is slow or down.
 *
 * <pre>{@code
 * TrackingBackend mlflow = MlflowBackend.builder()
 *     .uri("https://dagshub.com/owner/repo.mlflow")
 *     .username("owner").password(token)
 *     .build();
 * try (Tracker tracker = Tracker.builder().backend(mlflow).build();
 *      Run run = tracker.experiment("iris").startRun("lr-0.1")) {
 *   run.logParam("lr", 0.1);
 *   run.logMetric("loss", 0.25, 1);
 * }
 * }</pre>
 *
 * <p>With this jar on the class path, {@code Tracker.create()} picks it for {@code http:} and
 * {@code https:} URIs ({@code MLFLOW_TRACKING_URI}), configured from MLflow's own environment
 * variables: see {@link MlflowBackendProvider}.
 *
 * <h2>Runs</h2>
 *
 * MLflow's server chooses run ids. Each run is created with the tag {@value #RUN_ID_TAG} holding
 * the tracker's id ({@code Run.id()}); the MLflow id is logged at INFO when the run is created
 * (with a link to it in the MLflow UI) and returned by {@link #serverRunId(String)}. The reading
 * methods accept either id and answer in the tracker's ids (for runs that have the tag, and
 * their parents), so a run has the same id on every backend; runs logged by other clients keep
 * their MLflow ids. Resuming a run ({@code MLFLOW_RUN_ID}, {@code
 * Tracker.builder().resumeRun(id)}) takes an MLflow id or a tracker id; a run that exists under
 * neither is created, tagged with the id.
 *
 * <h2>Delivery</h2>
 *
 * A {@code Tracker} journals this backend's writes under {@link Builder#spoolDir} (a folder per
 * server, {@link #journalDirectory(Path, URI)}) and its uploader delivers them ({@link
 * #remoteDelivery()}). This backend sends each operation once, as {@code runs/log-batch} requests
 * within the server's limits, and classifies failures: I/O errors, 408, 429, 5xx and replies that
 * make no sense ({@code 200 {}}, HTML, truncated JSON, a login page) are transient, retried with
 * back-off ({@link Builder#backoffFactor}, {@link Builder#backoffJitter}, {@link
 * Builder#maxBackoff}, {@code Retry-After} honoured); refused credentials and TLS failures are
 * retried and reported; records the server refuses are reported by key at the next flush, the
 * others delivered. A param is never sent twice with different values.
 *
 * <h2>Artifacts</h2>
 *
 * Files are streamed to the server's artifact proxy ({@code PUT
 * /api/2.0/mlflow-artifacts/artifacts/...}); the server must serve artifacts (the default since
 * MLflow 2.0). A run whose artifact location is elsewhere (s3:, dbfs:, a path on the server)
 * gets a clear error for its artifacts.
 *
 * <p>Credentials never appear in logs, messages or {@code toString()}.
 */
public final class MlflowBackend implements TrackingBackend {
  /** The tag holding the tracker's run id on every run this backend creates. */
  public static final String RUN_ID_TAG = MlflowWriter.RUN_ID_TAG;
  /** How long one request may take to answer (MLflow's {@code MLFLOW_HTTP_REQUEST_TIMEOUT}). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
  /** The longest wait for a connection, whatever the timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Seconds before the first retry, doubled for each next one (MLflow's default). */
  public static final double DEFAULT_BACKOFF_FACTOR = 2;
  /** At most this many seconds added at random to each back-off (MLflow's default). */
  public static final double DEFAULT_BACKOFF_JITTER = 1;
  /** The longest wait between two attempts. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(60);

  private static final Logger log = LoggerFactory.getLogger(MlflowBackend.class);

  private final String describe;
  private final String authKind;
  private final OkHttpClient client;
  private final MlflowApi api;
  private final MlflowWriter writer;
  private final RemoteDelivery delivery;
  private final Builder config;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final MlflowReader reader;

  private MlflowBackend(Builder b, HttpUrl base, OkHttpClient client) {
    this.config = b;
    this.describe = base.toString().replaceAll("/+$", "");
    this.authKind = b.authKind();
    this.client = client;
    Rest rest = new Rest(client, base, describe, b.clock);
    this.api = new MlflowApi(rest);
    this.writer = new MlflowWriter(api, describe, b.experimentId);
    this.reader = new MlflowReader(api, writer);
    this.delivery = new RemoteDelivery(journalDirectory(b.spoolDir, URI.create(describe)),
        describe, Duration.ofNanos((long) (b.backoffFactor * 1e9)), b.maxBackoff,
        Duration.ofNanos((long) (b.backoffJitter * 1e9)));
  }

  /** A builder; {@link Builder#uri} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this backend's settings (a user's client is shared, not copied). */
  public Builder toBuilder() {
    return config.copy();
  }

  /**
   * The backend for {@code config.uri()}, configured from MLflow's environment variables as
   * {@link MlflowBackendProvider} describes.
   *
   * @throws IllegalArgumentException when a setting is invalid, naming it
   */
  public static MlflowBackend create(BackendConfig config) {
    return MlflowBackendProvider.configure(config).build();
  }

  /** The server's URL, without credentials, e.g. {@code http://localhost:5000}. */
  @Override
  public String describe() {
    return describe;
  }

  /**
   * The MLflow id of a run this backend created, given the tracker's id ({@code Run.id()}); empty
   * until the server created it (while the server is unreachable, or before the uploader got to
   * it).
   */
  public Optional<String> serverRunId(String trackerRunId) {
    return writer.serverRunId(trackerRunId);
  }

  /**
   * Journal-first: a {@code Tracker} journals this backend's writes under {@link
   * #journalDirectory(Path, URI)} and delivers them with its uploader, with this backend's
   * back-off settings.
   */
  @Override
  public Optional<RemoteDelivery> remoteDelivery() {
    return Optional.of(delivery);
  }

  /** {@code ~/.tracker/spool}: where journals are kept unless configured otherwise. */
  public static Path defaultSpoolDir() {
    return Path.of(System.getProperty("user.home"), ".tracker", "spool");
  }

  /**
   * The journal folder of a server under {@code root}: {@code root/<16 hex characters>}, the
   * start of the SHA-256 of the server URL without credentials, trailing '/' or default port.
   */
  public static Path journalDirectory(Path root, URI server) {
    return RemoteDelivery.journalDirectory(root, server);
  }

  // ------------------------------------------------------------------------------- writing

  @Override
  public String createExperiment(String name) throws IOException {
    return writer.createExperiment(name);
  }

  @Override
  public void createRun(RunSpec spec) throws IOException {
    writer.createRun(spec);
  }

  @Override
  public void logBatch(String runId, Batch batch) throws IOException {
    if (!batch.isEmpty()) {
      writer.logBatch(runId, batch);
    }
  }

  @Override
  public void logArtifact(String runId, Path file, String artifactPath) throws IOException {
    writer.logArtifact(runId, file, artifactPath);
  }

  @Override
  public void endRun(String runId, RunStatus status, long endTime) throws IOException {
    writer.endRun(runId, status, endTime);
  }

  @Override
  public void logInputs(String runId, List<dev.tracker.DatasetInput> in) throws IOException {
    MlflowInputs.log(api, writer, runId, in);
  }

  /**
   * Cancels requests in flight and releases connections (not those of a client given to the
   * builder). Safe to call twice.
   */
  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      api.rest().close();
    } finally {
      if (config.client == null) { // not a user's
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
      }
    }
  }

  // ------------------------------------------------------------------------------- reading

  @Override
  public List<ExperimentInfo> listExperiments() throws IOException {
    return reader.listExperiments();
  }

  /**
   * Lists the runs of an experiment, newest first. A run created by a tracker is listed under the
   * tracker's id (its {@value #RUN_ID_TAG} tag), as is its parent; other runs under their MLflow
   * ids.
   */
  @Override
  public List<RunInfo> listRuns(String experimentName) throws IOException {
    return reader.listRuns(experimentName);
  }

  /** Reads an artifact through the server's artifact proxy, by the tracker's or MLflow's id. */
  @Override
  public InputStream openArtifact(String runId, String artifactPath) throws IOException {
    return reader.openArtifact(client, runId, artifactPath);
  }

  @Override
  public SearchPage searchRuns(SearchRequest request) throws IOException {
    return reader.search(request);
  }

  /**
   * Reads a run by the tracker's id (its {@value #RUN_ID_TAG} tag) or its MLflow id. Ids in the
   * result are the tracker's where the runs have one: the run's, its parent's, and the
   * {@code mlflow.parentRunId} tag's. A live run comes before a deleted one with the same
   * tracker id; a run deleted on the server (in its trash) is refused with an {@link
   * IllegalArgumentException} saying so and how to restore it, here, in {@link #metricHistory}
   * and in {@link #openArtifact}, since a {@link RunData} cannot mark it deleted.
   */
  @Override
  public Optional<RunData> readRun(String runId) throws IOException {
    return reader.readRun(runId);
  }

  /** Reads a metric's history by the tracker's id or the run's MLflow id, every page. */
  @Override
  public List<Metric> metricHistory(String runId, String key) throws IOException {
    return reader.metricHistory(runId, key);
  }

  @Override
  public Optional<dev.tracker.spi.ModelStore> modelStore() {
    return Optional.of(new MlflowModels(api, writer, client));
  }

  @Override
  public String toString() {
    return "MlflowBackend{" + describe + ", auth=" + authKind + "}";
  }

  // ------------------------------------------------------------------------------- builder

  /**
   * Builds an {@link MlflowBackend}. Every setting has a matching MLflow environment variable,
   * read by {@link MlflowBackendProvider}; here nothing is read from the environment.
   */
  public static final class Builder {
    private URI uri;
    private String token;
    private String username;
    private String password;
    private boolean insecureTls;
    private Path serverCertPath;
    private Duration timeout = DEFAULT_TIMEOUT;
    private double backoffFactor = DEFAULT_BACKOFF_FACTOR;
    private double backoffJitter = DEFAULT_BACKOFF_JITTER;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Path spoolDir = defaultSpoolDir();
    private String experimentId;
    private OkHttpClient client;
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    /**
     * The tracking server ({@code MLFLOW_TRACKING_URI}): {@code http://host:5000}, {@code
     * https://dagshub.com/owner/repo.mlflow}, optionally with user info ({@code
     * https://user:token@host}) used as Basic credentials when none are given otherwise.
     */
    public Builder uri(URI uri) {
      this.uri = uri;
      return this;
    }

    /** The tracking server, parsed. */
    public Builder uri(String uri) {
      try {
        return uri(uri == null ? null : URI.create(uri.trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("MLflow tracking URI must be a URI such as"
            + " http://host:5000 but was '" + Secrets.redactUri(uri) + "'");
      }
    }

    /** A bearer token ({@code MLFLOW_TRACKING_TOKEN}); username and password win over it. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** The Basic-auth user ({@code MLFLOW_TRACKING_USERNAME}); needs {@link #password}. */
    public Builder username(String username) {
      this.username = username;
      return this;
    }

    /** The Basic-auth password ({@code MLFLOW_TRACKING_PASSWORD}); needs {@link #username}. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * Skips TLS certificate and host name verification ({@code MLFLOW_TRACKING_INSECURE_TLS});
     * off by default. Not together with {@link #serverCertPath}. A backend built with it logs one
     * WARN saying so.
     */
    public Builder insecureTls(boolean insecure) {
      this.insecureTls = insecure;
      return this;
    }

    /**
     * A PEM file of the CA certificate(s) to trust instead of the JVM's
     * ({@code MLFLOW_TRACKING_SERVER_CERT_PATH}), for a private or self-signed server.
     */
    public Builder serverCertPath(Path pem) {
      this.serverCertPath = pem;
      return this;
    }

    /**
     * How long a request may take to send or answer ({@code MLFLOW_HTTP_REQUEST_TIMEOUT}): each
     * read or write, and the whole request a second more (an upload a second more per 16 kB);
     * connecting waits at most {@link MlflowBackend#DEFAULT_CONNECT_TIMEOUT} of it. Default 120 s.
     */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Seconds before the first retry, doubled for each next one ({@code
     * MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR}); default 2.
     */
    public Builder backoffFactor(double seconds) {
      this.backoffFactor = seconds;
      return this;
    }

    /**
     * At most this many seconds added at random to each back-off ({@code
     * MLFLOW_HTTP_REQUEST_BACKOFF_JITTER}); default 1.
     */
    public Builder backoffJitter(double seconds) {
      this.backoffJitter = seconds;
      return this;
    }

    /** The longest wait between two attempts, {@code Retry-After} included; default 60 s. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
      return this;
    }

    /**
     * The journal root ({@code tracker.spoolDir}, {@code TRACKER_SPOOL_DIR}); each server gets a
     * folder under it ({@link MlflowBackend#journalDirectory}), where a tracker journals what it
     * logs until the server has it. Default {@code ~/.tracker/spool}. Size it for what may wait
     * undelivered: at most 1 GiB per tracker, after which logging waits.
     */
    public Builder spoolDir(Path root) {
      this.spoolDir = root;
      return this;
    }

    /**
     * The experiment id that runs of the tracker's default experiment ({@value
     * Tracker#DEFAULT_EXPERIMENT}) go to ({@code MLFLOW_EXPERIMENT_ID}, used when no experiment
     * name is configured).
     */
    public Builder experimentId(String experimentId) {
      this.experimentId = experimentId;
      return this;
    }

    /**
     * An OkHttp client to use (its timeouts, proxy, pool); the backend adds its credentials and
     * TLS settings to a derived client and never shuts the given one down.
     */
    public Builder client(OkHttpClient client) {
      this.client = client;
      return this;
    }

    /** The clock for {@code Retry-After} dates and spool names; the system clock by default. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    // what tests of the configuration read
    Duration timeout() {
      return timeout;
    }

    double backoffFactor() {
      return backoffFactor;
    }

    double backoffJitter() {
      return backoffJitter;
    }

    boolean insecureTls() {
      return insecureTls;
    }

    Path serverCertPath() {
      return serverCertPath;
    }

    Path spoolDir() {
      return spoolDir;
    }

    String experimentId() {
      return experimentId;
    }

    String authKind() {
      boolean inUri = uri != null && HttpClients.userInfo(uri) != null;
      return username != null || (token == null && inUri) ? "basic"
          : token != null ? "bearer" : "none";
    }

    /** Basic for a user, else Bearer for a token, else Basic for the URI's user info. */
    private String authorization() {
      if (username != null) {
        return Credentials.basic(username, password, StandardCharsets.UTF_8);
      }
      if (token != null) {
        return "Bearer " + token;
      }
      String[] info = HttpClients.userInfo(uri);
      return info == null ? null : Credentials.basic(info[0], info[1], StandardCharsets.UTF_8);
    }

    Builder copy() {
      return new Builder().uri(uri).token(token).username(username).password(password)
          .insecureTls(insecureTls).serverCertPath(serverCertPath).timeout(timeout)
          .backoffFactor(backoffFactor).backoffJitter(backoffJitter).maxBackoff(maxBackoff)
          .spoolDir(spoolDir).experimentId(experimentId).client(client).clock(clock);
    }

    /**
     * Checks the settings and builds the backend. No request is sent; journals left by an
     * earlier process for this server are delivered by the next tracker that uses the backend.
     *
     * @throws IllegalArgumentException when a setting is invalid, naming it and the rule
     */
    public MlflowBackend build() {
      Builder b = copy();
      if (b.uri == null) {
        throw new IllegalArgumentException("MLflow tracking URI must be set (MLFLOW_TRACKING_URI"
            + " or MlflowBackend.builder().uri(..)), e.g. http://localhost:5000");
      }
      String scheme = b.uri.getScheme() == null ? "" : b.uri.getScheme().toLowerCase(Locale.ROOT);
      if (Backends.isDatabricks(b.uri)) {
        throw new IllegalArgumentException("tracking URI '" + Secrets.redactUri(b.uri.toString())
            + "' names a Databricks profile, which dev.tracker:tracker-http does not read; set"
            + " MLFLOW_TRACKING_URI to the workspace URL (https://<workspace>.cloud.databricks"
            + ".com) and MLFLOW_TRACKING_TOKEN to a personal access token");
      }
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("MLflow tracking URI must start with http:// or"
            + " https:// but was '" + Secrets.redactUri(b.uri.toString()) + "'");
      }
      if (b.uri.getRawAuthority() == null || b.uri.getRawAuthority().endsWith("@")) {
        throw new IllegalArgumentException("MLflow tracking URI must name a host but was '"
            + Secrets.redactUri(b.uri.toString()) + "'");
      }
      HttpUrl base = HttpClients.baseUrl(b.uri);
      if (base == null) {
        throw new IllegalArgumentException("MLflow tracking URI must be http(s)://host[:port]"
            + "[/path], with a host name or address and a port from 1 to 65535, but was '"
            + Secrets.redactUri(b.uri.toString()) + "'");
      }
      if ((b.username == null) != (b.password == null)) {
        throw new IllegalArgumentException("MLFLOW_TRACKING_USERNAME and"
            + " MLFLOW_TRACKING_PASSWORD must be set together but only "
            + (b.username == null ? "the password" : "the username") + " was given");
      }
      if (b.insecureTls && b.serverCertPath != null) {
        throw new IllegalArgumentException("MLFLOW_TRACKING_INSECURE_TLS and"
            + " MLFLOW_TRACKING_SERVER_CERT_PATH must not both be set: the first skips the"
            + " verification that the second configures");
      }
      if (b.timeout == null || b.timeout.isZero() || b.timeout.isNegative()) {
        throw new IllegalArgumentException("timeout (MLFLOW_HTTP_REQUEST_TIMEOUT) must be"
            + " positive but was " + b.timeout);
      }
      if (b.timeout.compareTo(Duration.ofMillis(1)) < 0
          || b.timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
        // what OkHttp takes; it would say only "timeout too large" or "too small"
        throw new IllegalArgumentException("timeout (MLFLOW_HTTP_REQUEST_TIMEOUT) must be from"
            + " 1 ms to 2147483647 ms (24 days) but was " + b.timeout);
      }
      if (b.token != null) {
        HttpClients.checkHeaderValue(b.token, "MLFLOW_TRACKING_TOKEN");
      }
      if (!(b.backoffFactor >= 0) || Double.isInfinite(b.backoffFactor)) {
        throw new IllegalArgumentException("backoffFactor (MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR)"
            + " must be a non-negative number of seconds but was " + b.backoffFactor);
      }
      if (!(b.backoffJitter >= 0) || Double.isInfinite(b.backoffJitter)) {
        throw new IllegalArgumentException("backoffJitter (MLFLOW_HTTP_REQUEST_BACKOFF_JITTER)"
            + " must be a non-negative number of seconds but was " + b.backoffJitter);
      }
      if (b.maxBackoff == null || b.maxBackoff.isNegative()) {
        throw new IllegalArgumentException("maxBackoff must not be negative but was "
            + b.maxBackoff);
      }
      if (b.spoolDir == null) {
        throw new IllegalArgumentException("spoolDir must not be null");
      }
      OkHttpClient.Builder cb = b.client != null ? b.client.newBuilder()
          : new OkHttpClient.Builder()
              .socketFactory(new NoDelaySocketFactory()) // no 40 ms pause per request
              .connectTimeout(b.timeout.compareTo(DEFAULT_CONNECT_TIMEOUT) < 0 ? b.timeout
                  : DEFAULT_CONNECT_TIMEOUT)
              .readTimeout(b.timeout).writeTimeout(b.timeout);
      cb.addInterceptor(new HttpClients.Auth(base, b.authorization()));
      HttpClients.tls(b.insecureTls, b.serverCertPath, cb);
      MlflowBackend backend = new MlflowBackend(b, base, cb.build());
      if (b.insecureTls) {
        // once per backend, when it is built: not per request, and never silently
        log.warn("TLS certificate and host name verification is off for {}"
            + " (MLFLOW_TRACKING_INSECURE_TLS=true): anyone on the network path can read and change"
            + " what is sent, credentials included; set MLFLOW_TRACKING_SERVER_CERT_PATH to the"
            + " server's CA certificate instead", backend.describe());
      }
      return backend;
    }

    @Override
    public String toString() {
      return "MlflowBackend.Builder{uri=" + (uri == null ? null : Secrets.redactUri(uri.toString()))
          + ", auth=" + authKind() + "}";
    }
  }
}
