package dev.tracker.http.testing;

import static dev.tracker.http.testing.Wire.JSON;
import static dev.tracker.http.testing.Wire.keyValues;
import static dev.tracker.http.testing.Wire.obj;
import static dev.tracker.http.testing.Wire.pointJson;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracker.http.testing.FakeMlflowServer.Point;
import dev.tracker.http.testing.Wire.Failure;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the fake server holds: experiments and runs, and the settings that shape how it stores
 * them. Not thread-safe: every access holds the server's lock.
 */
final class Store {
  final InstantSource clock;
  final Map<String, Experiment> experiments = new LinkedHashMap<>();
  final Map<String, RunState> runs = new LinkedHashMap<>();
  /** What the artifact proxy holds outside every run's artifact root, by path. */
  final Map<String, byte[]> otherArtifacts = new LinkedHashMap<>();
  String artifactRoot = "mlflow-artifacts:";
  boolean dedupeMetrics;
  int pageSize = Integer.MAX_VALUE;
  private long nextExperiment = 1;
  private long nextRun = 1;

  /** A store with the "Default" experiment (id 0). */
  Store(InstantSource clock) {
    this.clock = clock;
    experiments.put("0", new Experiment("0", "Default", artifactRoot + "/0", clock.millis()));
  }

  /** Creates an experiment with the next id. */
  String createExperiment(String name) {
    String id = Long.toString(nextExperiment++);
    experiments.put(id, new Experiment(id, name, artifactRoot + "/" + id, clock.millis()));
    return id;
  }

  /** Creates a run with the next id (32 hex characters) in experiment {@code e}. */
  RunState createRun(Experiment e) {
    String id = String.format("%032x", nextRun++);
    RunState r = new RunState(id, e.id, e.artifactLocation + "/" + id + "/artifacts");
    runs.put(id, r);
    return r;
  }

  /** Marks an experiment deleted, and its runs, as MLflow's SQL store does. */
  void deleteExperiment(String id) {
    experiment(id).lifecycle = "deleted";
    runs.values().stream().filter(r -> r.experimentId.equals(id))
        .forEach(r -> r.lifecycle = "deleted");
  }

  /**
   * The run whose artifact root holds {@code path} of the artifact proxy (a path under
   * {@code mlflow-artifacts/artifacts/}), with the path relative to that root; null when no run's
   * root holds it (the proxy stores any path, as the real one does).
   */
  Map.Entry<RunState, String> artifactOwner(String path) {
    for (RunState r : runs.values()) {
      String root = r.artifactUri.startsWith("mlflow-artifacts:") ? r.artifactUri
          .substring(17).replaceFirst("^//[^/]*", "").replaceAll("^/+|/+$", "") : null;
      if (root != null && (path.equals(root) || path.startsWith(root + "/"))) {
        return Map.entry(r, path.substring(Math.min(path.length(), root.length() + 1)));
      }
    }
    return null;
  }

  /** The experiment with this id, or MLflow's 404. */
  Experiment experiment(String id) {
    Experiment e = experiments.get(id);
    if (e == null) {
      throw new Failure(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + id
          + " exists");
    }
    return e;
  }

  /** The run with this id, or MLflow's 404. */
  RunState state(String id) {
    RunState r = id == null ? null : runs.get(id);
    if (r == null) {
      throw new Failure(404, "RESOURCE_DOES_NOT_EXIST", "Run with id=" + id + " not found");
    }
    return r;
  }

  /**
   * Adds a metric point to a run, unless the store drops duplicates and holds it already. The
   * value is kept as MLflow's SQL store keeps it ({@code sanitize_metric_value}): the infinities
   * as the largest finite doubles, which SQL can hold; and -0.0 as 0.0, as it comes back.
   */
  void addPoint(RunState r, Point received) {
    double v = received.value();
    Point p = Double.isInfinite(v) || v == 0 ? new Point(received.key(),
        Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, v)) + 0.0, received.timestamp(),
        received.step()) : received;
    if (dedupeMetrics && r.metrics.contains(p)) {
      return;
    }
    r.metrics.add(p);
  }

  static final class Experiment {
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

  static final class RunState {
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
    /** {@code DatasetInput}s as stored: {@code {"dataset": {...}, "tags": [...]}}. */
    final List<ObjectNode> inputs = new ArrayList<>();

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
        if (old == null || isLater(p, old)) {
          latest.put(p.key(), p);
        }
      }
      ArrayNode m = JSON.createArrayNode();
      latest.values().forEach(p -> m.add(pointJson(p)));
      data.set("metrics", m);
      data.set("params", keyValues(params));
      data.set("tags", keyValues(tags));
      run.set("data", data);
      run.set("inputs", InputsEndpoint.inputsJson(inputs));
      return run;
    }

    /**
     * MLflow's SQL store ({@code _update_latest_metrics_if_necessary}): a point is later when its
     * (step, timestamp, value) is greater, the value as stored: NaN as 0, the infinities as the
     * largest doubles. Equal points keep the first.
     */
    static boolean isLater(Point a, Point b) {
      if (a.step() != b.step()) {
        return a.step() > b.step();
      }
      if (a.timestamp() != b.timestamp()) {
        return a.timestamp() > b.timestamp();
      }
      return stored(a.value()) > stored(b.value());
    }

    private static double stored(double v) {
      return Double.isNaN(v) ? 0 : Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, v));
    }

    FakeMlflowServer.Run copy() {
      return new FakeMlflowServer.Run(id, experimentId, name, status, startTime, endTime,
          new LinkedHashMap<>(params), new LinkedHashMap<>(tags), new ArrayList<>(metrics),
          new LinkedHashMap<>(artifacts));
    }
  }
}
