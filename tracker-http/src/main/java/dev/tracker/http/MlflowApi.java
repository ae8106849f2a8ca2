package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.Metric;
import dev.tracker.RunStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.RequestBody;

/**
 * The MLflow Tracking REST API 2.0 endpoints this backend uses, with MLflow's request bodies and
 * paging. Request bodies are written field by field so that they are exactly MLflow's.
 */
final class MlflowApi {
  /** The most metric points asked per {@code metrics/get-history} page (MLflow's limit). */
  static final int HISTORY_PAGE = 25_000;
  /** The most runs or experiments asked per search page. */
  static final int SEARCH_PAGE = 1000;

  private static final MediaType OCTETS = MediaType.get("application/octet-stream");

  private final Rest rest;

  MlflowApi(Rest rest) {
    this.rest = rest;
  }

  Rest rest() {
    return rest;
  }

  /** The experiment with this name, or empty when the server has none (404). */
  Optional<Dto.Experiment> experimentByName(String name) throws IOException {
    try {
      JsonNode r = rest.get("experiments/get-by-name", Map.of("experiment_name", name));
      return Optional.of(experimentOf("GET experiments/get-by-name", r));
    } catch (MlflowServerException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The experiment with this id. */
  Dto.Experiment experiment(String id) throws IOException {
    JsonNode r = rest.get("experiments/get", Map.of("experiment_id", id));
    return experimentOf("GET experiments/get", r);
  }

  /** Creates an experiment; a taken name fails with RESOURCE_ALREADY_EXISTS. */
  String createExperiment(String name) throws IOException {
    byte[] body = Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("name", name);
      g.writeEndObject();
    });
    JsonNode r = rest.post("experiments/create", body);
    String id = Json.text(r, "experiment_id");
    if (id == null || id.isEmpty()) {
      throw rest.unexpected("POST experiments/create", "no experiment_id in " + abbreviate(r));
    }
    return id;
  }

  /**
   * Every active experiment, following {@code next_page_token}; from {@code experiments/list} on
   * servers older than MLflow 1.28, which lack {@code experiments/search}.
   */
  List<Dto.Experiment> searchExperiments() throws IOException {
    try {
      return searchExperimentsPaged();
    } catch (MlflowServerException e) {
      if (e.status() != 404 || "RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())) {
        throw e;
      }
      List<Dto.Experiment> out = new ArrayList<>();
      for (JsonNode x : rest.get("experiments/list", Map.of()).path("experiments")) {
        out.add(Dto.Experiment.from(x));
      }
      return out;
    }
  }

  private List<Dto.Experiment> searchExperimentsPaged() throws IOException {
    return paged("experiments", Dto.Experiment::from, token -> rest.post("experiments/search",
        Json.write(g -> {
          g.writeStartObject();
          g.writeNumberField("max_results", SEARCH_PAGE);
          if (token != null) {
            g.writeStringField("page_token", token);
          }
          g.writeEndObject();
        })));
  }

  /** Creates a run: {@code start_time} is always sent, or the server records 0. */
  Dto.Run createRun(String experimentId, String runName, long startTime,
      Map<String, String> tags) throws IOException {
    byte[] body = Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("experiment_id", experimentId);
      if (runName != null) {
        g.writeStringField("run_name", runName);
      }
      g.writeNumberField("start_time", startTime);
      g.writeArrayFieldStart("tags");
      for (Map.Entry<String, String> t : tags.entrySet()) {
        Json.writeKeyValue(g, t.getKey(), t.getValue());
      }
      g.writeEndArray();
      g.writeEndObject();
    });
    return runOf("POST runs/create", rest.post("runs/create", body));
  }

  /** The run with this id, or empty when the server has none (404). */
  Optional<Dto.Run> run(String runId) throws IOException {
    try {
      return Optional.of(runOf("GET runs/get", rest.get("runs/get", Map.of("run_id", runId))));
    } catch (MlflowServerException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Sets a run's status, and its end time unless {@code endTime} is negative. */
  void updateRun(String runId, RunStatus status, long endTime)
      throws IOException {
    byte[] body = Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("run_id", runId);
      g.writeStringField("status", status.name());
      if (endTime >= 0) {
        g.writeNumberField("end_time", endTime);
      }
      g.writeEndObject();
    });
    rest.post("runs/update", body);
  }

  /** Sends one {@code runs/log-batch} body (see {@link Wire#body}). */
  void logBatch(byte[] body) throws IOException {
    rest.post("runs/log-batch", body);
  }

  /** The runs of experiments matching {@code filter} (may be null), newest first, all pages. */
  List<Dto.Run> searchRuns(List<String> experimentIds, String filter)
      throws IOException {
    List<Dto.Run> out = new ArrayList<>();
    for (JsonNode run : searchRunsJson(experimentIds, filter)) {
      out.add(Dto.Run.from(run));
    }
    return out;
  }

  /**
   * The run tagged {@code tracker.runId = trackerRunId} in these experiments, as the server's
   * JSON {@code {"run": …}}, or null.
   */
  JsonNode findRunByTrackerId(List<String> experimentIds, String trackerRunId)
      throws IOException {
    String filter = "tags.`" + MlflowWriter.RUN_ID_TAG + "` = '" + trackerRunId.replace("'", "\\'")
        + "'";
    for (int i = 0; i < experimentIds.size(); i += 100) {
      List<JsonNode> runs = searchRunsJson(
          experimentIds.subList(i, Math.min(experimentIds.size(), i + 100)), filter);
      if (!runs.isEmpty()) {
        return Json.MAPPER.createObjectNode().set("run", runs.get(0));
      }
    }
    return null;
  }

  private List<JsonNode> searchRunsJson(List<String> experimentIds, String filter) throws IOException {
    return paged("runs", run -> run, token -> searchRunsPage(experimentIds, filter, SEARCH_PAGE,
        List.of("attributes.start_time DESC"), token));
  }

  /**
   * One {@code runs/search} page: the filter (null or empty for none) and {@code order_by}
   * clauses as given.
   */
  JsonNode searchRunsPage(Collection<String> experimentIds, String filter, int maxResults,
      List<String> orderBy, String pageToken) throws IOException {
    return rest.post("runs/search", Json.write(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("experiment_ids");
      for (String id : experimentIds) {
        g.writeString(id);
      }
      g.writeEndArray();
      if (filter != null && !filter.isEmpty()) {
        g.writeStringField("filter", filter);
      }
      g.writeNumberField("max_results", maxResults);
      if (!orderBy.isEmpty()) {
        g.writeArrayFieldStart("order_by");
        for (String clause : orderBy) {
          g.writeString(clause);
        }
        g.writeEndArray();
      }
      if (pageToken != null) {
        g.writeStringField("page_token", pageToken);
      }
      g.writeEndObject();
    }));
  }

  /**
   * Every point of a metric. {@code max_results} is always sent: without it recent servers
   * answer an empty page whose token never advances.
   */
  List<Metric> metricHistory(String runId, String key) throws IOException {
    return paged("metrics", Json::metric, token -> {
      Map<String, String> q = new LinkedHashMap<>();
      q.put("run_id", runId);
      q.put("metric_key", key);
      q.put("max_results", Integer.toString(HISTORY_PAGE));
      q.put("page_token", token);
      return rest.get("metrics/get-history", q);
    });
  }

  /** The artifacts directly under {@code path} (null for the root). */
  List<Dto.FileInfo> listArtifacts(String runId, String path) throws IOException {
    return paged("files", Dto.FileInfo::from, token -> {
      Map<String, String> q = new LinkedHashMap<>();
      q.put("run_id", runId);
      q.put("path", path);
      q.put("page_token", token);
      return rest.get("artifacts/list", q);
    });
  }

  /** Uploads a file's bytes with PUT, streamed from disk. */
  void upload(HttpUrl url, Path file, String artifactPath) throws IOException {
    rest.put(url, RequestBody.create(file.toFile(), OCTETS), "PUT artifact '" + artifactPath
        + "'");
  }

  /** The experiment of a reply, which must name its id. */
  private Dto.Experiment experimentOf(String what, JsonNode reply) throws IOException {
    Dto.Experiment e;
    try {
      e = Dto.Experiment.from(reply.path("experiment"));
    } catch (RuntimeException bad) {
      throw rest.unexpected(what, bad.getMessage() + " in " + abbreviate(reply));
    }
    if (e.id() == null || e.id().isEmpty()) {
      throw rest.unexpected(what, "no experiment.experiment_id in " + abbreviate(reply));
    }
    return e;
  }

  /** The run of a reply, which must name its id. */
  private Dto.Run runOf(String what, JsonNode reply) throws IOException {
    Dto.Run r;
    try {
      r = Dto.Run.from(reply.path("run"));
    } catch (RuntimeException bad) {
      throw rest.unexpected(what, bad.getMessage() + " in " + abbreviate(reply));
    }
    if (r.id() == null || r.id().isEmpty()) {
      throw rest.unexpected(what, "no run.info.run_id in " + abbreviate(reply));
    }
    return r;
  }

  private static String abbreviate(JsonNode reply) {
    String s = reply.toString();
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }

  /** Follows page tokens, stopping on a token seen before or a page that brought nothing. */
  private interface Page {
    JsonNode fetch(String token) throws IOException;
  }

  private interface Item<T> {
    T from(JsonNode node) throws IOException;
  }

  /**
   * Every item of the array {@code field} over all pages, following {@code next_page_token}. Stops
   * at an empty page or a token seen before: recent servers answer an empty page with a token
   * that never advances.
   */
  private static <T> List<T> paged(String field, Item<T> item, Page page) throws IOException {
    List<T> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String token = null;
    while (true) {
      JsonNode r = page.fetch(token);
      int n = 0;
      for (JsonNode x : r.path(field)) {
        out.add(item.from(x));
        n++;
      }
      token = Json.text(r, "next_page_token");
      if (token == null || token.isEmpty() || n == 0 || !seen.add(token)) {
        return out;
      }
    }
  }
}
