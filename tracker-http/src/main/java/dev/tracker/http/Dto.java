package dev.tracker.http;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tracker.DatasetInput;
import dev.tracker.Metric;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The MLflow wire objects, as records, and the one {@link ObjectMapper} of the module, which maps
 * them to MLflow's JSON: snake_case names, null fields left out, unknown fields ignored, int64
 * read as numbers or strings, NaN and the infinities written as the strings {@code "NaN"}, {@code
 * "Infinity"}, {@code "-Infinity"} (Jackson's defaults) and read back from them.
 */
final class Dto {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  private Dto() {}

  /** The JSON of a value. */
  static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // records of strings and numbers always serialize
    }
  }

  /** An experiment ({@code mlflow.Experiment}). */
  record Experiment(@JsonProperty("experiment_id") String id, String name, String lifecycleStage,
      long creationTime) {
    boolean isDeleted() {
      return "deleted".equalsIgnoreCase(lifecycleStage);
    }
  }

  /**
   * A run ({@code mlflow.Run}): its info and data in one record. {@code lifecycleStage} is
   * {@code "deleted"} for a run in the server's trash ({@code runs/delete}), which {@code
   * runs/get} still returns.
   */
  record Run(String id, String experimentId, String name, String status, long startTime,
      long endTime, String artifactUri, Map<String, String> params, Map<String, String> tags,
      List<Metric> latestMetrics, List<DatasetInput> inputs, String lifecycleStage) {
    @JsonCreator
    static Run of(@JsonProperty("info") Info info, @JsonProperty("data") Data data,
        @JsonProperty("inputs") MlflowInputs.Inputs inputs) {
      Info i = info != null ? info : new Info(null, null, null, null, null, 0, 0, null, null);
      Data d = data != null ? data : new Data(null, null, null);
      Map<String, String> tags = KeyValue.map(d.tags());
      String name = i.runName() == null || i.runName().isEmpty() ? tags.get("mlflow.runName")
          : i.runName();
      return new Run(i.runId() != null ? i.runId() : i.runUuid(), i.experimentId(), name,
          i.status(), i.startTime(), i.endTime(), i.artifactUri(), KeyValue.map(d.params()), tags,
          d.metrics() == null ? List.of() : d.metrics().stream().filter(Objects::nonNull)
              .map(Dto::logged).toList(), MlflowInputs.read(inputs), i.lifecycleStage());
    }

    boolean isDeleted() {
      return "deleted".equalsIgnoreCase(lifecycleStage);
    }
  }

  /**
   * A metric point as it was logged. MLflow's SQL store keeps an infinity as the largest finite
   * double, which SQL can hold ({@code sanitize_metric_value}), and answers that: it is read
   * back as the infinity, as the file backend keeps it.
   */
  static Metric logged(Metric m) {
    double v = m.value();
    return Math.abs(v) != Double.MAX_VALUE ? m : new Metric(m.key(),
        v > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY, m.timestamp(), m.step());
  }

  /** A run's {@code info}; {@code run_uuid} is what servers before MLflow 1.0 send. */
  record Info(String runId, String runUuid, String experimentId, String runName, String status,
      long startTime, long endTime, String artifactUri, String lifecycleStage) {}

  /** A run's {@code data}: params, tags and the latest value of each metric. */
  record Data(List<KeyValue> params, List<KeyValue> tags, List<Metric> metrics) {}

  /** A param or tag. */
  record KeyValue(String key, String value) {
    /** The pairs as an ordered map: a missing value reads as "", a pair without key is left out. */
    static Map<String, String> map(List<KeyValue> pairs) {
      Map<String, String> out = new LinkedHashMap<>();
      for (KeyValue kv : pairs == null ? List.<KeyValue>of() : pairs) {
        if (kv != null && kv.key() != null) {
          out.put(kv.key(), kv.value() == null ? "" : kv.value());
        }
      }
      return out;
    }
  }

  /** An artifact listing entry ({@code mlflow.FileInfo}). */
  record FileInfo(String path, @JsonProperty("is_dir") boolean dir, long fileSize) {}

  /** An error reply: {@code {"error_code": …, "message": …}}. */
  record Error(String errorCode, String message) {}

  /** The body of {@code experiments/search}. */
  record SearchExperiments(int maxResults, String pageToken) {}

  /** The body of {@code runs/create}: {@code start_time} is always sent, or the server records 0. */
  record CreateRun(String experimentId, String runName, long startTime, List<KeyValue> tags) {}

  /** The body of {@code runs/update}; a null end time is left out. */
  record UpdateRun(String runId, String status, Long endTime) {}

  /** The body of {@code runs/search}; null fields are left out. */
  record SearchRuns(Collection<String> experimentIds, String filter, int maxResults,
      List<String> orderBy, String pageToken, String runViewType) {}

  /** The body of {@code runs/log-batch}, its records already encoded; empty sections are null. */
  record LogBatch(String runId, List<RawValue> metrics, List<RawValue> params,
      List<RawValue> tags) {}
}
