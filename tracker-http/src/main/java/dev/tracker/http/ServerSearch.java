package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.Metric;
import dev.tracker.RunInfo;
import dev.tracker.RunSummary;
import dev.tracker.spi.SearchPage;
import dev.tracker.spi.SearchRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run search done by the server: one {@code runs/search} request per page, with the filter and
 * {@code order_by} clauses exactly as the user wrote them, so that the server's evaluation (which
 * {@link dev.tracker.spi.RunFilter} follows) decides. Experiment names become ids first; a name
 * the server does not know has no runs.
 */
final class ServerSearch {
  /** The most runs MLflow answers per page. */
  static final int MAX_PAGE = 50_000;

  /** Turns a server's run into the tracker's info (tracker ids where the runs have them). */
  @FunctionalInterface
  interface Info {
    RunInfo of(Dto.Run run, String experimentName, Map<String, String> ids) throws IOException;
  }

  private final MlflowApi api;
  private final Info info;

  ServerSearch(MlflowApi api, Info info) {
    this.api = api;
    this.info = info;
  }

  /** One page of runs, as the server ordered them. */
  SearchPage search(SearchRequest request) throws IOException {
    Map<String, String> experiments = new LinkedHashMap<>();
    if (request.experimentNames().isEmpty()) {
      for (Dto.Experiment e : api.searchExperiments()) {
        if (!e.isDeleted()) {
          experiments.put(e.id(), e.name());
        }
      }
    } else {
      for (String name : request.experimentNames()) {
        Optional<Dto.Experiment> e = api.experimentByName(name);
        e.ifPresent(x -> experiments.put(x.id(), x.name()));
      }
    }
    if (experiments.isEmpty()) {
      return new SearchPage(List.of(), null);
    }
    JsonNode reply = api.searchRunsPage(experiments.keySet(), request.filter().filter(),
        Math.min(MAX_PAGE, request.maxResults()), request.filter().orderBy(),
        request.pageToken());
    List<RunSummary> runs = new ArrayList<>();
    Map<String, String> ids = new HashMap<>();
    for (JsonNode node : reply.path("runs")) {
      Dto.Run r = Dto.Run.from(node);
      Map<String, Metric> latest = new LinkedHashMap<>();
      for (Metric m : r.latestMetrics()) {
        latest.put(m.key(), m);
      }
      RunInfo i = info.of(r, experiments.getOrDefault(r.experimentId(), r.experimentId()), ids);
      runs.add(new RunSummary(i, r.params(), r.tags(), latest, r.inputs()));
    }
    String token = Json.text(reply, "next_page_token");
    return new SearchPage(runs, runs.isEmpty() ? null : token);
  }
}
