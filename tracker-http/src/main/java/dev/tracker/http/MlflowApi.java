package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.Metric;
import dev.tracker.RunStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
  Optional<Dto.Experiment> experimentByName(String name, RetryPolicy p) throws IOException {
    try {
      JsonNode r = rest.get("experiments/get-by-name", Map.of("experiment_name", name), p);
      return Optional.of(Dto.Experiment.from(r.path("experiment")));
    } catch (MlflowServerException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The experiment with this id. */
  Dto.Experiment experiment(String id, RetryPolicy p) throws IOException {
    JsonNode r = rest.get("experiments/get", Map.of("experiment_id", id), p);
    return Dto.Experiment.from(r.path("experiment"));
  }

  /** Creates an experiment; a taken name fails with RESOURCE_ALREADY_EXISTS. */
  String createExperiment(String name, RetryPolicy p) throws IOException {
    byte[] body = Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("name", name);
      g.writeEndObject();
    });
    return Json.text(rest.post("experiments/create", body, p), "experiment_id");
  }

  /**
   * Every active experiment, following {@code next_page_token}; from {@code experiments/list} on
   * servers older than MLflow 1.28, which lack {@code experiments/search}.
   */
  List<Dto.Experiment> searchExperiments(RetryPolicy p) throws IOException {
    try {
      return searchExperimentsPaged(p);
    } catch (MlflowServerException e) {
      if (e.status() != 404 || "RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())) {
        throw e;
      }
      List<Dto.Experiment> out = new ArrayList<>();
      for (JsonNode x : rest.get("experiments/list", Map.of(), p).path("experiments")) {
        out.add(Dto.Experiment.from(x));
      }
      return out;
    }
  }

  private List<Dto.Experiment> searchExperimentsPaged(RetryPolicy p) throws IOException {
    return paged("experiments", Dto.Experiment::from, token -> rest.post("experiments/search",
        Json.write(g -> {
          g.writeStartObject();
          g.writeNumberField("max_results", SEARCH_PAGE);
          if (token != null) {
            g.writeStringField("page_token", token);
          }
          g.writeEndObject();
        }), p));
  }

  /** Creates a run: {@code start_time} is always sent, or the server records 0. */
  Dto.Run createRun(String experimentId, String runName, long startTime,
      Map<String, String> tags, RetryPolicy p, Rest.BeforeRetry beforeRetry) throws IOException {
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
    return Dto.Run.from(rest.post("runs/create", body, p, beforeRetry).path("run"));
  }

  /** The run with this id, or empty when the server has none (404). */
  Optional<Dto.Run> run(String runId, RetryPolicy p) throws IOException {
    try {
      return Optional.of(Dto.Run.from(rest.get("runs/get", Map.of("run_id", runId), p)
          .path("run")));
    } catch (MlflowServerException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Sets a run's status, and its end time unless {@code endTime} is negative. */
  void updateRun(String runId, RunStatus status, long endTime, RetryPolicy p)
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
    rest.post("runs/update", body, p);
  }

  /** Sends one {@code runs/log-batch} body (see {@link Wire#body}). */
  void logBatch(byte[] body, RetryPolicy p) throws IOException {
    rest.post("runs/log-batch", body, p);
  }

  /** The runs of experiments matching {@code filter} (may be null), newest first, all pages. */
  List<Dto.Run> searchRuns(List<String> experimentIds, String filter, RetryPolicy p)
      throws IOException {
    List<Dto.Run> out = new ArrayList<>();
    for (JsonNode run : searchRunsJson(experimentIds, filter, p)) {
      out.add(Dto.Run.from(run));
    }
    return out;
  }

  /**
   * The run tagged {@code tracker.runId = trackerRunId} in these experiments, as the server's
   * JSON {@code {"run": …}}, or null.
   */
  JsonNode findRunByTrackerId(List<String> experimentIds, String trackerRunId, RetryPolicy p)
      throws IOException {
    String filter = "tags.`" + Courier.RUN_ID_TAG + "` = '" + trackerRunId.replace("'", "\\'")
        + "'";
    for (int i = 0; i < experimentIds.size(); i += 100) {
      List<JsonNode> runs = searchRunsJson(
          experimentIds.subList(i, Math.min(experimentIds.size(), i + 100)), filter, p);
      if (!runs.isEmpty()) {
        return Json.MAPPER.createObjectNode().set("run", runs.get(0));
      }
    }
    return null;
  }

  private List<JsonNode> searchRunsJson(List<String> experimentIds, String filter,
      RetryPolicy p) throws IOException {
    return paged("runs", run -> run, token -> rest.post("runs/search", Json.write(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("experiment_ids");
      for (String id : experimentIds) {
        g.writeString(id);
      }
      g.writeEndArray();
      if (filter != null) {
        g.writeStringField("filter", filter);
      }
      g.writeNumberField("max_results", SEARCH_PAGE);
      g.writeArrayFieldStart("order_by");
      g.writeString("attributes.start_time DESC");
      g.writeEndArray();
      if (token != null) {
        g.writeStringField("page_token", token);
      }
      g.writeEndObject();
    }), p));
  }

  /**
   * Every point of a metric. {@code max_results} is always sent: without it recent servers
   * answer an empty page whose token never advances.
   */
  List<Metric> metricHistory(String runId, String key, RetryPolicy p) throws IOException {
    return paged("metrics", Json::metric, token -> {
      Map<String, String> q = new LinkedHashMap<>();
      q.put("run_id", runId);
      q.put("metric_key", key);
      q.put("max_results", Integer.toString(HISTORY_PAGE));
      q.put("page_token", token);
      return rest.get("metrics/get-history", q, p);
    });
  }

  /** The artifacts directly under {@code path} (null for the root). */
  List<Dto.FileInfo> listArtifacts(String runId, String path, RetryPolicy p) throws IOException {
    return paged("files", Dto.FileInfo::from, token -> {
      Map<String, String> q = new LinkedHashMap<>();
      q.put("run_id", runId);
      q.put("path", path);
      q.put("page_token", token);
      return rest.get("artifacts/list", q, p);
    });
  }

  /** Uploads a file's bytes with PUT, streamed from disk. */
  void upload(HttpUrl url, Path file, String artifactPath, RetryPolicy p) throws IOException {
    rest.put(url, RequestBody.create(file.toFile(), OCTETS), "PUT artifact '" + artifactPath
        + "'", p);
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
