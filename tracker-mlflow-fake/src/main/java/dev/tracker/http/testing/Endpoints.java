package dev.tracker.http.testing;

import static dev.tracker.http.testing.FakeMlflowServer.MAX_ENTITIES;
import static dev.tracker.http.testing.FakeMlflowServer.MAX_METRICS;
import static dev.tracker.http.testing.FakeMlflowServer.MAX_PARAMS_TAGS;
import static dev.tracker.http.testing.FakeMlflowServer.MAX_REQUEST_BYTES;
import static dev.tracker.http.testing.FakeMlflowServer.STUCK_TOKEN;
import static dev.tracker.http.testing.Wire.JSON;
import static dev.tracker.http.testing.Wire.body;
import static dev.tracker.http.testing.Wire.dbl;
import static dev.tracker.http.testing.Wire.int64;
import static dev.tracker.http.testing.Wire.json;
import static dev.tracker.http.testing.Wire.limit;
import static dev.tracker.http.testing.Wire.obj;
import static dev.tracker.http.testing.Wire.pageStart;
import static dev.tracker.http.testing.Wire.page;
import static dev.tracker.http.testing.Wire.pyList;
import static dev.tracker.http.testing.Wire.pyRepr;
import static dev.tracker.http.testing.Wire.required;
import static dev.tracker.http.testing.Wire.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracker.http.testing.FakeMlflowServer.Point;
import dev.tracker.http.testing.Store.Experiment;
import dev.tracker.http.testing.Store.RunState;
import dev.tracker.http.testing.Wire.Failure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import okio.ByteString;

/**
 * The MLflow REST API 2.0 endpoints of the fake server, over its {@link Store}. Not
 * thread-safe: every call holds the server's lock.
 */
final class Endpoints {
  /** MLflow's tag that holds a run's name. */
  static final String RUN_NAME = "mlflow.runName";
  /** MLflow's bound on max_results of a search (SEARCH_MAX_RESULTS_THRESHOLD). */
  static final int MAX_SEARCH_RESULTS = 50_000;
  /** What MLflow's handler adds to a message about a request parameter. */
  static final String SEE_DOCS = "See the API docs for more information about request parameters.";

  /** MLflow's form of a run id ({@code _validate_run_id}). */
  private static final Pattern RUN_ID = Pattern.compile("[a-zA-Z0-9][\\w\\-]{0,255}");
  private static final Pattern ARTIFACT_PUT =
      Pattern.compile("/api/2\\.0/mlflow-artifacts/artifacts/(.+)");

  private final Store store;
  private final Registry registry;
  /** How many metric points the request handled last carried (its cost depends on them). */
  private int points;

  Endpoints(Store store) {
    this.store = store;
    this.registry = new Registry(store);
  }

  /** The metric points of the request handled last, and forgets them. */
  int takePoints() {
    int n = points;
    points = 0;
    return n;
  }

  /** Answers an API request, or throws {@link Failure} with MLflow's error. */
  MockResponse handle(RecordedRequest request, String endpoint, HttpUrl url)
      throws IOException {
    String method = request.getMethod();
    if (endpoint.equals("mlflow-artifacts")) {
      return url.encodedPath().equals("/api/2.0/mlflow-artifacts/artifacts")
          ? registry.listProxy(url) : artifactProxy(request, url);
    }
    if (Registry.serves(endpoint)) {
      return registry.handle(request, endpoint, url);
    }
    switch (method + " " + endpoint) {
      case "GET experiments/get-by-name":
        return getExperimentByName(required(url, "experiment_name"));
      case "GET experiments/get":
        return json(200, obj().set("experiment",
            store.experiment(required(url, "experiment_id")).json()));
      case "POST experiments/create":
        return createExperiment(body(request));
      case "POST experiments/search":
        return searchExperiments(body(request));
      case "POST runs/create":
        return createRun(body(request));
      case "GET runs/get":
        return json(200, obj().set("run", store.state(required(url, "run_id")).json()));
      case "POST runs/update":
        return updateRun(body(request));
      case "POST runs/delete":
        return setLifecycle(body(request), "deleted");
      case "POST runs/restore":
        return setLifecycle(body(request), "active");
      case "POST runs/log-batch":
        return logBatch(request);
      case "POST runs/log-metric":
        return logMetric(body(request));
      case "POST runs/log-parameter":
        return logParam(body(request));
      case "POST runs/set-tag":
        return setTag(body(request));
      case "POST runs/search":
        return searchRuns(body(request));
      case "POST runs/log-inputs": {
        JsonNode b = body(request);
        return InputsEndpoint.logInputs(activeRun(b), b);
      }
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
    for (Experiment e : store.experiments.values()) {
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
      throw Wire.missing("name");
    }
    if (name.codePointCount(0, name.length()) > 500) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE",
          "'name' exceeds the maximum length of 500 characters");
    }
    for (Experiment e : store.experiments.values()) {
      if (e.name.equals(name)) {
        throw new Failure(400, "RESOURCE_ALREADY_EXISTS",
            // the start of the SQL store's message, which goes on with the SQL statement
            "Experiment(name=" + name + ") already exists. Error: (sqlite3.IntegrityError)"
                + " UNIQUE constraint failed: experiments.name");
      }
    }
    String id = store.createExperiment(name);
    return json(200, obj().put("experiment_id", id));
  }

  private MockResponse searchExperiments(JsonNode body) {
    int max = (int) Math.min(maxResults(body), store.pageSize);
    int from = pageStart(text(body, "page_token"));
    List<Experiment> active = new ArrayList<>();
    for (Experiment e : store.experiments.values()) {
      if (e.lifecycle.equals("active")) {
        active.add(e);
      }
    }
    return page("experiments", active, from, max, Experiment::json);
  }

  private MockResponse createRun(JsonNode body) {
    String expId = text(body, "experiment_id");
    Experiment e = store.experiments.get(expId == null ? "0" : expId);
    if (e == null) {
      throw new Failure(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + expId
          + " exists");
    }
    if (!e.lifecycle.equals("active")) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "The experiment " + e.id
          + " must be in the 'active' state. Current state is " + e.lifecycle + ".");
    }
    RunState r = store.createRun(e);
    String id = r.id;
    r.startTime = int64(body, "start_time", 0);
    for (JsonNode t : body.path("tags")) {
      r.tags.put(text(t, "key"), text(t, "value"));
    }
    String name = text(body, "run_name");
    String tagged = r.tags.get(RUN_NAME);
    if (name != null && !name.isEmpty() && tagged != null && !tagged.isEmpty()
        && !name.equals(tagged)) {
      store.runs.remove(id);
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Both 'run_name' argument and"
          + " 'mlflow.runName' tag are specified, but with different values (run_name='" + name
          + "', mlflow.runName='" + tagged + "').");
    }
    name = name != null && !name.isEmpty() ? name
        : tagged != null && !tagged.isEmpty() ? tagged : "run-" + id.substring(24);
    r.name = name;
    r.tags.putIfAbsent(RUN_NAME, name);
    return json(200, obj().set("run", r.json()));
  }

  private MockResponse updateRun(JsonNode body) {
    RunState r = activeRun(body); // update_run_info: _check_run_is_active
    String name = text(body, "run_name");
    if (name != null && !name.isEmpty()) {
      r.name = name;
      r.tags.put(RUN_NAME, name);
    }
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

  /**
   * {@code runs/delete} and {@code runs/restore}: MLflow's SQL store ({@code delete_run},
   * {@code restore_run}) marks the run, whatever its stage; an unknown run is a 404.
   */
  private MockResponse setLifecycle(JsonNode body, String stage) {
    String runId = text(body, "run_id");
    if (runId == null || runId.isEmpty()) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE",
          "Missing value for required parameter 'run_id'.");
    }
    store.state(runId).lifecycle = stage;
    return json(200, obj());
  }

  private MockResponse logBatch(RecordedRequest request) throws IOException {
    ByteString raw = request.getBody();
    long size = raw == null ? 0 : raw.size();
    if (size > MAX_REQUEST_BYTES) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Batched logging API requests must be"
          + " at most " + MAX_REQUEST_BYTES + " bytes, got a request of size " + size + ".");
    }
    JsonNode body = body(request);
    String runId = requiredText(body, "run_id");
    JsonNode metrics = body.path("metrics");
    JsonNode params = body.path("params");
    JsonNode tags = body.path("tags");
    // the handler's schema: each entry's required fields, "" counting as missing
    for (int i = 0; i < metrics.size(); i++) {
      for (String field : List.of("key", "value", "timestamp")) {
        requiredText(metrics.get(i), field, "metrics[" + i + "]." + field);
      }
    }
    for (int i = 0; i < params.size(); i++) {
      requiredText(params.get(i), "key", "params[" + i + "].key");
    }
    for (int i = 0; i < tags.size(); i++) {
      requiredText(tags.get(i), "key", "tags[" + i + "].key");
    }
    // the SQL store's log_batch: the run id's form, every entry, the limits, unique params
    if (!RUN_ID.matcher(runId).matches()) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid value "
          + Validation.json(runId) + " for parameter 'run_id' supplied.");
    }
    List<Point> points = new ArrayList<>();
    for (JsonNode m : metrics) {
      String at = "metrics[" + points.size() + "]";
      Point p = new Point(text(m, "key"), dbl(m.get("value")), int64(m, "timestamp", 0),
          int64(m, "step", 0));
      Validation.metricKey(p.key(), at + ".name");
      Validation.timestamp(p.key(), p.value(), p.timestamp(), at);
      points.add(p);
    }
    List<String[]> paramList = new ArrayList<>();
    for (JsonNode p : params) {
      String key = text(p, "key");
      Validation.paramKey(key, "params[" + paramList.size() + "]");
      paramList.add(new String[] {key, Validation.truncated(orEmpty(text(p, "value")),
          Validation.MAX_PARAM_VALUE_LENGTH)});
    }
    Map<String, String> newTags = new LinkedHashMap<>();
    for (JsonNode t : tags) {
      String key = text(t, "key");
      Validation.tagKey(key, "tags[" + newTags.size() + "]");
      newTags.put(key, Validation.truncated(orEmpty(text(t, "value")),
          Validation.MAX_TAG_VALUE_LENGTH));
    }
    limit("metrics", MAX_METRICS, metrics.size());
    limit("params", MAX_PARAMS_TAGS, params.size());
    limit("tags", MAX_PARAMS_TAGS, tags.size());
    limit("metrics, params, and tags", MAX_ENTITIES,
        metrics.size() + params.size() + tags.size());
    Set<String> keys = new LinkedHashSet<>();
    List<String> dupes = new ArrayList<>();
    Map<String, String> newParams = new LinkedHashMap<>();
    for (String[] p : paramList) {
      if (!keys.add(p[0])) {
        dupes.add(p[0]);
      }
      newParams.put(p[0], p[1]);
    }
    if (!dupes.isEmpty()) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Duplicate parameter keys have been"
          + " submitted: " + pyList(dupes) + ". Please ensure the request contains only one"
          + " param value per param key.");
    }
    RunState r = active(runId);
    // MLflow's SQL store (_log_params) names every conflict, and refuses the whole batch
    List<String> conflicts = new ArrayList<>();
    newParams.forEach((key, value) -> {
      String old = r.params.get(key);
      if (old != null && !old.equals(value)) {
        conflicts.add("{'key': " + pyRepr(key) + ", 'old_value': " + pyRepr(old)
            + ", 'new_value': " + pyRepr(value) + "}");
      }
    });
    if (!conflicts.isEmpty()) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed."
          + " Params were already logged='[" + String.join(", ", conflicts) + "]' for run ID='"
          + r.id + "'.");
    }
    r.params.putAll(newParams);
    for (Point p : points) {
      store.addPoint(r, p);
    }
    this.points = points.size();
    newTags.forEach((key, value) -> putTag(r, key, value));
    return json(200, obj());
  }

  // what MLflow's own Java client sends, one request per point, param or tag

  private MockResponse logMetric(JsonNode body) {
    runIdOf(body);
    String key = requiredText(body, "key");
    requiredText(body, "value");
    requiredText(body, "timestamp");
    Point p = new Point(key, dbl(body.get("value")), int64(body, "timestamp", 0),
        int64(body, "step", 0));
    Validation.metricKey(key, "name");
    Validation.timestamp(key, p.value(), p.timestamp(), "");
    store.addPoint(activeRun(body), p);
    this.points = 1;
    return json(200, obj());
  }

  private MockResponse logParam(JsonNode body) {
    runIdOf(body);
    String key = requiredText(body, "key");
    Validation.paramKey(key, "");
    String value = Validation.truncated(orEmpty(text(body, "value")),
        Validation.MAX_PARAM_VALUE_LENGTH);
    RunState r = activeRun(body);
    requireSameParam(r, key, value);
    r.params.put(key, value);
    return json(200, obj());
  }

  private MockResponse setTag(JsonNode body) {
    runIdOf(body);
    String key = requiredText(body, "key");
    Validation.tagKey(key, "");
    putTag(activeRun(body), key, Validation.truncated(orEmpty(text(body, "value")),
        Validation.MAX_TAG_VALUE_LENGTH));
    return json(200, obj());
  }

  /** Sets a tag; {@code mlflow.runName} renames the run, as the SQL store's set_tag does. */
  private static void putTag(RunState r, String key, String value) {
    r.tags.put(key, value);
    if (key.equals(RUN_NAME)) {
      r.name = value;
    }
  }

  /**
   * The max_results of a search (default 1000), within the SQL store's bounds
   * ({@code _validate_max_results_param}): at least 1, at most {@value #MAX_SEARCH_RESULTS}.
   */
  private static long maxResults(JsonNode body) {
    long max = int64(body, "max_results", 1000);
    if (max < 1) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid value " + max
          + " for parameter 'max_results' supplied. It must be a positive integer");
    }
    if (max > MAX_SEARCH_RESULTS) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid value " + max
          + " for parameter 'max_results' supplied. It must be at most " + MAX_SEARCH_RESULTS);
    }
    return max;
  }

  /** The run named by {@code run_id} (or the older {@code run_uuid}), which must be active. */
  private RunState activeRun(JsonNode body) {
    return active(runIdOf(body));
  }

  /** {@code run_id}, or the older {@code run_uuid}, which the handler requires. */
  private static String runIdOf(JsonNode body) {
    String runId = text(body, "run_id");
    if (runId == null || runId.isEmpty()) {
      runId = text(body, "run_uuid");
    }
    if (runId == null || runId.isEmpty()) {
      throw Wire.missing("run_id");
    }
    return runId;
  }

  private RunState active(String runId) {
    RunState r = store.state(runId);
    if (r.lifecycle.equals("deleted")) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "The run " + runId
          + " must be in the 'active' state. Current state is deleted.");
    }
    return r;
  }

  private static String requiredText(JsonNode body, String field) {
    return requiredText(body, field, field);
  }

  /** A field the handler requires: present, and not "" (how proto reads an absent text). */
  private static String requiredText(JsonNode body, String field, String path) {
    String v = text(body, field);
    if (v == null || v.isEmpty()) {
      throw Wire.missing(path);
    }
    return v;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** Params are write-once: MLflow refuses another value for a key a run holds. */
  private static void requireSameParam(RunState r, String key, String value) {
    String old = r.params.get(key);
    if (old != null && !old.equals(value)) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Changing param values is not"
          + " allowed. Param with key='" + key + "' was already logged with value='"
          + old + "' for run ID='" + r.id + "'. Attempted logging new value '"
          + value + "'.");
    }
  }

  /** Filters and orders as MLflow's SQL store does ({@link RunSearch}); pages of max_results. */
  private MockResponse searchRuns(JsonNode body) {
    Set<String> expIds = new LinkedHashSet<>();
    body.path("experiment_ids").forEach(n -> expIds.add(n.asText()));
    List<String> orderBy = new ArrayList<>();
    body.path("order_by").forEach(n -> orderBy.add(n.asText()));
    JsonNode maxNode = body.path("max_results");
    if (maxNode.isValueNode() && int64(body, "max_results", 0) > MAX_SEARCH_RESULTS) {
      // the handler's own check (_assert_less_than_or_equal), which has no message of its own
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid value " + maxNode
          + " for parameter 'max_results' supplied:  Hint: Value was of type '"
          + (maxNode.isTextual() ? "str" : "int") + "'. " + SEE_DOCS);
    }
    int max = (int) Math.min(maxResults(body), store.pageSize);
    int from = pageStart(text(body, "page_token"));
    // run_view_type: ACTIVE_ONLY (1, the default), DELETED_ONLY (2) or ALL (3)
    String view = body.path("run_view_type").asText("ACTIVE_ONLY");
    List<RunState> active = new ArrayList<>();
    for (RunState r : store.runs.values()) {
      boolean deleted = r.lifecycle.equals("deleted");
      if (expIds.contains(r.experimentId) && (view.equals("ALL") || view.equals("3")
          || deleted == (view.equals("DELETED_ONLY") || view.equals("2")))) {
        active.add(r);
      }
    }
    List<RunState> found = RunSearch.search(active, text(body, "filter"), orderBy);
    // the SQL store offers a next page whenever this one is full, even if nothing follows
    return page("runs", found, from, max, RunState::json, from + max <= found.size());
  }

  /**
   * As the SQL store answers it: points ordered by (timestamp, step, value) when the fake
   * behaves like the SQL store ({@link FakeMlflowServer#dedupeMetrics}), else as received; no
   * upper bound on max_results; a run or key without points gives an empty reply, not 404.
   */
  private MockResponse history(HttpUrl url) {
    String runId = required(url, "run_id");
    String key = required(url, "metric_key");
    RunState r = store.runs.get(runId);
    List<Point> points = new ArrayList<>();
    for (Point p : r == null ? List.<Point>of() : r.metrics) {
      if (p.key().equals(key)) {
        points.add(p);
      }
    }
    if (store.dedupeMetrics) {
      points.sort(Comparator.comparingLong(Point::timestamp).thenComparingLong(Point::step)
          .thenComparingDouble(p -> Double.isNaN(p.value()) ? 0 : p.value()));
    }
    int from = pageStart(url.queryParameter("page_token"));
    String maxParam = url.queryParameter("max_results");
    long max = maxParam == null ? 0 : int64(obj().put("max_results", maxParam), "max_results", 0);
    if (max <= 0) {
      // max_results reads as 0 when left out (proto2): an empty page, and, while points remain,
      // a token that never advances
      ObjectNode out = obj();
      if (from < points.size()) {
        out.put("next_page_token", STUCK_TOKEN);
      }
      return json(200, out);
    }
    return page("metrics", points, from, (int) Math.min(max, store.pageSize), Wire::pointJson);
  }

  /**
   * PUT and GET of {@code mlflow-artifacts/artifacts/<path>}: any path, as the proxy stores any;
   * a path under a run's artifact root is that run's artifact. A path with a '..' or '.'
   * segment is refused, as MLflow's {@code validate_path_is_safe} refuses it.
   */
  private MockResponse artifactProxy(RecordedRequest request, HttpUrl url) {
    Matcher m = ARTIFACT_PUT.matcher(url.encodedPath());
    boolean get = request.getMethod().equals("GET");
    if (!(get || request.getMethod().equals("PUT")) || !m.matches()) {
      throw new Failure(404, "ENDPOINT_NOT_FOUND", "No API endpoint for "
          + request.getMethod() + " " + url.encodedPath());
    }
    List<String> segments = url.pathSegments().subList(4, url.pathSize());
    String path = String.join("/", segments);
    if (segments.contains("..") || segments.contains(".")) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid path");
    }
    Map.Entry<RunState, String> owner = store.artifactOwner(path);
    Map<String, byte[]> files = owner == null ? store.otherArtifacts : owner.getKey().artifacts;
    String key = owner == null ? path : owner.getValue();
    if (get) {
      byte[] content = files.get(key);
      if (content == null) {
        throw new Failure(404, "RESOURCE_DOES_NOT_EXIST", "File not found: " + path);
      }
      return new MockResponse.Builder().code(200)
          .addHeader("Content-Type", "application/octet-stream")
          .body(new okio.Buffer().write(content)).build();
    }
    ByteString body = request.getBody();
    files.put(key, body == null ? new byte[0] : body.toByteArray());
    return json(200, obj());
  }

  private MockResponse listArtifacts(HttpUrl url) {
    RunState r = store.state(required(url, "run_id"));
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
}
