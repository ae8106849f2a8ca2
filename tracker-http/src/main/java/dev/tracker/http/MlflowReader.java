package dev.tracker.http;

import dev.tracker.ExperimentInfo;
import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.spi.SearchPage;
import dev.tracker.spi.SearchRequest;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import okhttp3.OkHttpClient;

/**
 * Reads experiments and runs back from an MLflow server, answering in the tracker's run ids
 * (the {@code tracker.runId} tag) where runs have one. One attempt per request: a reader that
 * meets a failure reports it at once.
 */
final class MlflowReader {
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

  Optional<RunData> readRun(String runId) throws IOException {
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
      metrics.addAll(api.metricHistory(r.id(), key));
    }
    List<String> artifacts = new ArrayList<>();
    listArtifacts(r.id(), null, artifacts, new HashSet<>());
    Map<String, String> ids = new HashMap<>();
    ids.put(r.id(), trackerId(r));
    RunInfo info = info(r, experimentName(r.experimentId()), ids);
    Map<String, String> tags = new LinkedHashMap<>(r.tags());
    if (info.parentRunId() != null) {
      tags.put(MlflowWriter.PARENT_TAG, info.parentRunId());
    }
    return Optional.of(new RunData(info, r.params(), tags, metrics, artifacts));
  }

  /** Reads a metric's history by the tracker's id or the run's MLflow id, every page. */
  List<Metric> metricHistory(String runId, String key) throws IOException {
    String id = writer.serverRunId(runId).orElse(null);
    if (id == null) {
      Optional<Dto.Run> r = findRun(runId);
      if (r.isEmpty()) {
        return List.of();
      }
      id = r.get().id();
    }
    return api.metricHistory(id, key);
  }

  /** Reads an artifact through the server's artifact proxy, by the tracker's or MLflow's id. */
  InputStream openArtifact(OkHttpClient client, String runId, String artifactPath)
      throws IOException {
    Dto.Run r = findRun(runId).orElseThrow(() -> new FileNotFoundException("no run " + runId
        + " in " + api.rest().server()));
    return ArtifactDownload.open(client, api.rest().base(), r, artifactPath);
  }

  /** Searches on the server: {@code runs/search} with the filter and order as given. */
  SearchPage search(SearchRequest request) throws IOException {
    return new ServerSearch(api, this::info).search(request);
  }

  /** The server's run, by the tracker's id or the run's MLflow id. */
  Optional<Dto.Run> findRun(String runId) throws IOException {
    Optional<String> known = writer.serverRunId(runId);
    if (known.isPresent()) {
      Optional<Dto.Run> r = api.run(known.get());
      if (r.isPresent()) {
        return r;
      }
    }
    return writer.findRun(runId);
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
    RunStatus status;
    try {
      status = r.status() == null || "SCHEDULED".equals(r.status()) ? RunStatus.RUNNING
          : RunStatus.valueOf(r.status());
    } catch (IllegalArgumentException unknown) {
      status = RunStatus.RUNNING;
    }
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
