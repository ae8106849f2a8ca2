package dev.tracker.http.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ServerSocketFactory;
import mockwebserver3.MockWebServer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okio.ByteString;

/**
 * A MockWebServer {@link Dispatcher} that behaves like an MLflow tracking server (REST API 2.0
 * with the artifact proxy): it keeps experiments, runs, params, tags, metric histories and
 * artifacts, enforces MLflow's {@code log-batch} limits and param immutability, pages like MLflow,
 * and answers errors as MLflow does ({@code {"error_code": …, "message": …}} with MLflow's HTTP
 * statuses). Shared through the tracker-http test-jar.
 *
 * <pre>{@code
 * FakeMlflowServer mlflow = new FakeMlflowServer();
 * MockWebServer server = FakeMlflowServer.newServer();
 * server.setDispatcher(mlflow);
 * server.start();
 * ... MlflowBackend.builder().uri(server.url("/").toString()) ...
 * assertThat(mlflow.runs()).hasSize(1);
 * }</pre>
 *
 * <p>Faults: {@link #script(String, MockResponse...)} answers the next requests of an endpoint
 * from a script; {@link #outage(Outage)} makes every request fail until lifted. Like MLflow's
 * file store it keeps duplicate metric points unless {@link #dedupeMetrics(boolean)} makes it
 * behave like the SQL store.
 */
public final class FakeMlflowServer extends Dispatcher {
  /** MLflow's limits (mlflow/utils/validation.py). */
  public static final int MAX_METRICS = 1000;
  public static final int MAX_PARAMS_TAGS = 100;
  public static final int MAX_ENTITIES = 1000;
  public static final int MAX_REQUEST_BYTES = 1_000_000;
  public static final int MAX_HISTORY_RESULTS = 25_000;

  /** The token recent MLflow servers answer to a history request without max_results. */
  public static final String STUCK_TOKEN = "c3R1Y2s=";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ARTIFACT_PUT =
      Pattern.compile("/api/2\\.0/mlflow-artifacts/artifacts/(.+)");

  /** How the server fails while an outage lasts. */
  public enum Outage {
    /** Serving normally. */
    NONE,
    /** Every request answered 503 TEMPORARILY_UNAVAILABLE. */
    UNAVAILABLE,
    /** Every connection dropped as the request arrives (like a crashed server). */
    DISCONNECT
  }

  private final Object lock = new Object();
  private final InstantSource clock;
  private final Map<String, Experiment> experiments = new LinkedHashMap<>();
  private final Map<String, RunState> runs = new LinkedHashMap<>();
  private final Map<String, Deque<MockResponse>> scripts = new HashMap<>();
  private final Deque<MockResponse> next = new ArrayDeque<>();
  private final ThreadLocal<MockResponse> peeked = new ThreadLocal<>();
  private final List<String> log = new ArrayList<>();
  private long nextExperiment = 1;
  private long nextRun = 1;
  private String artifactRoot = "mlflow-artifacts:";
  private String authorization;
  private boolean dedupeMetrics;
  private int pageSize = Integer.MAX_VALUE;
  private Function<String, MockResponse> interceptor = endpoint -> null;
  private volatile Outage outage = Outage.NONE;

  /** A server with the "Default" experiment (id 0), timestamps from the system clock. */
  public FakeMlflowServer() {
    this(InstantSource.system());
  }

  /** A server with the "Default" experiment (id 0), timestamps from {@code clock}. */
  public FakeMlflowServer(InstantSource clock) {
    this.clock = clock;
    experiments.put("0", new Experiment("0", "Default", artifactRoot + "/0", clock.millis()));
  }

  /**
   * A MockWebServer whose connections send small writes at once (TCP_NODELAY): without it each
   * answer of a keep-alive connection waits for the client's delayed ACK, about 40 ms.
   */
  public static MockWebServer newServer() {
    MockWebServer server = new MockWebServer();
    server.setServerSocketFactory(new ServerSocketFactory() {
      @Override
      public ServerSocket createServerSocket() throws IOException {
        return new NoDelayServerSocket();
      }

      @Override
      public ServerSocket createServerSocket(int port) throws IOException {
        throw new UnsupportedOperationException();
      }

      @Override
      public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        throw new UnsupportedOperationException();
      }

      @Override
      public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
          throws IOException {
        throw new UnsupportedOperationException();
      }
    });
    return server;
  }

  private static final class NoDelayServerSocket extends ServerSocket {
    NoDelayServerSocket() throws IOException {
      super();
    }

    @Override
    public Socket accept() throws IOException {
      Socket s = super.accept();
      s.setTcpNoDelay(true);
      return s;
    }
  }

  // ---------------------------------------------------------------------------- configuring

  /**
   * The artifact root of experiments created from now on, e.g. {@code s3://bucket} for a server
   * that does not serve artifacts; {@code mlflow-artifacts:} by default.
   */
  public FakeMlflowServer artifactRoot(String root) {
    synchronized (lock) {
      this.artifactRoot = root;
    }
    return this;
  }

  /** Requires this exact {@code Authorization} header on every request (401 otherwise). */
  public FakeMlflowServer requireAuthorization(String header) {
    synchronized (lock) {
      this.authorization = header;
    }
    return this;
  }

  /** Drops metric points equal to one already held, as MLflow's SQL store does. */
  public FakeMlflowServer dedupeMetrics(boolean dedupe) {
    synchronized (lock) {
      this.dedupeMetrics = dedupe;
    }
    return this;
  }

  /**
   * The most items a page holds whatever the client asks (servers may answer fewer than
   * max_results), for testing paging; unlimited by default.
   */
  public FakeMlflowServer pageSize(int size) {
    synchronized (lock) {
      this.pageSize = size;
    }
    return this;
  }

  /**
   * Sees the endpoint of every request before it is handled and may answer instead (non-null),
   * e.g. to let two log-batch requests through and fail the third.
   */
  public FakeMlflowServer interceptor(Function<String, MockResponse> interceptor) {
    synchronized (lock) {
      this.interceptor = interceptor == null ? endpoint -> null : interceptor;
    }
    return this;
  }

  /** Answers the next requests to {@code endpoint} (e.g. "runs/log-batch") with these. */
  public FakeMlflowServer script(String endpoint, MockResponse... responses) {
    synchronized (lock) {
      scripts.computeIfAbsent(endpoint, k -> new ArrayDeque<>()).addAll(List.of(responses));
    }
    return this;
  }

  /**
   * Answers the very next request, whatever its endpoint, with this. Unlike {@link #script},
   * socket effects on the request body (a connection closed mid-body) apply, since MockWebServer
   * asks {@link #peek()} for them before the request is dispatched.
   */
  public FakeMlflowServer next(MockResponse response) {
    synchronized (lock) {
      next.add(response);
    }
    return this;
  }

  // MockWebServer peeks, then reads the body, then dispatches, on one thread per connection;
  // when the body read fails (the effect closed the socket) there is no dispatch.
  @Override
  public MockResponse peek() {
    synchronized (lock) {
      MockResponse r = next.poll();
      peeked.set(r);
      return r != null ? r : super.peek();
    }
  }

  /** Starts or ends an outage. */
  public FakeMlflowServer outage(Outage outage) {
    this.outage = outage;
    return this;
  }

  /** An MLflow error answer. */
  public static MockResponse error(int status, String errorCode, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error_code", errorCode);
    body.put("message", message);
    return json(status, body);
  }

  /** A bare answer with a status and a text body. */
  public static MockResponse status(int status, String body) {
    return new MockResponse.Builder().code(status).body(body).build();
  }

  /**
   * An answer that closes the connection once the request was read, before any response: the
   * client sees an I/O error. (Effects on the response work from {@link #dispatch}; effects on
   * the request need {@link #next}.)
   */
  public static MockResponse disconnect() {
    return new MockResponse.Builder()
        .onResponseStart(new SocketEffect.CloseSocket(true, false, false)).build();
  }

  // ---------------------------------------------------------------------------- inspecting

  /** A run as the server holds it. */
  public record Run(String id, String experimentId, String name, String status, long startTime,
      long endTime, Map<String, String> params, Map<String, String> tags, List<Point> metrics,
      Map<String, byte[]> artifacts) {}

  /** One metric point as received. */
  public record Point(String key, double value, long timestamp, long step) {}

  /** The ids of the runs, in creation order. */
  public List<String> runs() {
    synchronized (lock) {
      return new ArrayList<>(runs.keySet());
    }
  }

  /** A copy of a run's state. */
  public Run run(String id) {
    synchronized (lock) {
      RunState r = runs.get(id);
      if (r == null) {
        throw new AssertionError("no run " + id + "; runs: " + runs.keySet());
      }
      return r.copy();
    }
  }

  /** The id of the experiment with this name, or null. */
  public String experimentId(String name) {
    synchronized (lock) {
      for (Experiment e : experiments.values()) {
        if (e.name.equals(name)) {
          return e.id;
        }
      }
      return null;
    }
  }

  /** The experiment names, in creation order ("Default" first). */
  public List<String> experimentNames() {
    synchronized (lock) {
      List<String> out = new ArrayList<>();
      experiments.values().forEach(e -> out.add(e.name));
      return out;
    }
  }

  /** Creates an experiment directly (as another client would). */
  public String createExperiment(String name) {
    synchronized (lock) {
      String id = Long.toString(nextExperiment++);
      experiments.put(id, new Experiment(id, name, artifactRoot + "/" + id, clock.millis()));
      return id;
    }
  }

  /** Marks an experiment deleted. */
  public void deleteExperiment(String id) {
    synchronized (lock) {
      experiments.get(id).lifecycle = "deleted";
    }
  }

  /** Sets a param directly (as another client would). */
  public void putParam(String runId, String key, String value) {
    synchronized (lock) {
      runs.get(runId).params.put(key, value);
    }
  }

  /** "METHOD endpoint" of every request handled (not those failed by an outage), in order. */
  public List<String> requests() {
    synchronized (lock) {
      return List.copyOf(log);
    }
  }

  /** How many requests went to an endpoint ("runs/log-batch"), outages excluded. */
  public int count(String endpoint) {
    synchronized (lock) {
      int n = 0;
      for (String r : log) {
        if (r.endsWith(" " + endpoint)) {
          n++;
        }
      }
      return n;
    }
  }

  // ---------------------------------------------------------------------------- dispatching

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Outage o = outage;
    if (o == Outage.DISCONNECT) {
      return disconnect();
    }
    if (o == Outage.UNAVAILABLE) {
      return error(503, "TEMPORARILY_UNAVAILABLE", "the server is unavailable");
    }
    HttpUrl url = request.getUrl();
    String path = url.encodedPath();
    String endpoint = path.startsWith("/api/2.0/mlflow/") ? path.substring(16)
        : path.startsWith("/api/2.0/mlflow-artifacts/") ? "mlflow-artifacts" : path;
    synchronized (lock) {
      MockResponse armed = peeked.get();
      peeked.remove();
      if (armed != null) {
        log.add(request.getMethod() + " " + endpoint + " (scripted)");
        return armed;
      }
      MockResponse intercepted = interceptor.apply(endpoint);
      if (intercepted != null) {
        log.add(request.getMethod() + " " + endpoint + " (intercepted)");
        return intercepted;
      }
      Deque<MockResponse> script = scripts.get(endpoint);
      if (script != null && !script.isEmpty()) {
        log.add(request.getMethod() + " " + endpoint + " (scripted)");
        return script.poll();
      }
      if (authorization != null
          && !authorization.equals(request.getHeaders().get("Authorization"))) {
        return new MockResponse.Builder().code(401)
            .addHeader("WWW-Authenticate", "Basic realm=\"mlflow\"")
            .body("You are not authenticated. Please see"
                + " https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on"
                + " how to authenticate.")
            .build();
      }
      log.add(request.getMethod() + " " + endpoint);
      try {
        return handle(request, endpoint, url);
      } catch (Failure f) {
        return error(f.status, f.code, f.getMessage());
      } catch (IOException | RuntimeException e) {
        return error(500, "INTERNAL_ERROR", e.toString());
      }
    }
  }

  private MockResponse handle(RecordedRequest request, String endpoint, HttpUrl url)
      throws IOException {
    String method = request.getMethod();
    if (endpoint.equals("mlflow-artifacts")) {
      return artifactProxy(request, url);
    }
    switch (method + " " + endpoint) {
      case "GET experiments/get-by-name":
        return getExperimentByName(required(url, "experiment_name"));
      case "GET experiments/get":
        return json(200, obj().set("experiment",
            experiment(required(url, "experiment_id")).json()));
      case "POST experiments/create":
        return createExperiment(body(request));
      case "POST experiments/search":
        return searchExperiments(body(request));
      case "POST runs/create":
        return createRun(body(request));
      case "GET runs/get":
        return json(200, obj().set("run", state(required(url, "run_id")).json()));
      case "POST runs/update":
        return updateRun(body(request));
      case "POST runs/log-batch":
        return logBatch(request);
      case "POST runs/search":
        return searchRuns(body(request));
      case "GET metrics/get-history":
        return history(url);
      case "GET artifacts/list":
        return listArtifacts(url);
      default:
        throw new Failure(404, "ENDPOINT_NOT_FOUND", "No API endpoint for " + method + " "
            + url.encodedPath());
    }
  }

  private MockResponse getExperimentByName(String name) {
    for (Experiment e : experiments.values()) {
      if (e.name.equals(name)) {
        return json(200, obj().set("experiment", e.json()));
      }
    }
    throw new Failure(404, "RESOURCE_DOES_NOT_EXIST",
        "Could not find experiment with name '" + name + "'");
  }

  private MockResponse createExperiment(JsonNode body) {
    String name = text(body, "name");
    if (name == null || name.isEmpty()) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE",
          "Missing value for required parameter 'name'.");
    }
    for (Experiment e : experiments.values()) {
      if (e.name.equals(name)) {
        throw new Failure(400, "RESOURCE_ALREADY_EXISTS",
            "Experiment '" + name + "' already exists.");
      }
    }
    String id = createExperiment(name);
    return json(200, obj().put("experiment_id", id));
  }

  private MockResponse searchExperiments(JsonNode body) {
    int max = (int) Math.min(int64(body, "max_results", 1000), pageSize);
    int from = pageStart(text(body, "page_token"));
    List<Experiment> active = new ArrayList<>();
    for (Experiment e : experiments.values()) {
      if (e.lifecycle.equals("active")) {
        active.add(e);
      }
    }
    ArrayNode arr = JSON.createArrayNode();
    for (int i = from; i < Math.min(active.size(), from + max); i++) {
      arr.add(active.get(i).json());
    }
    ObjectNode out = obj();
    out.set("experiments", arr);
    if (from + max < active.size()) {
      out.put("next_page_token", pageToken(from + max));
    }
    return json(200, out);
  }

  private MockResponse createRun(JsonNode body) {
    String expId = text(body, "experiment_id");
    Experiment e = experiments.get(expId == null ? "0" : expId);
    if (e == null) {
      throw new Failure(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + expId
          + " exists");
    }
    if (!e.lifecycle.equals("active")) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "The experiment " + e.id
          + " must be in the 'active' state. Current state is " + e.lifecycle + ".");
    }
    String id = String.format("%032x", nextRun++);
    RunState r = new RunState(id, e.id, e.artifactLocation + "/" + id + "/artifacts");
    r.startTime = int64(body, "start_time", 0);
    for (JsonNode t : body.path("tags")) {
      r.tags.put(text(t, "key"), text(t, "value"));
    }
    String name = text(body, "run_name");
    if (name == null) {
      name = r.tags.getOrDefault("mlflow.runName", "run-" + id.substring(24));
    }
    r.name = name;
    r.tags.put("mlflow.runName", name);
    runs.put(id, r);
    return json(200, obj().set("run", r.json()));
  }

  private MockResponse updateRun(JsonNode body) {
    RunState r = state(text(body, "run_id"));
    String status = text(body, "status");
    if (status != null) {
      r.status = status;
    }
    if (body.has("end_time")) {
      r.endTime = int64(body, "end_time", 0);
    }
    ObjectNode out = obj();
    out.set("run_info", r.info());
    return json(200, out);
  }

  private MockResponse logBatch(RecordedRequest request) throws IOException {
    ByteString raw = request.getBody();
    long size = raw == null ? 0 : raw.size();
    if (size > MAX_REQUEST_BYTES) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Batched logging API requests must be"
          + " at most " + MAX_REQUEST_BYTES + " bytes, got a request of size " + size + ".");
    }
    JsonNode body = body(request);
    String runId = text(body, "run_id");
    if (runId == null) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE",
          "Missing value for required parameter 'run_id'.");
    }
    JsonNode metrics = body.path("metrics");
    JsonNode params = body.path("params");
    JsonNode tags = body.path("tags");
    limit("metrics", MAX_METRICS, metrics.size());
    limit("params", MAX_PARAMS_TAGS, params.size());
    limit("tags", MAX_PARAMS_TAGS, tags.size());
    limit("metrics, params, and tags", MAX_ENTITIES,
        metrics.size() + params.size() + tags.size());
    RunState r = state(runId);
    if (r.lifecycle.equals("deleted")) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "The run " + runId
          + " must be in the 'active' state. Current state is deleted.");
    }
    List<Point> points = new ArrayList<>();
    for (JsonNode m : metrics) {
      String key = text(m, "key");
      if (key == null || !m.has("value") || !m.has("timestamp")) {
        throw new Failure(400, "INVALID_PARAMETER_VALUE",
            "Missing value for required parameter 'metrics[" + points.size() + "]'.");
      }
      points.add(new Point(key, dbl(m.get("value")), int64(m, "timestamp", 0),
          int64(m, "step", 0)));
    }
    Set<String> keys = new LinkedHashSet<>();
    List<String> dupes = new ArrayList<>();
    Map<String, String> newParams = new LinkedHashMap<>();
    for (JsonNode p : params) {
      String key = text(p, "key");
      if (!keys.add(key)) {
        dupes.add(key);
      }
      newParams.put(key, text(p, "value"));
    }
    if (!dupes.isEmpty()) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Duplicate parameter keys have been"
          + " submitted: " + pyList(dupes) + ". Please ensure the request contains only one"
          + " param value per param key.");
    }
    for (Map.Entry<String, String> p : newParams.entrySet()) {
      String old = r.params.get(p.getKey());
      if (old != null && !old.equals(p.getValue())) {
        // MLflow refuses the whole batch, metrics included
        throw new Failure(400, "INVALID_PARAMETER_VALUE", "Changing param values is not"
            + " allowed. Param with key='" + p.getKey() + "' was already logged with value='"
            + old + "' for run ID='" + runId + "'. Attempted logging new value '"
            + p.getValue() + "'.");
      }
    }
    r.params.putAll(newParams);
    for (Point p : points) {
      if (dedupeMetrics && r.metrics.contains(p)) {
        continue;
      }
      r.metrics.add(p);
    }
    for (JsonNode t : tags) {
      r.tags.put(text(t, "key"), text(t, "value"));
    }
    return json(200, obj());
  }

  private MockResponse searchRuns(JsonNode body) {
    Set<String> expIds = new LinkedHashSet<>();
    body.path("experiment_ids").forEach(n -> expIds.add(n.asText()));
    String filter = text(body, "filter");
    int max = (int) Math.min(int64(body, "max_results", 1000), pageSize);
    int from = pageStart(text(body, "page_token"));
    String tagKey = null;
    String tagValue = null;
    if (filter != null && !filter.isBlank()) {
      Matcher m = Pattern.compile("tags\\.`?([^`=\\s]+)`?\\s*=\\s*'((?:[^'\\\\]|\\\\.)*)'")
          .matcher(filter.strip());
      if (!m.matches()) {
        throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid filter '" + filter
            + "' (this fake understands tags.`key` = 'value' only)");
      }
      tagKey = m.group(1);
      tagValue = m.group(2).replace("\\'", "'");
    }
    List<RunState> matching = new ArrayList<>();
    for (RunState r : runs.values()) {
      if (expIds.contains(r.experimentId) && r.lifecycle.equals("active")
          && (tagKey == null || tagValue.equals(r.tags.get(tagKey)))) {
        matching.add(r);
      }
    }
    matching.sort((a, b) -> Long.compare(b.startTime, a.startTime));
    ArrayNode arr = JSON.createArrayNode();
    for (int i = from; i < Math.min(matching.size(), from + max); i++) {
      arr.add(matching.get(i).json());
    }
    ObjectNode out = obj();
    out.set("runs", arr);
    if (from + max < matching.size()) {
      out.put("next_page_token", pageToken(from + max));
    }
    return json(200, out);
  }

  private MockResponse history(HttpUrl url) {
    RunState r = state(required(url, "run_id"));
    String key = required(url, "metric_key");
    String maxParam = url.queryParameter("max_results");
    if (maxParam == null) {
      // what recent MLflow servers do: an empty page whose token never advances
      ObjectNode out = obj();
      out.set("metrics", JSON.createArrayNode());
      out.put("next_page_token", STUCK_TOKEN);
      return json(200, out);
    }
    int max = Integer.parseInt(maxParam);
    if (max > MAX_HISTORY_RESULTS) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "max_results must be at most "
          + MAX_HISTORY_RESULTS + " but was " + max);
    }
    max = Math.min(max, pageSize);
    List<Point> points = new ArrayList<>();
    for (Point p : r.metrics) {
      if (p.key().equals(key)) {
        points.add(p);
      }
    }
    int from = pageStart(url.queryParameter("page_token"));
    ArrayNode arr = JSON.createArrayNode();
    for (int i = from; i < Math.min(points.size(), from + max); i++) {
      arr.add(pointJson(points.get(i)));
    }
    ObjectNode out = obj();
    out.set("metrics", arr);
    if (from + max < points.size()) {
      out.put("next_page_token", pageToken(from + max));
    }
    return json(200, out);
  }

  private MockResponse artifactProxy(RecordedRequest request, HttpUrl url) {
    Matcher m = ARTIFACT_PUT.matcher(url.encodedPath());
    if (!request.getMethod().equals("PUT") || !m.matches()) {
      throw new Failure(404, "ENDPOINT_NOT_FOUND", "No API endpoint for "
          + request.getMethod() + " " + url.encodedPath());
    }
    // <exp>/<run>/artifacts/<path>
    List<String> segments = url.pathSegments().subList(4, url.pathSize());
    if (segments.size() < 4 || !segments.get(2).equals("artifacts")) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid artifact path "
          + url.encodedPath());
    }
    RunState r = state(segments.get(1));
    String path = String.join("/", segments.subList(3, segments.size()));
    ByteString body = request.getBody();
    r.artifacts.put(path, body == null ? new byte[0] : body.toByteArray());
    return json(200, obj());
  }

  private MockResponse listArtifacts(HttpUrl url) {
    RunState r = state(required(url, "run_id"));
    String path = url.queryParameter("path");
    String prefix = path == null || path.isEmpty() ? "" : path.replaceAll("/+$", "") + "/";
    Map<String, Long> files = new TreeMap<>();
    Set<String> dirs = new LinkedHashSet<>();
    for (Map.Entry<String, byte[]> a : r.artifacts.entrySet()) {
      if (!a.getKey().startsWith(prefix)) {
        continue;
      }
      String rest = a.getKey().substring(prefix.length());
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        dirs.add(prefix + rest.substring(0, slash));
      } else {
        files.put(a.getKey(), (long) a.getValue().length);
      }
    }
    ArrayNode arr = JSON.createArrayNode();
    for (String d : dirs) {
      arr.add(obj().put("path", d).put("is_dir", true));
    }
    files.forEach((p, size) -> arr.add(obj().put("path", p).put("is_dir", false)
        .put("file_size", size)));
    ObjectNode out = obj();
    out.put("root_uri", r.artifactUri);
    out.set("files", arr);
    return json(200, out);
  }

  // ---------------------------------------------------------------------------- state

  private Experiment experiment(String id) {
    Experiment e = experiments.get(id);
    if (e == null) {
      throw new Failure(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + id
          + " exists");
    }
    return e;
  }

  private RunState state(String id) {
    RunState r = id == null ? null : runs.get(id);
    if (r == null) {
      throw new Failure(404, "RESOURCE_DOES_NOT_EXIST", "Run with id=" + id + " not found");
    }
    return r;
  }

  private final class Experiment {
    final String id;
    final String name;
    final String artifactLocation;
    final long creationTime;
    String lifecycle = "active";

    Experiment(String id, String name, String artifactLocation, long creationTime) {
      this.id = id;
      this.name = name;
      this.artifactLocation = artifactLocation;
      this.creationTime = creationTime;
    }

    ObjectNode json() {
      ObjectNode e = obj();
      e.put("experiment_id", id);
      e.put("name", name);
      e.put("artifact_location", artifactLocation);
      e.put("lifecycle_stage", lifecycle);
      e.put("last_update_time", creationTime);
      e.put("creation_time", creationTime);
      e.set("tags", JSON.createArrayNode());
      return e;
    }
  }

  private static final class RunState {
    final String id;
    final String experimentId;
    final String artifactUri;
    String name;
    String status = "RUNNING";
    String lifecycle = "active";
    long startTime;
    long endTime;
    final Map<String, String> params = new LinkedHashMap<>();
    final Map<String, String> tags = new LinkedHashMap<>();
    final List<Point> metrics = new ArrayList<>();
    final Map<String, byte[]> artifacts = new LinkedHashMap<>();

    RunState(String id, String experimentId, String artifactUri) {
      this.id = id;
      this.experimentId = experimentId;
      this.artifactUri = artifactUri;
    }

    ObjectNode info() {
      ObjectNode i = obj();
      i.put("run_id", id);
      i.put("run_uuid", id);
      i.put("run_name", name);
      i.put("experiment_id", experimentId);
      i.put("user_id", tags.getOrDefault("mlflow.user", ""));
      i.put("status", status);
      i.put("start_time", startTime);
      if (endTime != 0) {
        i.put("end_time", endTime);
      }
      i.put("artifact_uri", artifactUri);
      i.put("lifecycle_stage", lifecycle);
      return i;
    }

    ObjectNode json() {
      ObjectNode run = obj();
      run.set("info", info());
      ObjectNode data = obj();
      Map<String, Point> latest = new LinkedHashMap<>();
      for (Point p : metrics) {
        Point old = latest.get(p.key());
        if (old == null || p.step() > old.step()
            || (p.step() == old.step() && p.timestamp() >= old.timestamp())) {
          latest.put(p.key(), p);
        }
      }
      ArrayNode m = JSON.createArrayNode();
      latest.values().forEach(p -> m.add(pointJson(p)));
      data.set("metrics", m);
      data.set("params", keyValues(params));
      data.set("tags", keyValues(tags));
      run.set("data", data);
      ObjectNode inputs = obj();
      run.set("inputs", inputs);
      return run;
    }

    Run copy() {
      return new Run(id, experimentId, name, status, startTime, endTime,
          new LinkedHashMap<>(params), new LinkedHashMap<>(tags), new ArrayList<>(metrics),
          new LinkedHashMap<>(artifacts));
    }
  }

  private static ObjectNode pointJson(Point p) {
    ObjectNode o = obj();
    o.put("key", p.key());
    double v = p.value();
    if (Double.isNaN(v)) {
      o.put("value", "NaN");
    } else if (Double.isInfinite(v)) {
      o.put("value", v > 0 ? "Infinity" : "-Infinity");
    } else {
      o.put("value", v);
    }
    o.put("timestamp", p.timestamp());
    o.put("step", p.step());
    return o;
  }

  private static ArrayNode keyValues(Map<String, String> map) {
    ArrayNode arr = JSON.createArrayNode();
    map.forEach((k, v) -> arr.add(obj().put("key", k).put("value", v)));
    return arr;
  }

  // ---------------------------------------------------------------------------- helpers

  private static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    Failure(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  private static void limit(String what, int max, int n) {
    if (n > max) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at"
          + " most " + max + " " + what + ". Got " + n + " " + what + ". Please split up "
          + what + " across multiple requests and try again.");
    }
  }

  private static String required(HttpUrl url, String name) {
    String v = url.queryParameter(name);
    if (v == null || v.isEmpty()) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE",
          "Missing value for required parameter '" + name + "'.");
    }
    return v;
  }

  private static JsonNode body(RecordedRequest request) throws IOException {
    ByteString b = request.getBody();
    if (b == null || b.size() == 0) {
      return obj();
    }
    return JSON.readTree(b.utf8());
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static long int64(JsonNode n, String field, long dflt) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (v.isNumber()) {
      return v.asLong();
    }
    try {
      return Long.parseLong(v.asText());
    } catch (NumberFormatException e) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid value " + v + " for parameter '"
          + field + "' supplied. Hint: Value was of type 'string'.");
    }
  }

  private static double dbl(JsonNode v) {
    if (v.isNumber()) {
      return v.asDouble();
    }
    String s = v.asText();
    switch (s) {
      case "NaN":
        return Double.NaN;
      case "Infinity":
        return Double.POSITIVE_INFINITY;
      case "-Infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid value \"" + s
              + "\" for parameter 'value' supplied.");
        }
    }
  }

  private static int pageStart(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      return Integer.parseInt(new String(Base64.getDecoder().decode(token),
          StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid page token");
    }
  }

  private static String pageToken(int offset) {
    return Base64.getEncoder().encodeToString(Integer.toString(offset)
        .getBytes(StandardCharsets.UTF_8));
  }

  private static String pyList(List<String> items) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      b.append(i == 0 ? "" : ", ").append('\'').append(items.get(i)).append('\'');
    }
    return b.append(']').toString();
  }

  private static ObjectNode obj() {
    return JSON.createObjectNode();
  }

  private static MockResponse json(int status, JsonNode body) {
    return new MockResponse.Builder().code(status)
        .headers(Headers.of("Content-Type", "application/json"))
        .body(body.toString()).build();
  }
}
