package dev.tracker.http;

import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.Tag;
import dev.tracker.spi.Batch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits batches into {@code runs/log-batch} requests within MLflow's limits (validation.py):
 * at most 1000 metrics, 100 params, 100 tags, 1000 entities and 1,000,000 bytes of body per
 * request, and never two params with one key in a request.
 */
final class Wire {
  static final int MAX_METRICS = 1000;
  static final int MAX_PARAMS = 100;
  static final int MAX_TAGS = 100;
  static final int MAX_ENTITIES = 1000;
  static final int MAX_BODY_BYTES = 1_000_000;

  private static final byte[] METRICS_OPEN = bytes(",\"metrics\":[");
  private static final byte[] PARAMS_OPEN = bytes(",\"params\":[");
  private static final byte[] TAGS_OPEN = bytes(",\"tags\":[");

  private Wire() {}

  enum Kind {
    METRIC("metric"), PARAM("param"), TAG("tag");

    final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  /**
   * One record of a batch, already encoded.
   *
   * @param index its position in the batch, counted metrics first, then params, then tags
   */
  record Entity(Kind kind, String key, String value, byte[] json, int index) {}

  /**
   * The records of a batch in sending order: metrics, params, then tags; of several tags with
   * one key only the last (the one that wins) is kept.
   */
  static List<Entity> entities(Batch batch) {
    List<Entity> out = new ArrayList<>(batch.size());
    List<Metric> metrics = batch.metrics();
    for (int i = 0; i < metrics.size(); i++) {
      Metric m = metrics.get(i);
      out.add(new Entity(Kind.METRIC, m.key(), null, Json.write(g -> Json.writeMetric(g, m)),
          i));
    }
    int at = metrics.size();
    for (Param p : batch.params()) {
      out.add(new Entity(Kind.PARAM, p.key(), p.value(),
          Json.write(g -> Json.writeKeyValue(g, p.key(), p.value())), at++));
    }
    Map<String, Integer> lastTag = new HashMap<>();
    List<Tag> tags = batch.tags();
    for (int i = 0; i < tags.size(); i++) {
      lastTag.put(tags.get(i).key(), i);
    }
    for (int i = 0; i < tags.size(); i++) {
      Tag t = tags.get(i);
      if (lastTag.get(t.key()) == i) {
        out.add(new Entity(Kind.TAG, t.key(), t.value(),
            Json.write(g -> Json.writeKeyValue(g, t.key(), t.value())), at + i));
      }
    }
    return out;
  }

  /** Splits entities, in order, into requests within the server's limits. */
  static List<List<Entity>> chunks(String runId, List<Entity> entities) {
    int header = header(runId).length + 1; // and the closing brace
    List<List<Entity>> out = new ArrayList<>();
    List<Entity> current = new ArrayList<>();
    Set<String> paramKeys = new HashSet<>();
    int metrics = 0;
    int params = 0;
    int tags = 0;
    long size = header;
    for (Entity e : entities) {
      long grow = e.json().length + 1 + sectionCost(e.kind(), metrics, params, tags);
      boolean full = current.size() >= MAX_ENTITIES
          || (e.kind() == Kind.METRIC && metrics >= MAX_METRICS)
          || (e.kind() == Kind.PARAM && (params >= MAX_PARAMS || paramKeys.contains(e.key())))
          || (e.kind() == Kind.TAG && tags >= MAX_TAGS)
          || size + grow > MAX_BODY_BYTES;
      if (full && !current.isEmpty()) {
        out.add(current);
        current = new ArrayList<>();
        paramKeys.clear();
        metrics = 0;
        params = 0;
        tags = 0;
        size = header;
        grow = e.json().length + 1 + sectionCost(e.kind(), 0, 0, 0);
      }
      current.add(e);
      size += grow;
      switch (e.kind()) {
        case METRIC -> metrics++;
        case PARAM -> {
          params++;
          paramKeys.add(e.key());
        }
        case TAG -> tags++;
        default -> throw new IllegalStateException(e.kind().toString());
      }
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  // Every entity is counted with one separator byte; a section's n entities need n-1 commas and
  // a closing ']', so opening a section costs just its opening bytes.
  private static int sectionCost(Kind kind, int metrics, int params, int tags) {
    return switch (kind) {
      case METRIC -> metrics == 0 ? METRICS_OPEN.length : 0;
      case PARAM -> params == 0 ? PARAMS_OPEN.length : 0;
      case TAG -> tags == 0 ? TAGS_OPEN.length : 0;
    };
  }

  /**
   * The body of one {@code runs/log-batch} request: {@code {"run_id":…,"metrics":[…],
   * "params":[…],"tags":[…]}}, empty sections left out.
   */
  static byte[] body(String runId, List<Entity> chunk) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(header(runId));
    for (Kind kind : Kind.values()) {
      boolean first = true;
      for (Entity e : chunk) {
        if (e.kind() != kind) {
          continue;
        }
        if (first) {
          out.writeBytes(switch (kind) {
            case METRIC -> METRICS_OPEN;
            case PARAM -> PARAMS_OPEN;
            case TAG -> TAGS_OPEN;
          });
          first = false;
        } else {
          out.write(',');
        }
        out.writeBytes(e.json());
      }
      if (!first) {
        out.write(']');
      }
    }
    out.write('}');
    return out.toByteArray();
  }

  private static byte[] header(String runId) {
    byte[] id = Json.write(g -> g.writeString(runId));
    byte[] start = bytes("{\"run_id\":");
    byte[] out = new byte[start.length + id.length];
    System.arraycopy(start, 0, out, 0, start.length);
    System.arraycopy(id, 0, out, start.length, id.length);
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
