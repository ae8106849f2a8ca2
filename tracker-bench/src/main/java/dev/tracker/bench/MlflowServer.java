package dev.tracker.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An in-process MLflow-compatible tracking server (REST API 2.0) for benchmarks: both MLflow's
 * Java client and Tracker's http backend talk to the same one, so the server's cost is the same
 * for both.
 *
 * <p>It handles requests as a real server must: reads every body, parses the JSON, checks the
 * fields and MLflow's limits (a batch holds at most 1000 metrics, 100 params, 100 tags and 1000
 * records in all; params are write-once), answers errors with MLflow's {@code error_code}s, and
 * records which metric points arrived so a benchmark can prove that none is missing. It keeps
 * counts and step sets, not the values: memory stays small for millions of points.
 *
 * <p>Served: {@code experiments/get-by-name}, {@code experiments/get}, {@code experiments/create},
 * {@code runs/create}, {@code runs/get}, {@code runs/update}, {@code runs/log-metric}, {@code
 * runs/log-batch}, {@code runs/log-parameter}, {@code runs/set-tag}.
 */
final class MlflowServer implements AutoCloseable {
  static final String API = "/api/2.0/mlflow/";
  static final int MAX_BATCH_METRICS = 1000;
  static final int MAX_BATCH_PARAMS = 100;
  static final int MAX_BATCH_TAGS = 100;
  static final int MAX_BATCH_RECORDS = 1000;

  private final HttpServer http;
  private final ExecutorService workers;
  private final Map<String, String> experimentIdsByName = new ConcurrentHashMap<>();
  private final Map<String, String> experimentNamesById = new ConcurrentHashMap<>();
  private final Map<String, RunState> runs = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final AtomicInteger nextExperiment = new AtomicInteger(1);
  private final AtomicInteger nextRun = new AtomicInteger();

  private MlflowServer(HttpServer http, ExecutorService workers) {
    this.http = http;
    this.workers = workers;
    experimentIdsByName.put("Default", "0");
    experimentNamesById.put("0", "Default");
  }

  /**
   * Starts a server on a free port of 127.0.0.1.
   *
   * @param threads how many requests it handles at once
   */
  static MlflowServer start(int threads) throws IOException {
    // The JDK's server writes a response's headers and body separately; with Nagle's algorithm
    // on, the body then waits for the client's delayed ACK (40 ms) on every request. Real servers
    // answer without that wait. Read once, when the first server starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        128);
    AtomicInteger n = new AtomicInteger();
    ExecutorService workers = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "mlflow-server-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    MlflowServer server = new MlflowServer(http, workers);
    http.createContext(API, server::handle);
    http.setExecutor(workers);
    http.start();
    return server;
  }

  /** The tracking URI, e.g. {@code http://127.0.0.1:40123}. */
  String uri() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  /** What the run with this server-side id received, or null when there is no such run. */
  Received received(String runId) {
    RunState r = runs.get(runId);
    return r == null ? null : r.received();
  }

  /** The server-side id of the run named {@code runName}, or null. */
  String runIdByName(String runName) {
    for (RunState r : runs.values()) {
      if (runName.equals(r.name)) {
        return r.id;
      }
    }
    return null;
  }

  /**
   * How many of the points {@code key} at steps {@code 0..steps-1}, for each key, the run did
   * not receive.
   */
  long missingPoints(String runId, List<String> keys, int steps) {
    RunState r = Objects.requireNonNull(runs.get(runId), () -> "no run " + runId);
    synchronized (r.lock) {
      long missing = 0;
      for (String key : keys) {
        BitSet seen = r.steps.get(key);
        missing += steps - (seen == null ? 0 : seen.get(0, steps).cardinality());
      }
      return missing;
    }
  }

  /** Requests served per endpoint (e.g. {@code runs/log-batch}), errors included. */
  Map<String, Long> requests() {
    Map<String, Long> out = new TreeMap<>();
    requests.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Forgets every run (experiments stay), so that a long benchmark does not accumulate them. */
  void clearRuns() {
    runs.clear();
  }

  @Override
  public void close() {
    http.stop(0);
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What one run received: points and records, counted as they arrived. */
  record Received(long metricPoints, long duplicatePoints, Map<String, String> params,
      Map<String, String> tags, String status) {}

  // ------------------------------------------------------------------------------ handling

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String endpoint = ex.getRequestURI().getPath().substring(API.length());
      requests.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      Response response;
      try {
        response = route(ex.getRequestMethod(), endpoint, query(ex), body);
      } catch (ApiException e) {
        response = new Response(e.status, "{\"error_code\":" + Json.quote(e.code)
            + ",\"message\":" + Json.quote(e.getMessage()) + "}");
      } catch (RuntimeException e) {
        response = new Response(400, "{\"error_code\":\"MALFORMED_REQUEST\",\"message\":"
            + Json.quote(String.valueOf(e.getMessage())) + "}");
      }
      byte[] out = response.json.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(response.status, out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
  }

  private Response route(String method, String endpoint, Map<String, String> query, byte[] body) {
    boolean post = method.equals("POST");
    boolean get = method.equals("GET");
    switch (endpoint) {
      case "experiments/get-by-name":
        require(get, method, endpoint);
        return ok(experimentByName(required(query, "experiment_name")));
      case "experiments/get":
        require(get, method, endpoint);
        return ok(experimentById(required(query, "experiment_id")));
      case "experiments/create":
        require(post, method, endpoint);
        return ok(createExperiment(parse(body)));
      case "runs/create":
        require(post, method, endpoint);
        return ok(createRun(parse(body)));
      case "runs/get":
        require(get, method, endpoint);
        return ok("{\"run\":" + run(runIdOf(query)).json(true) + "}");
      case "runs/update":
        require(post, method, endpoint);
        return ok(updateRun(parse(body)));
      case "runs/log-metric": {
        require(post, method, endpoint);
        Map<String, Object> m = parse(body);
        RunState r = run(runIdOf(m));
        Point p = point(m);
        synchronized (r.lock) {
          r.add(p);
        }
        return ok("{}");
      }
      case "runs/log-batch":
        require(post, method, endpoint);
        return ok(logBatch(parse(body)));
      case "runs/log-parameter": {
        require(post, method, endpoint);
        Map<String, Object> m = parse(body);
        RunState r = run(runIdOf(m));
        String key = string(m, "key");
        String value = string(m, "value");
        synchronized (r.lock) {
          r.param(key, value);
        }
        return ok("{}");
      }
      case "runs/set-tag": {
        require(post, method, endpoint);
        Map<String, Object> m = parse(body);
        RunState r = run(runIdOf(m));
        String key = string(m, "key");
        String value = string(m, "value");
        synchronized (r.lock) {
          r.tags.put(key, value);
        }
        return ok("{}");
      }
      default:
        throw new ApiException(404, "ENDPOINT_NOT_FOUND",
            "no endpoint " + method + " " + API + endpoint);
    }
  }

  private String experimentByName(String name) {
    String id = experimentIdsByName.get(name);
    if (id == null) {
      throw new ApiException(404, "RESOURCE_DOES_NOT_EXIST",
          "Could not find experiment with name '" + name + "'");
    }
    return "{\"experiment\":" + experimentJson(id, name) + "}";
  }

  private String experimentById(String id) {
    String name = experimentNamesById.get(id);
    if (name == null) {
      throw new ApiException(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + id
          + " exists");
    }
    return "{\"experiment\":" + experimentJson(id, name) + "}";
  }

  private static String experimentJson(String id, String name) {
    return "{\"experiment_id\":" + Json.quote(id) + ",\"name\":" + Json.quote(name)
        + ",\"artifact_location\":" + Json.quote("mlflow-artifacts:/" + id)
        + ",\"lifecycle_stage\":\"active\"}";
  }

  private String createExperiment(Map<String, Object> m) {
    String name = string(m, "name");
    if (name.isEmpty()) {
      throw invalid("Missing value for required parameter 'name'");
    }
    synchronized (experimentIdsByName) {
      if (experimentIdsByName.containsKey(name)) {
        throw new ApiException(400, "RESOURCE_ALREADY_EXISTS",
            "Experiment(name=" + name + ") already exists");
      }
      String id = String.valueOf(nextExperiment.getAndIncrement());
      experimentIdsByName.put(name, id);
      experimentNamesById.put(id, name);
      return "{\"experiment_id\":" + Json.quote(id) + "}";
    }
  }

  private String createRun(Map<String, Object> m) {
    String experimentId = m.containsKey("experiment_id") ? string(m, "experiment_id") : "0";
    if (!experimentNamesById.containsKey(experimentId)) {
      throw new ApiException(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id="
          + experimentId + " exists");
    }
    String id = String.format("%08x%024x", nextRun.incrementAndGet(), System.nanoTime());
    long start = m.containsKey("start_time") ? longValue(m, "start_time") : System.currentTimeMillis();
    RunState r = new RunState(id, experimentId, start);
    for (Map<String, Object> t : records(m, "tags")) {
      r.tags.put(string(t, "key"), string(t, "value"));
    }
    Object name = m.get("run_name");
    r.name = name instanceof String s && !s.isEmpty() ? s : r.tags.get("mlflow.runName");
    if (r.name == null) {
      r.name = "run-" + id.substring(0, 8);
    }
    r.tags.put("mlflow.runName", r.name);
    runs.put(id, r);
    return "{\"run\":" + r.json(false) + "}";
  }

  private String updateRun(Map<String, Object> m) {
    RunState r = run(runIdOf(m));
    synchronized (r.lock) {
      if (m.containsKey("status")) {
        String status = string(m, "status");
        if (!List.of("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED").contains(status)) {
          throw invalid("Invalid value " + status + " for parameter 'status'");
        }
        r.status = status;
      }
      if (m.containsKey("end_time")) {
        r.endTime = longValue(m, "end_time");
      }
      if (m.get("run_name") instanceof String s && !s.isEmpty()) {
        r.name = s;
      }
      return "{\"run_info\":" + r.infoJson() + "}";
    }
  }

  private String logBatch(Map<String, Object> m) {
    RunState r = run(runIdOf(m));
    List<Map<String, Object>> metrics = records(m, "metrics");
    List<Map<String, Object>> params = records(m, "params");
    List<Map<String, Object>> tags = records(m, "tags");
    if (metrics.size() > MAX_BATCH_METRICS || params.size() > MAX_BATCH_PARAMS
        || tags.size() > MAX_BATCH_TAGS
        || metrics.size() + params.size() + tags.size() > MAX_BATCH_RECORDS) {
      throw invalid("A batch logging request can contain at most " + MAX_BATCH_METRICS
          + " metrics, " + MAX_BATCH_PARAMS + " params and " + MAX_BATCH_TAGS + " tags ("
          + MAX_BATCH_RECORDS + " in all) but this one had " + metrics.size() + " metrics, "
          + params.size() + " params and " + tags.size() + " tags");
    }
    // Check everything first: a bad record rejects the whole batch, as MLflow does.
    List<Point> points = new ArrayList<>(metrics.size());
    for (Map<String, Object> metric : metrics) {
      points.add(point(metric));
    }
    Map<String, String> paramValues = new LinkedHashMap<>();
    for (Map<String, Object> p : params) {
      paramValues.put(string(p, "key"), string(p, "value"));
    }
    Map<String, String> tagValues = new LinkedHashMap<>();
    for (Map<String, Object> t : tags) {
      tagValues.put(string(t, "key"), string(t, "value"));
    }
    synchronized (r.lock) {
      for (Map.Entry<String, String> p : paramValues.entrySet()) {
        String old = r.params.get(p.getKey());
        if (old != null && !old.equals(p.getValue())) {
          throw changedParam(p.getKey(), old, p.getValue());
        }
      }
      r.params.putAll(paramValues);
      r.tags.putAll(tagValues);
      for (Point p : points) {
        r.add(p);
      }
    }
    return "{}";
  }

  // ------------------------------------------------------------------------------ fields

  private record Point(String key, double value, long timestamp, long step) {}

  private static Point point(Map<String, Object> m) {
    String key = string(m, "key");
    if (key.isEmpty()) {
      throw invalid("Missing value for required parameter 'key'");
    }
    return new Point(key, doubleValue(m, "value"), longValue(m, "timestamp"),
        m.containsKey("step") ? longValue(m, "step") : 0);
  }

  private RunState run(String id) {
    RunState r = runs.get(id);
    if (r == null) {
      throw new ApiException(404, "RESOURCE_DOES_NOT_EXIST", "Run '" + id + "' not found");
    }
    return r;
  }

  private static String runIdOf(Map<String, ?> m) {
    Object id = m.get("run_id");
    if (id == null || "".equals(id)) {
      id = m.get("run_uuid");
    }
    if (!(id instanceof String s) || s.isEmpty()) {
      throw invalid("Missing value for required parameter 'run_id'");
    }
    return s;
  }

  private static Map<String, Object> parse(byte[] body) {
    Object v;
    try {
      v = Json.parse(new String(body, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "MALFORMED_REQUEST", "Malformed JSON: " + e.getMessage());
    }
    if (!(v instanceof Map)) {
      throw new ApiException(400, "MALFORMED_REQUEST", "Expected a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) v;
    return m;
  }

  private static List<Map<String, Object>> records(Map<String, Object> m, String field) {
    Object v = m.get(field);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw invalid("Expected '" + field + "' to be an array but was " + v);
    }
    List<Map<String, Object>> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof Map)) {
        throw invalid("Expected each of '" + field + "' to be an object but was " + o);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> record = (Map<String, Object>) o;
      out.add(record);
    }
    return out;
  }

  private static String string(Map<String, Object> m, String field) {
    Object v = m.get(field);
    if (v == null) {
      throw invalid("Missing value for required parameter '" + field + "'");
    }
    if (!(v instanceof String s)) {
      throw invalid("Expected '" + field + "' to be a string but was " + v);
    }
    return s;
  }

  /** A number, or the strings protobuf's JSON writes for the values JSON has no literal for. */
  private static double doubleValue(Map<String, Object> m, String field) {
    Object v = m.get(field);
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      switch (s) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw invalid(v == null ? "Missing value for required parameter '" + field + "'"
        : "Expected '" + field + "' to be a number but was " + v);
  }

  /** An integer, also as a string (protobuf's JSON writes int64 fields as strings). */
  private static long longValue(Map<String, Object> m, String field) {
    Object v = m.get(field);
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw invalid(v == null ? "Missing value for required parameter '" + field + "'"
        : "Expected '" + field + "' to be an integer but was " + v);
  }

  private static String required(Map<String, String> query, String name) {
    String v = query.get(name);
    if (v == null || v.isEmpty()) {
      throw invalid("Missing value for required parameter '" + name + "'");
    }
    return v;
  }

  private static void require(boolean allowed, String method, String endpoint) {
    if (!allowed) {
      throw new ApiException(405, "BAD_REQUEST", "method " + method + " not allowed on "
          + endpoint);
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
    String raw = ex.getRequestURI().getRawQuery();
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static ApiException invalid(String message) {
    return new ApiException(400, "INVALID_PARAMETER_VALUE", message);
  }

  private static ApiException changedParam(String key, String old, String value) {
    return invalid("Changing param values is not allowed. Param with key='" + key
        + "' was already logged with value='" + old + "' for run ID. Attempted logging new value '"
        + value + "'.");
  }

  private static Response ok(String json) {
    return new Response(200, json);
  }

  private record Response(int status, String json) {}

  private static final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    ApiException(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** One run's state; fields after construction are guarded by {@code lock}. */
  private static final class RunState {
    final Object lock = new Object();
    final String id;
    final String experimentId;
    final long startTime;
    final Map<String, String> params = new LinkedHashMap<>();
    final Map<String, String> tags = new LinkedHashMap<>();
    final Map<String, BitSet> steps = new HashMap<>();
    final Map<String, Point> latest = new LinkedHashMap<>();
    volatile String name;
    String status = "RUNNING";
    Long endTime;
    long points;
    long duplicates;

    RunState(String id, String experimentId, long startTime) {
      this.id = id;
      this.experimentId = experimentId;
      this.startTime = startTime;
    }

    void add(Point p) {
      points++;
      if (p.step >= 0 && p.step < Integer.MAX_VALUE) {
        BitSet seen = steps.computeIfAbsent(p.key, k -> new BitSet());
        if (seen.get((int) p.step)) {
          duplicates++;
        }
        seen.set((int) p.step);
      }
      Point last = latest.get(p.key);
      if (last == null || p.step > last.step
          || (p.step == last.step && p.timestamp >= last.timestamp)) {
        latest.put(p.key, p);
      }
    }

    void param(String key, String value) {
      String old = params.get(key);
      if (old != null && !old.equals(value)) {
        throw changedParam(key, old, value);
      }
      params.put(key, value);
    }

    Received received() {
      synchronized (lock) {
        return new Received(points, duplicates, Map.copyOf(params), Map.copyOf(tags), status);
      }
    }

    String infoJson() {
      return "{\"run_id\":" + Json.quote(id) + ",\"run_uuid\":" + Json.quote(id)
          + ",\"run_name\":" + Json.quote(name) + ",\"experiment_id\":" + Json.quote(experimentId)
          + ",\"user_id\":\"bench\",\"status\":" + Json.quote(status)
          + ",\"start_time\":" + startTime + (endTime == null ? "" : ",\"end_time\":" + endTime)
          + ",\"artifact_uri\":" + Json.quote("mlflow-artifacts:/" + experimentId + "/" + id
          + "/artifacts") + ",\"lifecycle_stage\":\"active\"}";
    }

    String json(boolean withData) {
      synchronized (lock) {
        StringBuilder out = new StringBuilder("{\"info\":").append(infoJson())
            .append(",\"data\":{");
        if (withData) {
          out.append("\"metrics\":[");
          String sep = "";
          for (Point p : latest.values()) {
            out.append(sep).append("{\"key\":").append(Json.quote(p.key)).append(",\"value\":")
                .append(Double.isFinite(p.value) ? Double.toString(p.value)
                    : Json.quote(Double.isNaN(p.value) ? "NaN"
                        : p.value > 0 ? "Infinity" : "-Infinity"))
                .append(",\"timestamp\":").append(p.timestamp).append(",\"step\":")
                .append(p.step).append('}');
            sep = ",";
          }
          out.append("],\"params\":").append(pairs(params)).append(',');
        }
        out.append("\"tags\":").append(pairs(tags)).append("}}");
        return out.toString();
      }
    }

    private static String pairs(Map<String, String> map) {
      StringBuilder out = new StringBuilder("[");
      String sep = "";
      for (Map.Entry<String, String> e : map.entrySet()) {
        out.append(sep).append("{\"key\":").append(Json.quote(e.getKey())).append(",\"value\":")
            .append(Json.quote(e.getValue())).append('}');
        sep = ",";
      }
      return out.append(']').toString();
    }
  }
}
