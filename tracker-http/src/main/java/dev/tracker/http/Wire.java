package dev.tracker.http;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.tracker.spi.Batch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits batches into {@code runs/log-batch} requests within MLflow's limits (validation.py):
 * at most 1000 metrics, 100 params, 100 tags, 1000 entities and 1,000,000 bytes of body per
 * request. A batch never holds two params with one key ({@link Batch}).
 */
final class Wire {
  static final int MAX_ENTITIES = 1000;
  static final int MAX_BODY_BYTES = 1_000_000;

  private Wire() {}

  enum Kind {
    METRIC("metric", 1000), PARAM("param", 100), TAG("tag", 100);

    final String word;
    final int max;

    Kind(String word, int max) {
      this.word = word;
      this.max = max;
    }

    /** The bytes that open this kind's section of a body: {@code ,"metrics":[}. */
    int openBytes() {
      return word.length() + 6;
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
    int at = 0;
    for (var m : batch.metrics()) {
      out.add(new Entity(Kind.METRIC, m.key(), null, Dto.bytes(m), at++));
    }
    for (var p : batch.params()) {
      out.add(new Entity(Kind.PARAM, p.key(), p.value(), Dto.bytes(p), at++));
    }
    Map<String, Integer> lastTag = new HashMap<>();
    for (int i = 0; i < batch.tags().size(); i++) {
      lastTag.put(batch.tags().get(i).key(), i);
    }
    for (int i = 0; i < batch.tags().size(); i++) {
      var t = batch.tags().get(i);
      if (lastTag.get(t.key()) == i) {
        out.add(new Entity(Kind.TAG, t.key(), t.value(), Dto.bytes(t), at + i));
      }
    }
    return out;
  }

  /** Splits entities, in order, into requests within the server's limits. */
  static List<List<Entity>> chunks(String runId, List<Entity> entities) {
    int header = header(runId) + 1; // and the closing brace
    List<List<Entity>> out = new ArrayList<>();
    List<Entity> current = new ArrayList<>();
    Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    long size = header;
    for (Entity e : entities) {
      int count = counts.getOrDefault(e.kind(), 0);
      if (!current.isEmpty() && (current.size() >= MAX_ENTITIES || count >= e.kind().max
          || size + cost(e, count) > MAX_BODY_BYTES)) {
        out.add(current);
        current = new ArrayList<>();
        counts.clear();
        count = 0;
        size = header;
      }
      current.add(e);
      size += cost(e, count);
      counts.put(e.kind(), count + 1);
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  // Every entity is counted with one separator byte; a section's n entities need n-1 commas and
  // a closing ']', so opening a section costs just its opening bytes.
  private static long cost(Entity e, int countOfItsKind) {
    return e.json().length + 1 + (countOfItsKind == 0 ? e.kind().openBytes() : 0);
  }

  /**
   * The body of one {@code runs/log-batch} request: {@code {"run_id":…,"metrics":[…],
   * "params":[…],"tags":[…]}}, empty sections left out.
   */
  static byte[] body(String runId, List<Entity> chunk) {
    Map<Kind, List<RawValue>> sections = new EnumMap<>(Kind.class);
    for (Entity e : chunk) {
      sections.computeIfAbsent(e.kind(), k -> new ArrayList<>())
          .add(new RawValue(new String(e.json(), StandardCharsets.UTF_8)));
    }
    return Dto.bytes(new Dto.LogBatch(runId, sections.get(Kind.METRIC),
        sections.get(Kind.PARAM), sections.get(Kind.TAG)));
  }

  /** The length of {@code {"run_id":"…"}} without its closing brace. */
  private static int header(String runId) {
    return "{\"run_id\":".length() + Dto.bytes(runId).length;
  }
}
