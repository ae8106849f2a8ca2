package dev.tracker.http;

import dev.tracker.ExperimentInfo;
import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.spi.Batch;
import dev.tracker.spi.BackendConfig;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.SearchPage;
import dev.tracker.spi.SearchRequest;
import dev.tracker.spi.Secrets;
import dev.tracker.spi.TrackingBackend;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
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
 * Records go in {@code runs/log-batch} requests within the server's limits. Requests that fail
 * with an I/O error or HTTP 408, 429, 500, 502, 503, 504 are retried with exponential back-off
 * and jitter ({@link Builder#maxRetries}, {@link Builder#backoffFactor}, {@code Retry-After}
 * honoured), for at most {@link Builder#retryTimeout}. When the server still cannot be reached,
 * that operation and every later one go, in order, to a durable local {@link Spool}, which a
 * background thread ({@code tracker-spool}) delivers when the server is back; {@link #flush()}
 * then says {@link FlushResult#SPOOLED}. At {@link #close()} what could not be delivered stays on
 * disk and the next backend for the same server and spool folder (or {@link #deliverSpooled()},
 * which {@code tracker sync} runs) delivers it.
 *
 * <p>When the server refuses some records of a batch (HTTP 400, e.g. a param logged earlier with
 * another value), the other records are delivered and the refused ones are reported by key in a
 * {@link RejectedRecordsException}. A param is never sent twice with different values.
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
  public static final String RUN_ID_TAG = Courier.RUN_ID_TAG;
  /** How long one request may take to answer (MLflow's {@code MLFLOW_HTTP_REQUEST_TIMEOUT}). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
  /** The longest wait for a connection, whatever the timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Retries after the first attempt (MLflow's default). */
  public static final int DEFAULT_MAX_RETRIES = 7;
  /** Seconds before the first retry, doubled for each next one (MLflow's default). */
  public static final double DEFAULT_BACKOFF_FACTOR = 2;
  /** At most this many seconds added at random to each back-off (MLflow's default). */
  public static final double DEFAULT_BACKOFF_JITTER = 1;
  /** The longest wait between two attempts. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(60);
  /** How long an operation is retried before it goes to the spool. */
  public static final Duration DEFAULT_RETRY_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(MlflowBackend.class);

  private final URI uri;
  private final String describe;
  private final String authKind;
  private final OkHttpClient client;
  private final boolean ownClient;
  private final MlflowApi api;
  private final Courier courier;
  private final RetryPolicy reads;
  private final Path spoolDirectory;
  private final Builder config;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Map<String, String> experimentNames = new HashMap<>();

  private MlflowBackend(Builder b, HttpUrl base, String authorization, String authKind,
      OkHttpClient client, boolean ownClient) throws IOException {
    this.config = b;
    this.uri = b.uri;
    this.describe = base.toString().replaceAll("/+$", "");
    this.authKind = authKind;
    this.client = client;
    this.ownClient = ownClient;
    RetryPolicy direct = new RetryPolicy(b.maxRetries, b.backoffFactor, b.backoffJitter,
        b.maxBackoff, b.retryTimeout);
    this.reads = direct.unbounded();
    Rest rest = new Rest(client, base, describe, b.sleeper, b.random, b.nanoTime, b.clock);
    this.api = new MlflowApi(rest);
    this.spoolDirectory = Spool.directoryFor(b.spoolDir, URI.create(describe));
    this.courier = new Courier(api, direct, b.sleeper, b.random, b.clock, spoolDirectory,
        describe, b.experimentId);
    courier.deliverLeftovers();
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
   * until the server created it (while the server is unreachable, or before the dispatcher got
   * to it).
   */
  public Optional<String> serverRunId(String trackerRunId) {
    return courier.serverRunId(trackerRunId);
  }

  /** The spool of this backend's server (see {@link Spool}). */
  public Spool spool() {
    return Spool.at(spoolDirectory);
  }

  /**
   * Delivers every spooled session of this server that no running process holds, oldest first,
   * now (what {@code tracker sync} runs).
   *
   * @return what was delivered, and which records the server refused
   * @throws TrackerException when the server could not be reached; what was not delivered stays
   */
  public Spool.SyncResult deliverSpooled() throws IOException {
    return courier.deliverSpooled();
  }

  /** Waits until the background delivery has nothing left to do; for tests. */
  boolean awaitDelivered(Duration timeout) throws InterruptedException {
    return courier.awaitDelivered(timeout);
  }

  /** Waits until the background delivery waits for work or after a failed attempt; for tests. */
  boolean awaitQuiet(Duration timeout) throws InterruptedException {
    return courier.awaitQuiet(timeout);
  }

  // ------------------------------------------------------------------------------- writing

  @Override
  public String createExperiment(String name) throws IOException {
    return courier.createExperiment(name);
  }

  @Override
  public void createRun(RunSpec spec) throws IOException {
    courier.createRun(spec);
  }

  @Override
  public void logBatch(String runId, Batch batch) throws IOException {
    if (!batch.isEmpty()) {
      courier.logBatch(runId, batch);
    }
  }

  @Override
  public void logArtifact(String runId, Path file, String artifactPath) throws IOException {
    courier.logArtifact(runId, file, artifactPath);
  }

  @Override
  public void endRun(String runId, RunStatus status, long endTime) throws IOException {
    courier.endRun(runId, status, endTime);
  }

  /**
   * Returns when everything handed over is acknowledged by the server ({@link
   * FlushResult#DELIVERED}) or written durably to the spool ({@link FlushResult#SPOOLED}); a
   * spool is tried once first, so this says DELIVERED as soon as the server is back.
   *
   * @throws IOException carrying records the server refused and other failures since the last
   *     flush
   */
  @Override
  public FlushResult flush() throws IOException {
    return courier.flush();
  }

  /**
   * Stops the background delivery, tries the spool once more, and releases connections (not
   * those of a client given to the builder). What could not be delivered stays in the spool.
   * Safe to call twice.
   */
  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      courier.close();
    } finally {
      if (ownClient) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
      }
    }
  }

  // ------------------------------------------------------------------------------- reading

  @Override
  public List<ExperimentInfo> listExperiments() throws IOException {
    List<ExperimentInfo> out = new ArrayList<>();
    for (Dto.Experiment e : api.searchExperiments(reads)) {
      if (!e.isDeleted()) {
        out.add(new ExperimentInfo(e.id(), e.name(), e.creationTime()));
      }
    }
    return out;
  }

  /**
   * Lists the runs of an experiment, newest first. A run created by a tracker is listed under the
   * tracker's id (its {@value #RUN_ID_TAG} tag), as is its parent; other runs under their MLflow
   * ids.
   */
  @Override
  public List<RunInfo> listRuns(String experimentName) throws IOException {
    Optional<Dto.Experiment> e = api.experimentByName(experimentName, reads);
    if (e.isEmpty()) {
      return List.of();
    }
    List<Dto.Run> runs = api.searchRuns(List.of(e.get().id()), null, reads);
    Map<String, String> ids = new HashMap<>();
    for (Dto.Run r : runs) {
      ids.put(r.id(), trackerId(r));
    }
    List<RunInfo> out = new ArrayList<>();
    for (Dto.Run r : runs) {
      out.add(info(r, e.get().name(), ids));
    }
    return out;
  }

  /** Reads an artifact through the server's artifact proxy, by the tracker's or MLflow's id. */
  @Override
  public InputStream openArtifact(String runId, String artifactPath) throws IOException {
    Dto.Run r = findRun(runId).orElseThrow(() -> new FileNotFoundException("no run " + runId
        + " in " + describe));
    return ArtifactDownload.open(client, api.rest().base(), r, artifactPath);
  }

  /** Searches on the server: {@code runs/search} with the filter and order as given. */
  @Override
  public SearchPage searchRuns(SearchRequest request) throws IOException {
    return new ServerSearch(api, reads, this::info).search(request);
  }

  /**
   * Reads a run by the tracker's id (its {@value #RUN_ID_TAG} tag) or its MLflow id. Ids in the
   * result are the tracker's where the runs have one: the run's, its parent's, and the
   * {@code mlflow.parentRunId} tag's.
   */
  @Override
  public Optional<RunData> readRun(String runId) throws IOException {
    Optional<Dto.Run> found = findRun(runId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Dto.Run r = found.get();
    List<Metric> metrics = new ArrayList<>();
    Set<String> keys = new TreeSet<>();
    for (Metric m : r.latestMetrics()) {
      keys.add(m.key());
    }
    for (String key : keys) {
      metrics.addAll(api.metricHistory(r.id(), key, reads));
    }
    List<String> artifacts = new ArrayList<>();
    listArtifacts(r.id(), null, artifacts, new HashSet<>());
    Map<String, String> ids = new HashMap<>();
    ids.put(r.id(), trackerId(r));
    RunInfo info = info(r, experimentName(r.experimentId()), ids);
    Map<String, String> tags = new LinkedHashMap<>(r.tags());
    if (info.parentRunId() != null) {
      tags.put(Courier.PARENT_TAG, info.parentRunId());
    }
    return Optional.of(new RunData(info, r.params(), tags, metrics, artifacts));
  }

  /** Reads a metric's history by the tracker's id or the run's MLflow id, every page. */
  @Override
  public List<Metric> metricHistory(String runId, String key) throws IOException {
    String id = courier.serverRunId(runId).orElse(null);
    if (id == null) {
      Optional<Dto.Run> r = findRun(runId);
      if (r.isEmpty()) {
        return List.of();
      }
      id = r.get().id();
    }
    return api.metricHistory(id, key, reads);
  }

  private Optional<Dto.Run> findRun(String runId) throws IOException {
    Optional<String> known = courier.serverRunId(runId);
    if (known.isPresent()) {
      Optional<Dto.Run> r = api.run(known.get(), reads);
      if (r.isPresent()) {
        return r;
      }
    }
    return courier.findRun(runId, reads);
  }

  private void listArtifacts(String runId, String path, List<String> out, Set<String> seen)
      throws IOException {
    for (Dto.FileInfo f : api.listArtifacts(runId, path, reads)) {
      if (f.path() == null) {
        continue;
      }
      if (f.dir()) {
        if (seen.add(f.path())) {
          listArtifacts(runId, f.path(), out, seen);
        }
      } else {
        out.add(f.path());
      }
    }
  }

  private String experimentName(String experimentId) throws IOException {
    synchronized (experimentNames) {
      String name = experimentNames.get(experimentId);
      if (name == null) {
        name = api.experiment(experimentId, reads).name();
        experimentNames.put(experimentId, name);
      }
      return name;
    }
  }

  private static String trackerId(Dto.Run r) {
    String id = r.tags().get(RUN_ID_TAG);
    return id == null || id.isEmpty() ? r.id() : id;
  }

  /**
   * The run's info in the tracker's ids; {@code ids} maps MLflow ids to tracker ids and learns
   * the parent's.
   */
  private RunInfo info(Dto.Run r, String experimentName, Map<String, String> ids)
      throws IOException {
    RunStatus status;
    try {
      status = r.status() == null || "SCHEDULED".equals(r.status()) ? RunStatus.RUNNING
          : RunStatus.valueOf(r.status());
    } catch (IllegalArgumentException unknown) {
      status = RunStatus.RUNNING;
    }
    String parent = r.tags().get(Courier.PARENT_TAG);
    if (parent != null) {
      String known = ids.get(parent);
      if (known == null) {
        Optional<Dto.Run> p = api.run(parent, reads);
        known = p.map(MlflowBackend::trackerId).orElse(parent);
        ids.put(parent, known);
      }
      parent = known;
    }
    return new RunInfo(trackerId(r), r.name(), r.experimentId(), experimentName, status,
        r.startTime(), r.endTime(), parent);
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
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private double backoffFactor = DEFAULT_BACKOFF_FACTOR;
    private double backoffJitter = DEFAULT_BACKOFF_JITTER;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Duration retryTimeout = DEFAULT_RETRY_TIMEOUT;
    private Path spoolDir = Spool.defaultRoot();
    private String experimentId;
    private OkHttpClient client;
    private InstantSource clock = InstantSource.system();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private LongSupplier nanoTime = System::nanoTime;

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
            + " http://host:5000 but was '" + Secrets.redact(uri) + "'");
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
     * How long a request may take to send or answer ({@code MLFLOW_HTTP_REQUEST_TIMEOUT});
     * connecting waits at most {@link MlflowBackend#DEFAULT_CONNECT_TIMEOUT} of it. Default 120 s.
     */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Retries after the first attempt ({@code MLFLOW_HTTP_REQUEST_MAX_RETRIES}); default 7. */
    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
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
     * How long an operation is retried before it goes to the spool (so that the dispatcher
     * moves on); the spool itself is retried until delivered. Default 30 s.
     */
    public Builder retryTimeout(Duration retryTimeout) {
      this.retryTimeout = retryTimeout;
      return this;
    }

    /**
     * The spool root ({@code tracker.spoolDir}, {@code TRACKER_SPOOL_DIR}); each server gets a
     * folder under it. Default {@code ~/.tracker/spool}.
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

    Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper);
      return this;
    }

    Builder random(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random);
      return this;
    }

    Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime);
      return this;
    }

    // what tests of the configuration read
    URI uri() {
      return uri;
    }

    Duration timeout() {
      return timeout;
    }

    int maxRetries() {
      return maxRetries;
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
      return username != null ? "basic" : token != null ? "bearer" : "none";
    }

    Builder copy() {
      Builder b = new Builder();
      b.uri = uri;
      b.token = token;
      b.username = username;
      b.password = password;
      b.insecureTls = insecureTls;
      b.serverCertPath = serverCertPath;
      b.timeout = timeout;
      b.maxRetries = maxRetries;
      b.backoffFactor = backoffFactor;
      b.backoffJitter = backoffJitter;
      b.maxBackoff = maxBackoff;
      b.retryTimeout = retryTimeout;
      b.spoolDir = spoolDir;
      b.experimentId = experimentId;
      b.client = client;
      b.clock = clock;
      b.sleeper = sleeper;
      b.random = random;
      b.nanoTime = nanoTime;
      return b;
    }

    /**
     * Checks the settings and builds the backend. No request is sent; spooled sessions left by
     * an earlier process for this server start being delivered in the background.
     *
     * @throws IllegalArgumentException when a setting is invalid, naming it and the rule
     * @throws TrackerException when the spool folder cannot be read
     */
    public MlflowBackend build() {
      Builder b = copy();
      if (b.uri == null) {
        throw new IllegalArgumentException("MLflow tracking URI must be set (MLFLOW_TRACKING_URI"
            + " or MlflowBackend.builder().uri(..)), e.g. http://localhost:5000");
      }
      String scheme = b.uri.getScheme() == null ? "" : b.uri.getScheme().toLowerCase(Locale.ROOT);
      if (MlflowBackendProvider.isDatabricks(b.uri)) {
        throw new IllegalArgumentException("tracking URI '" + Secrets.redact(b.uri.toString())
            + "' names a Databricks profile, which dev.tracker:tracker-http does not read; set"
            + " MLFLOW_TRACKING_URI to the workspace URL (https://<workspace>.cloud.databricks"
            + ".com) and MLFLOW_TRACKING_TOKEN to a personal access token");
      }
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("MLflow tracking URI must start with http:// or"
            + " https:// but was '" + Secrets.redact(b.uri.toString()) + "'");
      }
      if (b.uri.getHost() == null || b.uri.getHost().isEmpty()) {
        throw new IllegalArgumentException("MLflow tracking URI must name a host but was '"
            + Secrets.redact(b.uri.toString()) + "'");
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
      if (b.maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries (MLFLOW_HTTP_REQUEST_MAX_RETRIES) must"
            + " not be negative but was " + b.maxRetries);
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
      if (b.retryTimeout == null || b.retryTimeout.isNegative()) {
        throw new IllegalArgumentException("retryTimeout must not be negative but was "
            + b.retryTimeout);
      }
      if (b.spoolDir == null) {
        throw new IllegalArgumentException("spoolDir must not be null");
      }
      HttpUrl base = baseUrl(b.uri);
      String user = b.username;
      String pass = b.password;
      if (user == null && b.token == null && b.uri.getRawUserInfo() != null) {
        String[] info = b.uri.getUserInfo().split(":", 2);
        user = info[0];
        pass = info.length > 1 ? info[1] : "";
      }
      String authorization = null;
      String authKind = "none";
      if (user != null) {
        authorization = Credentials.basic(user, pass, java.nio.charset.StandardCharsets.UTF_8);
        authKind = "basic";
      } else if (b.token != null) {
        authorization = "Bearer " + b.token;
        authKind = "bearer";
      }
      OkHttpClient.Builder cb;
      if (b.client != null) {
        cb = b.client.newBuilder();
      } else {
        long timeoutMillis = b.timeout.toMillis();
        cb = new OkHttpClient.Builder()
            .socketFactory(new NoDelaySocketFactory()) // no 40 ms pause per request
            .connectTimeout(Math.min(timeoutMillis, DEFAULT_CONNECT_TIMEOUT.toMillis()),
                TimeUnit.MILLISECONDS)
            .readTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
            .writeTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
      }
      cb.addInterceptor(new Auth(base, authorization));
      tls(b, cb);
      MlflowBackend backend;
      try {
        backend = new MlflowBackend(b, base, authorization, authKind, cb.build(),
            b.client == null);
      } catch (IOException e) {
        throw new TrackerException("cannot read the spool folder under " + b.spoolDir + ": "
            + e.getMessage(), e);
      }
      if (b.insecureTls) {
        // once per backend, when it is built: not per request, and never silently
        log.warn("TLS certificate and host name verification is off for {}"
            + " (MLFLOW_TRACKING_INSECURE_TLS=true): anyone on the network path can read and change"
            + " what is sent, credentials included; set MLFLOW_TRACKING_SERVER_CERT_PATH to the"
            + " server's CA certificate instead", backend.describe());
      }
      return backend;
    }

    private static HttpUrl baseUrl(URI uri) {
      HttpUrl.Builder u = new HttpUrl.Builder().scheme(uri.getScheme().toLowerCase(Locale.ROOT))
          .host(uri.getHost());
      if (uri.getPort() != -1) {
        u.port(uri.getPort());
      }
      String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
      u.encodedPath(path.isEmpty() ? "/" : path + "/");
      return u.build();
    }

    private static void tls(Builder b, OkHttpClient.Builder cb) {
      try {
        if (b.insecureTls) {
          X509TrustManager trustAll = new TrustAll();
          SSLContext ssl = SSLContext.getInstance("TLS");
          ssl.init(null, new TrustManager[] {trustAll}, new SecureRandom());
          cb.sslSocketFactory(ssl.getSocketFactory(), trustAll);
          cb.hostnameVerifier((host, session) -> true);
        } else if (b.serverCertPath != null) {
          X509TrustManager trust = trustOnly(b.serverCertPath);
          SSLContext ssl = SSLContext.getInstance("TLS");
          ssl.init(null, new TrustManager[] {trust}, new SecureRandom());
          cb.sslSocketFactory(ssl.getSocketFactory(), trust);
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JVM cannot set up TLS: " + e.getMessage(), e);
      }
    }

    private static X509TrustManager trustOnly(Path pem) throws GeneralSecurityException {
      Collection<? extends Certificate> certs;
      try (InputStream in = Files.newInputStream(pem)) {
        certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      } catch (IOException | java.security.cert.CertificateException e) {
        throw new IllegalArgumentException("MLFLOW_TRACKING_SERVER_CERT_PATH must name a"
            + " readable PEM file of CA certificates but '" + pem + "' is not one: "
            + e.getMessage(), e);
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("MLFLOW_TRACKING_SERVER_CERT_PATH must name a PEM"
            + " file of CA certificates but '" + pem + "' holds none");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      try {
        store.load(null, null);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          return x;
        }
      }
      throw new IllegalStateException("no X509TrustManager in this JVM");
    }

    @Override
    public String toString() {
      return "MlflowBackend.Builder{uri=" + (uri == null ? null : Secrets.redact(uri.toString()))
          + ", auth=" + authKind() + "}";
    }
  }

  /** Adds the credentials to requests for the tracking server (and no other host). */
  private static final class Auth implements Interceptor {
    private final HttpUrl base;
    private final String authorization;

    Auth(HttpUrl base, String authorization) {
      this.base = base;
      this.authorization = authorization;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
      Request request = chain.request();
      HttpUrl url = request.url();
      Request.Builder b = request.newBuilder().header("User-Agent", "tracker-http");
      if (authorization != null && url.scheme().equals(base.scheme())
          && url.host().equals(base.host()) && url.port() == base.port()) {
        b.header("Authorization", authorization);
      }
      return chain.proceed(b.build());
    }

    @Override
    public String toString() {
      return "Auth{" + base + "}";
    }
  }

  /** Trusts every certificate: {@code MLFLOW_TRACKING_INSECURE_TLS=true}. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
