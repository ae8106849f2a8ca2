package dev.tracker.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.DatasetInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Dataset inputs on an MLflow server: {@code runs/log-inputs} to record them, {@code
 * run.inputs.dataset_inputs} of {@code runs/get} and {@code runs/search} to read them back.
 *
 * <p>Each input is a {@code DatasetInput}: a {@code Dataset} ({@code name}, {@code digest},
 * {@code source_type}, and {@code source}, {@code schema}, {@code profile} as JSON strings)
 * and the input tag {@value #CONTEXT_TAG}. The source is MLflow's {@code {"uri": …}} ({@code
 * {"url": …}} for an http source, as MLflow's {@code HTTPDatasetSource} writes it); the profile
 * holds what MLflow has no field for: <code>{"size": bytes, "files": count, "dvc_md5": …}</code>.
 */
final class MlflowInputs {
  /** MLflow's input tag naming what a data set was used for. */
  static final String CONTEXT_TAG = "mlflow.data.context";
  /** The most data sets one request may hold (MLflow's {@code MAX_DATASETS_PER_BATCH}). */
  static final int MAX_DATASETS = 1000;

  private MlflowInputs() {}

  /** A run's {@code inputs}: what {@code runs/get} and {@code runs/search} return. */
  record Inputs(List<Input> datasetInputs) {}

  /** A {@code DatasetInput}: the data set and its input tags. */
  record Input(Dataset dataset, List<Dto.KeyValue> tags) {}

  /** A {@code Dataset}; {@code source}, {@code schema} and {@code profile} are JSON strings. */
  record Dataset(String name, String digest, String sourceType, String source, String schema,
      String profile) {}

  /** What MLflow has no field for, in the profile; absent values are left out. */
  record Profile(Long size, Long files, @JsonProperty("dvc_md5") String dvcMd5) {}

  /** The body of {@code runs/log-inputs}. */
  record LogInputs(String runId, List<Input> datasets) {}

  /**
   * Sends the inputs of a run this backend created (or finds on the server), at most {@value
   * #MAX_DATASETS} a request: a server refuses a request with more (a run synced with its
   * inputs at once).
   */
  static void log(MlflowApi api, MlflowWriter writer, String run, List<DatasetInput> inputs)
      throws IOException {
    MlflowWriter.RunRef ref = writer.created(run, "its " + inputs.size() + " dataset inputs");
    for (int from = 0; from < inputs.size(); from += MAX_DATASETS) {
      List<DatasetInput> part = inputs.subList(from, Math.min(inputs.size(), from + MAX_DATASETS));
      MlflowWriter.classified(() -> api.rest().post("runs/log-inputs", body(ref.serverId, part)));
    }
  }

  /** The {@code runs/log-inputs} body. */
  static LogInputs body(String serverRunId, List<DatasetInput> inputs) {
    List<Input> out = new ArrayList<>();
    for (DatasetInput in : inputs) {
      String source = json(Map.of(in.sourceType().equals("http") ? "url" : "uri", in.source()));
      Profile p = new Profile(in.size() >= 0 ? in.size() : null,
          in.fileCount() >= 0 ? in.fileCount() : null, in.dvcMd5());
      String profile = p.size() == null && p.files() == null && p.dvcMd5() == null ? null
          : json(p);
      out.add(new Input(new Dataset(in.name(), in.digest(), in.sourceType(), source, in.schema(),
          profile), List.of(new Dto.KeyValue(CONTEXT_TAG, in.context()))));
    }
    return new LogInputs(serverRunId, out);
  }

  /**
   * The inputs of a run's {@code inputs} object, as MLflow returns it. Fields the server left
   * empty read as unknown: no digest, size and file count -1, an empty context.
   */
  static List<DatasetInput> read(Inputs inputs) {
    List<DatasetInput> out = new ArrayList<>();
    if (inputs == null || inputs.datasetInputs() == null) {
      return out;
    }
    for (Input input : inputs.datasetInputs()) {
      if (input == null) {
        continue;
      }
      Dataset d = input.dataset() != null ? input.dataset()
          : new Dataset(null, null, null, null, null, null);
      String context = Dto.KeyValue.map(input.tags()).getOrDefault(CONTEXT_TAG, "");
      String sourceText = orEmpty(d.source());
      JsonNode source = parseOrMissing(sourceText);
      String where = source.hasNonNull("uri") ? source.get("uri").asText()
          : source.hasNonNull("url") ? source.get("url").asText() : sourceText;
      Profile profile = parse(d.profile());
      out.add(new DatasetInput(orEmpty(d.name()),
          d.digest() == null || d.digest().isEmpty() ? null : d.digest(),
          orEmpty(d.sourceType()), where, context,
          profile.size() != null ? profile.size() : -1,
          profile.files() != null ? profile.files() : -1, d.schema(), profile.dvcMd5()));
    }
    return out;
  }

  private static String json(Object value) {
    return new String(Dto.bytes(value), StandardCharsets.UTF_8);
  }

  private static Profile parse(String text) {
    try {
      return text == null || text.isEmpty() ? new Profile(null, null, null)
          : Dto.MAPPER.readValue(text, Profile.class);
    } catch (IOException notJson) {
      return new Profile(null, null, null);
    }
  }

  private static JsonNode parseOrMissing(String text) {
    try {
      return text.isEmpty() ? Dto.MAPPER.missingNode() : Dto.MAPPER.readTree(text);
    } catch (IOException notJson) {
      return Dto.MAPPER.missingNode();
    }
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
