package dev.tracker.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.spi.Batch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One write operation, as the dispatcher hands it over and as a spool journal line stores it.
 * {@code run} is always the tracker's run id; {@code serverRun} the MLflow run id when it was
 * known when the operation was spooled.
 */
sealed interface Op {
  /** The tracker's id of the run. */
  String run();

  /** Creates (or, with {@code resume}, attaches to) a run. */
  record CreateRun(String run, String experimentId, String experimentName, String runName,
      long startTime, Map<String, String> tags, String parent, boolean resume) implements Op {}

  /** A batch of records. */
  record LogBatch(String run, String serverRun, Batch batch) implements Op {}

  /** A file to upload; in a journal, {@code file} is a copy inside the session folder. */
  record LogArtifact(String run, String serverRun, Path file, String path) implements Op {}

  /** The end of a run. */
  record EndRun(String run, String serverRun, RunStatus status, long endTime) implements Op {}

  /** The first line of a journal: what wrote it; skipped when delivering. */
  record Header(String run, int format, String server, long created) implements Op {}

  /** The format version written in a journal's header line. */
  int FORMAT = 1;

  /** The op as one JSON object (no line break); an artifact's file as {@code fileName}. */
  static byte[] encode(Op op, String fileName) {
    return Json.write(g -> {
      g.writeStartObject();
      if (op instanceof Header h) {
        g.writeStringField("op", "session");
        g.writeNumberField("format", h.format());
        g.writeStringField("server", h.server());
        g.writeNumberField("created", h.created());
      } else if (op instanceof CreateRun c) {
        g.writeStringField("op", "create_run");
        g.writeStringField("run", c.run());
        optional(g, "experiment_id", c.experimentId());
        g.writeStringField("experiment_name", c.experimentName());
        optional(g, "run_name", c.runName());
        g.writeNumberField("start_time", c.startTime());
        g.writeObjectFieldStart("tags");
        for (Map.Entry<String, String> t : new TreeMap<>(c.tags()).entrySet()) {
          g.writeStringField(t.getKey(), t.getValue());
        }
        g.writeEndObject();
        optional(g, "parent", c.parent());
        g.writeBooleanField("resume", c.resume());
      } else if (op instanceof LogBatch b) {
        g.writeStringField("op", "log_batch");
        g.writeStringField("run", b.run());
        optional(g, "server_run", b.serverRun());
        g.writeArrayFieldStart("metrics");
        for (Metric m : b.batch().metrics()) {
          Json.writeMetric(g, m);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("params");
        for (Param p : b.batch().params()) {
          Json.writeKeyValue(g, p.key(), p.value());
        }
        g.writeEndArray();
        g.writeArrayFieldStart("tags");
        for (Tag t : b.batch().tags()) {
          Json.writeKeyValue(g, t.key(), t.value());
        }
        g.writeEndArray();
      } else if (op instanceof LogArtifact a) {
        g.writeStringField("op", "log_artifact");
        g.writeStringField("run", a.run());
        optional(g, "server_run", a.serverRun());
        g.writeStringField("path", a.path());
        g.writeStringField("file", fileName);
      } else if (op instanceof EndRun e) {
        g.writeStringField("op", "end_run");
        g.writeStringField("run", e.run());
        optional(g, "server_run", e.serverRun());
        g.writeStringField("status", e.status().name());
        g.writeNumberField("end_time", e.endTime());
      }
      g.writeEndObject();
    });
  }

  /**
   * Reads a journal line.
   *
   * @param sessionDir the session folder, against which artifact files are resolved
   * @throws IllegalArgumentException when the line is not an op of a known kind
   */
  static Op decode(JsonNode n, Path sessionDir) {
    String kind = Json.text(n, "op");
    if (kind == null) {
      throw new IllegalArgumentException("journal line has no 'op'");
    }
    String run = Json.text(n, "run");
    String serverRun = Json.text(n, "server_run");
    switch (kind) {
      case "session":
        return new Header(null, (int) Json.int64(n, "format", 1), Json.text(n, "server"),
            Json.int64(n, "created", 0));
      case "create_run": {
        Map<String, String> tags = new LinkedHashMap<>();
        n.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        return new CreateRun(require(run, "run"), Json.text(n, "experiment_id"),
            require(Json.text(n, "experiment_name"), "experiment_name"), Json.text(n, "run_name"),
            Json.int64(n, "start_time", 0), tags, Json.text(n, "parent"),
            n.path("resume").asBoolean(false));
      }
      case "log_batch": {
        List<Metric> metrics = new ArrayList<>();
        for (JsonNode m : n.path("metrics")) {
          metrics.add(Json.metric(m));
        }
        List<Param> params = new ArrayList<>();
        Json.keyValues(n, "params").forEach((k, v) -> params.add(new Param(k, v)));
        List<Tag> tags = new ArrayList<>();
        for (JsonNode t : n.path("tags")) {
          tags.add(new Tag(Json.text(t, "key"), Json.text(t, "value")));
        }
        return new LogBatch(require(run, "run"), serverRun, new Batch(metrics, params, tags));
      }
      case "log_artifact":
        return new LogArtifact(require(run, "run"), serverRun,
            sessionDir.resolve(require(Json.text(n, "file"), "file")),
            require(Json.text(n, "path"), "path"));
      case "end_run":
        return new EndRun(require(run, "run"), serverRun,
            RunStatus.valueOf(require(Json.text(n, "status"), "status")),
            Json.int64(n, "end_time", 0));
      default:
        throw new IllegalArgumentException("unknown journal op '" + kind + "'");
    }
  }

  private static String require(String value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("journal line has no '" + field + "'");
    }
    return value;
  }

  private static void optional(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }
}
