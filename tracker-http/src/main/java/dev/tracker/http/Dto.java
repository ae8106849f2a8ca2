package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.DatasetInput;
import dev.tracker.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The MLflow wire objects this backend reads, decoded leniently from JSON trees. */
final class Dto {
  private Dto() {}

  /** An experiment ({@code mlflow.Experiment}). */
  record Experiment(String id, String name, String artifactLocation, String lifecycleStage,
      long creationTime) {
    static Experiment from(JsonNode e) {
      return new Experiment(Json.text(e, "experiment_id"), Json.text(e, "name"),
          Json.text(e, "artifact_location"), Json.text(e, "lifecycle_stage"),
          Json.int64(e, "creation_time", 0));
    }

    boolean isDeleted() {
      return "deleted".equalsIgnoreCase(lifecycleStage);
    }
  }

  /** A run ({@code mlflow.Run}): info and data. */
  record Run(String id, String experimentId, String name, String status, long startTime,
      long endTime, String artifactUri, String lifecycleStage, Map<String, String> params,
      Map<String, String> tags, List<Metric> latestMetrics, List<DatasetInput> inputs) {
    static Run from(JsonNode run) {
      JsonNode info = run.path("info");
      JsonNode data = run.path("data");
      String id = Json.text(info, "run_id");
      if (id == null) {
        id = Json.text(info, "run_uuid");
      }
      Map<String, String> tags = Json.keyValues(data, "tags");
      String name = Json.text(info, "run_name");
      if (name == null || name.isEmpty()) {
        name = tags.get("mlflow.runName");
      }
      List<Metric> latest = new ArrayList<>();
      JsonNode metrics = data.get("metrics");
      if (metrics != null && metrics.isArray()) {
        for (JsonNode m : metrics) {
          latest.add(Json.metric(m));
        }
      }
      return new Run(id, Json.text(info, "experiment_id"), name, Json.text(info, "status"),
          Json.int64(info, "start_time", 0), Json.int64(info, "end_time", 0),
          Json.text(info, "artifact_uri"), Json.text(info, "lifecycle_stage"),
          Json.keyValues(data, "params"), tags, latest, MlflowInputs.read(run.path("inputs")));
    }
  }

  /** An artifact listing entry ({@code mlflow.FileInfo}). */
  record FileInfo(String path, boolean dir, long size) {
    static FileInfo from(JsonNode f) {
      JsonNode isDir = f.get("is_dir");
      return new FileInfo(Json.text(f, "path"), isDir != null && isDir.asBoolean(),
          Json.int64(f, "file_size", 0));
    }
  }
}
