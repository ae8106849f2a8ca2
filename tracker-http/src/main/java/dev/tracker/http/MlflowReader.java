package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.ExperimentInfo;
import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.RunSummary;
import dev.tracker.spi.ArtifactPath;
import dev.tracker.spi.SearchPage;
import dev.tracker.spi.SearchRequest;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Reads experiments and runs back from an MLflow server, answering in the tracker's run ids
 * (the {@code tracker.runId} tag) where runs have one. One attempt per request: a reader that
 * meets a failure reports it at once.
 */
final class MlflowReader {
  /** The most runs MLflow answers per search page. */
  static final int MAX_SEARCH_PAGE = 50_000;

  private final MlflowApi api;
  private final MlflowWriter writer;
  private final Map<String, String> experimentNames = new HashMap<>();

  MlflowReader(MlflowApi api, MlflowWriter writer) {
    this.api = api;
    this.writer = writer;
  }

  List<ExperimentInfo> listExperiments() throws IOException {
    List<ExperimentInfo> out = new ArrayList<>();
    for (Dto.Experiment e : api.searchExperiments()) {
      if (!e.isDeleted()) {
        out.add(new ExperimentInfo(e.id(), e.name(), e.creationTime()));
      }
    }
    return out;
  }

  List<RunInfo> listRuns(String experimentName) throws IOException {
    Optional<Dto.Experiment> e = api.experimentByName(experimentName);
    if (e.isEmpty()) {
      return List.of();
    }
    List<Dto.Run> runs = api.searchRuns(List.of(e.get().id()), null);
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

  /**
   * The run by the tracker's or MLflow's id.
   *
   * @throws IllegalArgumentException when the run is deleted on the server (see {@link #live})
   */
  Optional<RunData> readRun(String runId) throws IOException {
    Dto.Run r = writer.findRun(runId).orElse(null);
    if (r == null) {
      return Optional.empty();
    }
    live(r);
    List<Metric> metrics = new ArrayList<>();
    for (String key : new TreeSet<>(r.latestMetrics().stream().map(Metric::key).toList())) {
      metrics.addAll(api.metricHistory(r.id(), key));
    }
    List<String> artifacts = new ArrayList<>();
    listArtifacts(r.id(), null, artifacts, new HashSet<>());
    artifacts.sort(null); // the file backend's order: the server lists folder by folder
    Map<String, String> ids = new HashMap<>();
    ids.put(r.id(), trackerId(r));
    RunInfo info = info(r, experimentName(r.experimentId()), ids);
    Map<String, String> tags = new LinkedHashMap<>(r.tags());
    if (info.parentRunId() != null) {
      tags.put(MlflowWriter.PARENT_TAG, info.parentRunId());
    }
    return Optional.of(new RunData(info, r.params(), tags, metrics, artifacts, r.inputs()));
  }

  /**
   * Reads a metric's history by the tracker's id or the run's MLflow id, every page.
   *
   * @throws IllegalArgumentException when the run is deleted on the server (see {@link #live})
   */
  List<Metric> metricHistory(String runId, String key) throws IOException {
    Optional<Dto.Run> r = writer.findRun(runId);
    return r.isEmpty() ? List.of() : api.metricHistory(live(r.get()).id(), key);
  }

  /**
   * The run, unless it is deleted on the server. MLflow's {@code runs/get} still returns a run
   * in its trash (until {@code mlflow gc}), marked {@code lifecycle_stage: deleted}, while
   * {@code runs/search} leaves it out; a {@link RunData} has no such mark, so reading a deleted
   * run by its id is refused, saying so and how to restore it, rather than shown as a live run.
   *
   * @throws IllegalArgumentException when the run is deleted
   */
  private Dto.Run live(Dto.Run r) {
    if (r.isDeleted()) {
      throw new IllegalArgumentException(writer.deleted(r) + " (MLflow keeps it in its trash);"
          + " " + MlflowWriter.restore(r.id()) + " to use it again");
    }
    return r;
  }

  /**
   * Reads an artifact through the server's artifact proxy ({@code GET
   * api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>}), by the tracker's or
   * MLflow's id, streamed; closing the stream closes the response.
   *
   * @throws FileNotFoundException when there is no such run or artifact (404)
   * @throws IllegalArgumentException when the path breaks {@link ArtifactPath}'s rule, or the
   *     run is deleted on the server (see {@link #live})
   */
  InputStream openArtifact(OkHttpClient client, String runId, String artifactPath)
      throws IOException {
    Dto.Run r = live(writer.findRun(runId).orElseThrow(() -> new FileNotFoundException("no run "
        + runId + " in " + api.rest().server())));
    return open(client, ArtifactLocation.resolve(api.rest().base(), r.artifactUri(),
        "run " + r.id()), artifactPath, "run " + r.id());
  }

  /**
   * Opens {@code artifactPath} under the proxy URL {@code root} ({@code root} itself when the
   * path is empty), streamed; {@code owner} names whose files they are in messages.
   */
  static InputStream open(OkHttpClient client, HttpUrl root, String artifactPath, String owner)
      throws IOException {
    HttpUrl.Builder url = root.newBuilder();
    if (!artifactPath.isEmpty()) {
      for (String segment : ArtifactPath.check(artifactPath).split("/", -1)) {
        url.addPathSegment(segment);
      }
    }
    HttpUrl asked = url.build();
    Response response = client.newCall(new Request.Builder().url(asked).get().build()).execute();
    HttpUrl got = response.request().url();
    if (response.isSuccessful() && got.encodedPath().equals(asked.encodedPath())) {
      return response.body().byteStream();
    }
    int code = response.code();
    response.close();
    if (response.isSuccessful()) { // a login page after a redirect: never the artifact's bytes
      throw new IOException("GET artifact '" + artifactPath + "' of " + owner + " was"
          + " redirected to " + got.redact() + ", which is not the artifact");
    }
    if (code == 404) {
      throw new FileNotFoundException("no artifact '" + artifactPath + "' in " + owner);
    }
    throw new IOException("GET artifact '" + artifactPath + "' of " + owner
        + " failed with HTTP " + code);
  }

  /**
   * One page of runs, as the server ordered them: one {@code runs/search} request, with the
   * filter and {@code order_by} clauses exactly as the user wrote them, so that the server's
   * evaluation (which {@link dev.tracker.spi.RunFilter} follows) decides. Experiment names
   * become ids first; a name the server does not know has no runs.
   */
  SearchPage search(SearchRequest request) throws IOException {
    Map<String, String> experiments = new LinkedHashMap<>();
    if (request.experimentNames().isEmpty()) {
      listExperiments().forEach(e -> experiments.put(e.id(), e.name()));
    } else {
      for (String name : request.experimentNames()) {
        api.experimentByName(name).ifPresent(x -> experiments.put(x.id(), x.name()));
      }
    }
    if (experiments.isEmpty()) {
      return new SearchPage(List.of(), null);
    }
    JsonNode reply = api.searchRunsPage(experiments.keySet(), request.filter().filter(),
        Math.min(MAX_SEARCH_PAGE, request.maxResults()), request.filter().orderBy(),
        request.pageToken());
    List<RunSummary> runs = new ArrayList<>();
    Map<String, String> ids = new HashMap<>();
    for (JsonNode node : reply.path("runs")) {
      Dto.Run r = api.run("POST runs/search", node);
      Map<String, Metric> latest = new LinkedHashMap<>();
      for (Metric m : r.latestMetrics()) {
        latest.put(m.key(), m);
      }
      RunInfo i = info(r, experiments.getOrDefault(r.experimentId(), r.experimentId()), ids);
      runs.add(new RunSummary(i, r.params(), r.tags(), latest, r.inputs()));
    }
    String token = reply.path("next_page_token").asText(null);
    return new SearchPage(runs, runs.isEmpty() ? null : token);
  }

  private void listArtifacts(String runId, String path, List<String> out, Set<String> seen)
      throws IOException {
    for (Dto.FileInfo f : api.listArtifacts(runId, path)) {
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
        name = api.experiment(experimentId).name();
        experimentNames.put(experimentId, name);
      }
      return name;
    }
  }

  private static String trackerId(Dto.Run r) {
    String id = r.tags().get(MlflowWriter.RUN_ID_TAG);
    return id == null || id.isEmpty() ? r.id() : id;
  }

  /**
   * The run's info in the tracker's ids; {@code ids} maps MLflow ids to tracker ids and learns
   * the parent's.
   */
  private RunInfo info(Dto.Run r, String experimentName, Map<String, String> ids)
      throws IOException {
    // SCHEDULED, a status MLflow may add later, or none: still running as far as anyone knows
    RunStatus status = Arrays.stream(RunStatus.values()).filter(s -> s.name().equals(r.status()))
        .findFirst().orElse(RunStatus.RUNNING);
    String parent = r.tags().get(MlflowWriter.PARENT_TAG);
    if (parent != null) {
      String known = ids.get(parent);
      if (known == null) {
        Optional<Dto.Run> p = api.run(parent);
        known = p.map(MlflowReader::trackerId).orElse(parent);
        ids.put(parent, known);
      }
      parent = known;
    }
    return new RunInfo(trackerId(r), r.name(), r.experimentId(), experimentName, status,
        r.startTime(), r.endTime(), parent);
  }
}
