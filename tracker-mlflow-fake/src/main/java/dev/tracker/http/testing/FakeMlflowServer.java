package dev.tracker.http.testing;

import dev.tracker.http.testing.Store.Experiment;
import dev.tracker.http.testing.Store.RunState;
import dev.tracker.http.testing.Wire.Failure;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.HttpUrl;

/**
 * A test fixture, not a library: the one fake MLflow tracking server of Tracker's tests and
 * benchmarks. A MockWebServer {@link Dispatcher} that behaves like an MLflow tracking server
 * (REST API 2.0 with the artifact proxy, as observed on MLflow 3.6): it keeps experiments, runs,
 * params, tags, metric histories and artifacts, enforces MLflow's {@code log-batch} limits and
 * param immutability, pages like MLflow, and answers errors as MLflow does ({@code
 * {"error_code": …, "message": …}} with MLflow's HTTP statuses). It also serves the
 * one-per-record endpoints MLflow's own Java client uses ({@code runs/log-metric}, {@code
 * runs/log-parameter}, {@code runs/set-tag}).
 *
 * <pre>{@code
 * FakeMlflowServer mlflow = new FakeMlflowServer();
 * MockWebServer server = mlflow.start();      // or newServer(), setDispatcher(mlflow), start()
 * ... MlflowBackend.builder().uri(server.url("/").toString()) ...
 * assertThat(mlflow.runs()).hasSize(1);
 * }</pre>
 *
 * <p>Faults: {@link #script(String, MockResponse...)} answers the next requests of an endpoint
 * from a script; {@link #outage(Outage)} makes every request fail until lifted. Like MLflow's
 * file store it keeps duplicate metric points unless {@link #dedupeMetrics(boolean)} makes it
 * behave like the SQL store.
 *
 * <p>Costs: by default a request costs nothing and any number are served at once. {@link
 * #workers(int)}, {@link #latency(Duration)}, {@link #costPerRequest(Duration)} and {@link
 * #costPerThousandPoints(Duration)} make it cost what a real server's request costs, and {@link
 * #mlflow36(int)} sets what MLflow 3.6 was measured to cost. A request waits the latency, then
 * for a free worker (first come, first served), and keeps that worker busy for its cost (the
 * per-request cost plus the per-1000-points cost pro rata of the metric points it carries, its
 * handling included). {@link #charges()}, {@link #maxInService()} and friends record what
 * happened, so that tests assert on the record rather than on the wall clock. MockWebServer
 * serves each connection on a thread of its own, so requests on different connections overlap
 * up to the number of workers.
 */
public final class FakeMlflowServer extends Dispatcher {
  /** MLflow's limit (mlflow/utils/validation.py): metrics in one {@code log-batch}. */
  public static final int MAX_METRICS = 1000;
  /** MLflow's limit: params, and tags, in one {@code log-batch}. */
  public static final int MAX_PARAMS_TAGS = 100;
  /** MLflow's limit: metrics, params and tags together in one {@code log-batch}. */
  public static final int MAX_ENTITIES = 1000;
  /** MLflow's limit: the bytes of one {@code log-batch} request. */
  public static final int MAX_REQUEST_BYTES = 1_000_000;
  /** The {@code max_results} of a {@code metrics/get-history} page MLflow's clients ask. */
  public static final int MAX_HISTORY_RESULTS = 25_000;

  /** The token recent MLflow servers answer to a history request without max_results. */
  public static final String STUCK_TOKEN = "c3R1Y2s=";

  /** MLflow 3.6's server CPU per request (a single-point {@code log-metric}: ~5 ms). */
  public static final Duration MLFLOW36_COST_PER_REQUEST = Duration.ofMillis(5);
  /**
   * MLflow 3.6's server CPU per 1000 metric points, on top of the per-request cost (a
   * 1000-point {@code log-batch}: ~90 ms in all).
   */
  public static final Duration MLFLOW36_COST_PER_THOUSAND_POINTS = Duration.ofMillis(85);
  /** MLflow 3.6's fixed latency per request with several workers (~52 ms per request, 4 workers). */
  public static final Duration MLFLOW36_LATENCY = Duration.ofMillis(47);
  /** MLflow 3.6's latency per request with one worker (~7 ms per single-point request). */
  public static final Duration MLFLOW36_LATENCY_ONE_WORKER = Duration.ofMillis(2);

  /** How the server fails while an outage lasts. */
  public enum Outage {
    /** Serving normally. */
    NONE,
    /** Every request answered 503 TEMPORARILY_UNAVAILABLE. */
    UNAVAILABLE,
    /** Every connection dropped as the request arrives (like a crashed server). */
    DISCONNECT,
    /** Every request read and never answered (a dead proxy: TCP accepted, nothing comes). */
    BLACK_HOLE,
    /** Every request served, its answer sent a byte a second. */
    SLOW_DRIP,
    /** Every request answered {@code 200 {}}, served by nothing. */
    EMPTY_OBJECT,
    /** Every request answered 200 with an HTML page. */
    HTML,
    /** Every request answered 200 with JSON cut off half-way. */
    TRUNCATED_JSON,
    /** Every request redirected (302) to a login page, which answers 200 with HTML. */
    LOGIN_REDIRECT
  }

  /**
   * What a request costs on the emulated server.
   *
   * @param workers how many requests are served at once; more wait for a free worker
   * @param latency how long each request waits before it is served, without holding a worker
   * @param perRequest how long each request keeps its worker busy
   * @param perThousandPoints how much longer per 1000 metric points the request carries
   */
  public record Costs(int workers, Duration latency, Duration perRequest,
      Duration perThousandPoints) {
    /** No cost, any number of requests at once: the default. */
    public static final Costs FREE =
        new Costs(Integer.MAX_VALUE, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    /** Checks that there is at least one worker and no duration is negative. */
    public Costs {
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be at least 1 but was " + workers);
      }
      notNegative("latency", latency);
      notNegative("perRequest", perRequest);
      notNegative("perThousandPoints", perThousandPoints);
    }

    /** How long a request that carries {@code points} metric points keeps its worker busy. */
    public Duration busy(int points) {
      return perRequest.plusNanos(perThousandPoints.toNanos() * points / 1000);
    }

    private static void notNegative(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative but was " + d);
      }
    }
  }

  /**
   * What one request was charged.
   *
   * @param endpoint e.g. {@code runs/log-batch}
   * @param points the metric points it carried
   * @param latency the latency it waited before it was served
   * @param busy how long it kept its worker busy (at least; more if handling took longer)
   */
  public record Charge(String endpoint, int points, Duration latency, Duration busy) {}

  /** How the fake waits to emulate costs; tests may replace it to control time. */
  @FunctionalInterface
  public interface Sleeper {
    /** Returns after {@code duration} (or whenever the test decides). */
    void sleep(Duration duration) throws InterruptedException;
  }

  private final Object lock = new Object();
  private final Store store;
  private final Endpoints endpoints;
  private final Workers workers = new Workers();
  private final Map<String, Deque<MockResponse>> scripts = new HashMap<>();
  private final Deque<MockResponse> next = new ArrayDeque<>();
  private final ThreadLocal<MockResponse> peeked = new ThreadLocal<>();
  private final List<String> log = new ArrayList<>();
  private String authorization;
  private Function<String, MockResponse> interceptor = endpoint -> null;
  private volatile Outage outage = Outage.NONE;

  /** A server with the "Default" experiment (id 0), timestamps from the system clock. */
  public FakeMlflowServer() {
    this(InstantSource.system());
  }

  /** A server with the "Default" experiment (id 0), timestamps from {@code clock}. */
  public FakeMlflowServer(InstantSource clock) {
    this.store = new Store(clock);
    this.endpoints = new Endpoints(store);
  }

  /**
   * A server that costs what MLflow 3.6 was measured to cost (SQLite store, loopback, 2 cores;
   * see mlflow-observed.md): {@code workers} workers, {@link #MLFLOW36_COST_PER_REQUEST} per
   * request plus {@link #MLFLOW36_COST_PER_THOUSAND_POINTS} per 1000 points, and a latency of
   * {@link #MLFLOW36_LATENCY_ONE_WORKER} with one worker, {@link #MLFLOW36_LATENCY} with more.
   * A single-point request then takes ~7 ms with one worker and ~52 ms with four, a 1000-point
   * {@code log-batch} keeps a worker busy 90 ms, as measured.
   */
  public static FakeMlflowServer mlflow36(int workers) {
    return new FakeMlflowServer().costs(new Costs(workers,
        workers == 1 ? MLFLOW36_LATENCY_ONE_WORKER : MLFLOW36_LATENCY,
        MLFLOW36_COST_PER_REQUEST, MLFLOW36_COST_PER_THOUSAND_POINTS));
  }

  /**
   * A MockWebServer whose connections send small writes at once (TCP_NODELAY): without it each
   * answer of a keep-alive connection waits for the client's delayed ACK, about 40 ms.
   */
  public static MockWebServer newServer() {
    MockWebServer server = new MockWebServer();
    server.setServerSocketFactory(new NoDelayServerSocketFactory());
    return server;
  }

  /**
   * A started {@link #newServer()} that this fake answers; the caller closes it. MockWebServer
   * keeps every request it served until {@code takeRequest} takes it: a long benchmark takes
   * them.
   */
  public MockWebServer start() throws IOException {
    MockWebServer server = newServer();
    server.setDispatcher(this);
    server.start();
    return server;
  }

  // ---------------------------------------------------------------------------- configuring

  /**
   * The artifact root of experiments created from now on, e.g. {@code s3://bucket} for a server
   * that does not serve artifacts; {@code mlflow-artifacts:} by default.
   */
  public FakeMlflowServer artifactRoot(String root) {
    synchronized (lock) {
      store.artifactRoot = root;
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
      store.dedupeMetrics = dedupe;
    }
    return this;
  }

  /**
   * The most items a page holds whatever the client asks (servers may answer fewer than
   * max_results), for testing paging; unlimited by default.
   */
  public FakeMlflowServer pageSize(int size) {
    synchronized (lock) {
      store.pageSize = size;
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

  /** Emulates these costs for the requests that arrive from now on. */
  public FakeMlflowServer costs(Costs costs) {
    workers.costs(Objects.requireNonNull(costs, "costs"));
    return this;
  }

  /** How many requests are served at once; more wait for a free worker. Unlimited by default. */
  public FakeMlflowServer workers(int n) {
    Costs c = workers.costs();
    return costs(new Costs(n, c.latency(), c.perRequest(), c.perThousandPoints()));
  }

  /** How long each request waits before it is served, holding no worker. None by default. */
  public FakeMlflowServer latency(Duration latency) {
    Costs c = workers.costs();
    return costs(new Costs(c.workers(), latency, c.perRequest(), c.perThousandPoints()));
  }

  /** How long each request keeps its worker busy. None by default. */
  public FakeMlflowServer costPerRequest(Duration cost) {
    Costs c = workers.costs();
    return costs(new Costs(c.workers(), c.latency(), cost, c.perThousandPoints()));
  }

  /** How much longer a request keeps its worker busy per 1000 metric points. None by default. */
  public FakeMlflowServer costPerThousandPoints(Duration cost) {
    Costs c = workers.costs();
    return costs(new Costs(c.workers(), c.latency(), c.perRequest(), cost));
  }

  /** Waits with {@code sleeper} to emulate costs (null: really wait, the default). */
  public FakeMlflowServer sleeper(Sleeper sleeper) {
    workers.sleeper(sleeper);
    return this;
  }

  /** An MLflow error answer. */
  public static MockResponse error(int status, String errorCode, String message) {
    return Wire.error(status, errorCode, message);
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
      return new ArrayList<>(store.runs.keySet());
    }
  }

  /** A copy of a run's state. */
  public Run run(String id) {
    synchronized (lock) {
      return existing(id).copy();
    }
  }

  private RunState existing(String id) {
    RunState r = store.runs.get(id);
    if (r == null) {
      throw new AssertionError("no run " + id + "; runs: " + store.runs.keySet());
    }
    return r;
  }

  /** The id of the run with this name (the newest, when several have it), or null. */
  public String runId(String name) {
    synchronized (lock) {
      String id = null;
      for (RunState r : store.runs.values()) {
        id = name.equals(r.name) ? r.id : id;
      }
      return id;
    }
  }

  /** A run's status ({@code RUNNING}, {@code FINISHED}, ...) without copying the run. */
  public String runStatus(String runId) {
    synchronized (lock) {
      return existing(runId).status;
    }
  }

  /**
   * Waits until {@code condition} holds of this server, tested now and after each request it
   * handles, for at most {@code timeout}; e.g. until a run that a client delivers in the
   * background is FINISHED.
   *
   * @return whether it held in time
   */
  public boolean await(Predicate<FakeMlflowServer> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.test(this)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** Forgets every run (experiments stay), so that a long benchmark does not accumulate them. */
  public void clearRuns() {
    synchronized (lock) {
      store.runs.clear();
    }
  }

  /** The id of the experiment with this name, or null. */
  public String experimentId(String name) {
    synchronized (lock) {
      for (Experiment e : store.experiments.values()) {
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
      store.experiments.values().forEach(e -> out.add(e.name));
      return out;
    }
  }

  /** Creates an experiment directly (as another client would). */
  public String createExperiment(String name) {
    synchronized (lock) {
      return store.createExperiment(name);
    }
  }

  /** Marks an experiment deleted, and its runs, as MLflow's SQL store does. */
  public void deleteExperiment(String id) {
    synchronized (lock) {
      store.deleteExperiment(id);
    }
  }

  /** Sets a param directly (as another client would). */
  public void putParam(String runId, String key, String value) {
    synchronized (lock) {
      store.runs.get(runId).params.put(key, value);
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

  /** The costs emulated now. */
  public Costs costs() {
    return workers.costs();
  }

  /** What each request served was charged, in the order they finished handling. */
  public List<Charge> charges() {
    return workers.charges();
  }

  /** The most requests that were ever in service at once: never more than the workers. */
  public int maxInService() {
    return workers.maxInService();
  }

  /** How many requests are in service now (each holds a worker). */
  public int inService() {
    return workers.inService();
  }

  /** How many requests wait for a free worker now. */
  public int waitingForWorker() {
    return workers.waiting();
  }

  // ---------------------------------------------------------------------------- dispatching

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Outage o = outage;
    MockResponse fault = Faults.instead(o, request.getUrl().encodedPath());
    if (fault != null) {
      return fault;
    }
    HttpUrl url = request.getUrl();
    String path = url.encodedPath();
    String endpoint = path.startsWith("/api/2.0/mlflow/") ? path.substring(16)
        : path.startsWith("/api/2.0/mlflow-artifacts/") ? "mlflow-artifacts" : path;
    MockResponse armed = peeked.get();
    peeked.remove();
    MockResponse served = workers.serve(endpoint, () -> {
      synchronized (lock) {
        MockResponse response;
        int points;
        try {
          response = answer(request, endpoint, url, armed);
        } finally {
          points = endpoints.takePoints(); // also cleared when handling failed
          lock.notifyAll(); // for await
        }
        return new Workers.Served(response, points);
      }
    });
    return o == Outage.SLOW_DRIP ? Faults.drip(served) : served;
  }

  private MockResponse answer(RecordedRequest request, String endpoint, HttpUrl url,
      MockResponse armed) {
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
      return endpoints.handle(request, endpoint, url);
    } catch (Failure f) {
      return error(f.status, f.code, f.getMessage());
    } catch (IOException | RuntimeException e) {
      return error(500, "INTERNAL_ERROR", e.toString());
    }
  }
}
