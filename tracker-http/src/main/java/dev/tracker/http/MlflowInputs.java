package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.DatasetInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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

  private MlflowInputs() {}

  /** Sends the inputs of a run this backend created (or finds on the server). */
  static void log(MlflowApi api, MlflowWriter writer, String run, List<DatasetInput> inputs)
      throws IOException {
    MlflowWriter.RunRef ref = writer.created(run, "its " + inputs.size() + " dataset inputs");
    try {
      api.rest().post("runs/log-inputs", body(ref.serverId, inputs));
    } catch (MlflowServerException e) {
      throw MlflowWriter.classify(e);
    }
  }

  /** The {@code runs/log-inputs} body. */
  static byte[] body(String serverRunId, List<DatasetInput> inputs) {
    return Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("run_id", serverRunId);
      g.writeArrayFieldStart("datasets");
      for (DatasetInput in : inputs) {
        g.writeStartObject();
        g.writeObjectFieldStart("dataset");
        g.writeStringField("name", in.name());
        if (in.digest() != null) {
          g.writeStringField("digest", in.digest());
        }
        g.writeStringField("source_type", in.sourceType());
        g.writeStringField("source", jsonText(s -> {
          s.writeStartObject();
          s.writeStringField(in.sourceType().equals("http") ? "url" : "uri", in.source());
          s.writeEndObject();
        }));
        if (in.schema() != null) {
          g.writeStringField("schema", in.schema());
        }
        if (in.size() >= 0 || in.fileCount() >= 0 || in.dvcMd5() != null) {
          g.writeStringField("profile", jsonText(p -> {
            p.writeStartObject();
            if (in.size() >= 0) {
              p.writeNumberField("size", in.size());
            }
            if (in.fileCount() >= 0) {
              p.writeNumberField("files", in.fileCount());
            }
            if (in.dvcMd5() != null) {
              p.writeStringField("dvc_md5", in.dvcMd5());
            }
            p.writeEndObject();
          }));
        }
        g.writeEndObject();
        g.writeArrayFieldStart("tags");
        Json.writeKeyValue(g, CONTEXT_TAG, in.context());
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  /**
   * The inputs of a run's {@code inputs} object, as MLflow returns it. Fields the server left
   * empty read as unknown: no digest, size and file count -1, an empty context.
   */
  static List<DatasetInput> read(JsonNode inputs) {
    List<DatasetInput> out = new ArrayList<>();
    for (JsonNode input : inputs.path("dataset_inputs")) {
      JsonNode d = input.path("dataset");
      String context = "";
      for (JsonNode tag : input.path("tags")) {
        if (CONTEXT_TAG.equals(Json.text(tag, "key"))) {
          context = orEmpty(Json.text(tag, "value"));
        }
      }
      String sourceText = orEmpty(Json.text(d, "source"));
      JsonNode source = parseOrMissing(sourceText);
      String where = Json.text(source, "uri") != null ? Json.text(source, "uri")
          : Json.text(source, "url");
      JsonNode profile = parseOrMissing(Json.text(d, "profile"));
      String digest = Json.text(d, "digest");
      out.add(new DatasetInput(orEmpty(Json.text(d, "name")),
          digest == null || digest.isEmpty() ? null : digest,
          orEmpty(Json.text(d, "source_type")), where != null ? where : sourceText, context,
          Json.int64(profile, "size", -1), Json.int64(profile, "files", -1),
          Json.text(d, "schema"), Json.text(profile, "dvc_md5")));
    }
    return out;
  }

  private static String jsonText(Json.Body body) {
    return new String(Json.write(body), StandardCharsets.UTF_8);
  }

  private static JsonNode parseOrMissing(String text) {
    if (text == null || text.isEmpty()) {
      return Json.MAPPER.missingNode();
    }
    try {
      return Json.parse(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException notJson) {
      return Json.MAPPER.missingNode();
    }
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
