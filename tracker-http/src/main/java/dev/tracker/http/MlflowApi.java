package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.Metric;
import dev.tracker.RunStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.RequestBody;

/**
 * The MLflow Tracking REST API 2.0 endpoints this backend uses, with MLflow's request bodies
 * ({@link Dto}) and paging.
 */
final class MlflowApi {
  /** The most metric points asked per {@code metrics/get-history} page (MLflow's limit). */
  static final int HISTORY_PAGE = 25_000;
  /** The most runs or experiments asked per search page. */
  static final int SEARCH_PAGE = 1000;
  /** MLflow's {@code run_view_type} for runs in the trash ({@code runs/delete}). */
  static final String DELETED_ONLY = "DELETED_ONLY";

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
    return unlessNotFound(() -> experimentOf("GET experiments/get-by-name",
        rest.get("experiments/get-by-name", "experiment_name", name)));
  }

  /** The experiment with this id. */
  Dto.Experiment experiment(String id) throws IOException {
    return experimentOf("GET experiments/get",
        rest.get("experiments/get", "experiment_id", id));
  }

  /** Creates an experiment; a taken name fails with RESOURCE_ALREADY_EXISTS. */
  String createExperiment(String name) throws IOException {
    return named("POST experiments/create", rest.post("experiments/create", Map.of("name", name)),
        null, EXPERIMENT_ID).id();
  }

  /**
   * Every active experiment, following {@code next_page_token}; from {@code experiments/list} on
   * servers older than MLflow 1.28, which lack {@code experiments/search}.
   */
  List<Dto.Experiment> searchExperiments() throws IOException {
    try {
      return paged("POST experiments/search", "experiments", Dto.Experiment.class, LISTED,
          token -> rest.post("experiments/search", new Dto.SearchExperiments(SEARCH_PAGE, token)));
    } catch (MlflowServerException e) {
      if (e.status() != 404 || "RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())) {
        throw e;
      }
      return paged("GET experiments/list", "experiments", Dto.Experiment.class, LISTED,
          token -> rest.get("experiments/list", "page_token", token));
    }
  }

  /** Creates a run: {@code start_time} is always sent, or the server records 0. */
  Dto.Run createRun(String experimentId, String runName, long startTime,
      Map<String, String> tags) throws IOException {
    List<Dto.KeyValue> pairs = new ArrayList<>();
    tags.forEach((k, v) -> pairs.add(new Dto.KeyValue(k, v)));
    return runOf("POST runs/create", rest.post("runs/create",
        new Dto.CreateRun(experimentId, runName, startTime, pairs)));
  }

  /** The run with this id, or empty when the server has none (404). */
  Optional<Dto.Run> run(String runId) throws IOException {
    return unlessNotFound(() -> runOf("GET runs/get",
        rest.get("runs/get", "run_id", runId)));
  }

  /** Sets a run's status, and its end time unless {@code endTime} is negative. */
  void updateRun(String runId, RunStatus status, long endTime) throws IOException {
    rest.post("runs/update", new Dto.UpdateRun(runId, status.name(),
        endTime >= 0 ? endTime : null));
  }

  /** Sends one {@code runs/log-batch} body (see {@link Wire#body}). */
  void logBatch(byte[] body) throws IOException {
    rest.post("runs/log-batch", body);
  }

  /** The runs of experiments matching {@code filter} (may be null), newest first, all pages. */
  List<Dto.Run> searchRuns(List<String> experimentIds, String filter) throws IOException {
    return searchRuns(experimentIds, filter, null);
  }

  /**
   * The runs of experiments matching {@code filter}, newest first, all pages; {@code view} is
   * MLflow's {@code run_view_type} ({@value #DELETED_ONLY}, {@code ALL}), null for the
   * server's default, live runs only ({@code ACTIVE_ONLY}).
   */
  private List<Dto.Run> searchRuns(List<String> experimentIds, String filter, String view)
      throws IOException {
    return paged("POST runs/search", "runs", Dto.Run.class, RUN_ID, token -> rest.post(
        "runs/search", new Dto.SearchRuns(experimentIds, filter, SEARCH_PAGE,
            List.of("attributes.start_time DESC"), token, view)));
  }

  /** The live run tagged {@code tracker.runId = trackerRunId} in these experiments. */
  Optional<Dto.Run> findRunByTrackerId(List<String> experimentIds, String trackerRunId)
      throws IOException {
    return findRunByTrackerId(experimentIds, trackerRunId, null);
  }

  /**
   * The run tagged {@code tracker.runId = trackerRunId} in these experiments, of MLflow's {@code
   * run_view_type} {@code view} (null: live runs only).
   */
  Optional<Dto.Run> findRunByTrackerId(List<String> experimentIds, String trackerRunId,
      String view) throws IOException {
    String filter = equalTo("tags.`" + MlflowWriter.RUN_ID_TAG + "`", trackerRunId);
    for (int i = 0; i < experimentIds.size(); i += 100) {
      List<Dto.Run> runs = searchRuns(
          experimentIds.subList(i, Math.min(experimentIds.size(), i + 100)), filter, view);
      if (!runs.isEmpty()) {
        return Optional.of(runs.get(0));
      }
    }
    return Optional.empty();
  }

  /**
   * A filter selecting at least the things whose {@code key} is {@code value}; callers keep the
   * exact matches. MLflow's grammar keeps a quoted text as written, without escapes (sqlparse's
   * literal, outer quotes stripped), so a value holding a single quote goes in double quotes, and
   * one holding both kinds, which no literal can hold, is matched with {@code LIKE}, every quote
   * and backslash a one-character wildcard.
   */
  static String equalTo(String key, String value) {
    if (value.indexOf('\'') < 0) {
      return key + " = '" + value + "'";
    }
    if (value.indexOf('"') < 0) {
      return key + " = \"" + value + "\"";
    }
    return key + " LIKE '" + value.replaceAll("['\"\\\\]", "_") + "'";
  }

  /**
   * Whether an MLflow refusal names {@code key} as a param that conflicts with the value held:
   * {@code Param with key='lr' was already logged} ({@code log-parameter}, older servers) or
   * {@code Params were already logged='[{'key': 'lr', 'old_value': …}]'} ({@code log-batch},
   * the key as Python's {@code repr} writes it). A key that is quoted there only as a field name
   * or a value ({@code 'key'}, {@code '0.5'}) is not named.
   */
  static boolean namesParam(String message, String key) {
    return message.contains("key='" + key + "'") || message.contains("'key': " + pyRepr(key));
  }

  /** A string as Python's {@code repr} writes it (quotes, backslash and control escapes). */
  static String pyRepr(String s) {
    char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder b = new StringBuilder().append(q);
    for (char c : s.toCharArray()) {
      if (c == q || c == '\\') {
        b.append('\\').append(c);
      } else if (c == '\n' || c == '\r' || c == '\t') {
        b.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append(q).toString();
  }

  /**
   * One {@code runs/search} page: the filter (null or empty for none) and {@code order_by}
   * clauses as given.
   */
  JsonNode searchRunsPage(Collection<String> experimentIds, String filter, int maxResults,
      List<String> orderBy, String pageToken) throws IOException {
    return rest.post("runs/search", new Dto.SearchRuns(experimentIds,
        filter == null || filter.isEmpty() ? null : filter, maxResults,
        orderBy.isEmpty() ? null : orderBy, pageToken, null));
  }

  /**
   * Every point of a metric, the infinities as logged ({@link Dto#logged}). {@code max_results}
   * is always sent: without it recent servers answer an empty page whose token never advances.
   */
  List<Metric> metricHistory(String runId, String key) throws IOException {
    return paged("GET metrics/get-history", "metrics", Metric.class, null,
        token -> rest.get("metrics/get-history", "run_id", runId, "metric_key", key,
            "max_results", Integer.toString(HISTORY_PAGE), "page_token", token))
        .stream().map(Dto::logged).toList();
  }

  /** The artifacts directly under {@code path} (null for the root). */
  List<Dto.FileInfo> listArtifacts(String runId, String path) throws IOException {
    return paged("GET artifacts/list", "files", Dto.FileInfo.class, null, token -> rest.get(
        "artifacts/list", "run_id", runId, "path", path, "page_token", token));
  }

  /** Uploads a file's bytes with PUT, streamed from disk. */
  void upload(HttpUrl url, Path file, String artifactPath) throws IOException {
    rest.put(url, RequestBody.create(file.toFile(), OCTETS), "PUT artifact '" + artifactPath
        + "'");
  }

  private Dto.Experiment experimentOf(String what, JsonNode reply) throws IOException {
    return named(what, reply, "experiment", EXPERIMENT_ID);
  }

  private Dto.Run runOf(String what, JsonNode reply) throws IOException {
    return named(what, reply, "run", RUN_ID);
  }

  /** A run of a list in a reply to {@code what}, which must name its id. */
  Dto.Run run(String what, JsonNode item) throws IOException {
    return named(what, item, null, RUN_ID);
  }

  /** A wire object's type, what it must name and where (null when it is not named). */
  record Id<T>(Class<T> type, Function<T, String> id, String path) {}

  private static final Id<Dto.Experiment> EXPERIMENT_ID =
      new Id<>(Dto.Experiment.class, Dto.Experiment::id, "experiment_id");
  /** An experiment of a list, which becomes an {@link dev.tracker.ExperimentInfo}. */
  private static final Id<Dto.Experiment> LISTED = new Id<>(Dto.Experiment.class,
      e -> e.name() == null ? null : e.id(), "experiment_id and name");
  private static final Id<Dto.Run> RUN_ID = new Id<>(Dto.Run.class, Dto.Run::id, "info.run_id");

  /** The object at {@code field} of a reply (the reply itself if null), which must name its id. */
  private <T> T named(String what, JsonNode reply, String field, Id<T> id) throws IOException {
    T value = rest.read(what, reply, field, id.type());
    String v = id.id().apply(value);
    if (v == null || v.isEmpty()) {
      throw rest.unexpected(what, "no " + (field == null ? "" : field + ".") + id.path()
          + " in " + Rest.printable(reply.toString(), 200));
    }
    return value;
  }

  /** A request. */
  private interface Fetch<T> {
    T get() throws IOException;
  }

  /** A page of a request, given the page token (null for the first). */
  interface Page {
    JsonNode get(String token) throws IOException;
  }

  /** The answer, or empty when the server says the resource does not exist (404). */
  private static <T> Optional<T> unlessNotFound(Fetch<T> fetch) throws IOException {
    try {
      return Optional.of(fetch.get());
    } catch (MlflowServerException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Every item of the array {@code field} over all pages, each naming its {@code id} unless null,
   * following {@code next_page_token}. Stops at an empty page or a token seen before: recent
   * servers answer an empty page with a token that never advances; a page answered with the
   * token it was asked with is left out (a server that ignores tokens repeats the first page).
   */
  <T> List<T> paged(String what, String field, Class<T> type, Id<T> id,
      Page page) throws IOException {
    List<T> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String token = null;
    while (true) {
      JsonNode r = page.get(token);
      if (token != null && token.equals(r.path("next_page_token").asText(null))) {
        return out; // the server ignored the token: the page repeats one read before
      }
      int n = 0;
      for (JsonNode x : r.path(field)) {
        out.add(id == null ? rest.read(what, x, null, type) : named(what, x, null, id));
        n++;
      }
      token = r.path("next_page_token").asText(null);
      if (token == null || token.isEmpty() || n == 0 || !seen.add(token)) {
        return out;
      }
    }
  }
}
