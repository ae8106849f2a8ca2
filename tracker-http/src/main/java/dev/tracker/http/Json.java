package dev.tracker.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracker.Metric;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one JSON configuration of the module and the MLflow wire rules: int64 read as numbers or
 * strings, NaN and the infinities written as the strings {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"}, unknown fields ignored.
 */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  static final JsonFactory FACTORY = MAPPER.getFactory();

  private Json() {}

  /** Writes what {@code body} generates and returns the bytes. */
  static byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
    return out.toByteArray();
  }

  /** Generates JSON. */
  @FunctionalInterface
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  static JsonNode parse(byte[] bytes) throws IOException {
    return bytes.length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(bytes);
  }

  /** A double as MLflow reads it: a number, or "NaN", "Infinity", "-Infinity". */
  static void writeDouble(JsonGenerator g, double v) throws IOException {
    if (Double.isNaN(v)) {
      g.writeString("NaN");
    } else if (v == Double.POSITIVE_INFINITY) {
      g.writeString("Infinity");
    } else if (v == Double.NEGATIVE_INFINITY) {
      g.writeString("-Infinity");
    } else {
      g.writeNumber(v);
    }
  }

  static void writeMetric(JsonGenerator g, Metric m) throws IOException {
    g.writeStartObject();
    g.writeStringField("key", m.key());
    g.writeFieldName("value");
    writeDouble(g, m.value());
    g.writeNumberField("timestamp", m.timestamp());
    g.writeNumberField("step", m.step());
    g.writeEndObject();
  }

  static void writeKeyValue(JsonGenerator g, String key, String value) throws IOException {
    g.writeStartObject();
    g.writeStringField("key", key);
    g.writeStringField("value", value);
    g.writeEndObject();
  }

  /** A text field, or null when missing or null. */
  static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** An int64 field sent as a number or as a string; {@code dflt} when missing or null. */
  static long int64(JsonNode node, String field, long dflt) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (v.isNumber()) {
      return v.asLong();
    }
    String s = v.asText().trim();
    if (s.isEmpty()) {
      return dflt;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected an int64 in field '" + field + "' but was '"
          + s + "'");
    }
  }

  /** A double sent as a number or as a string ("NaN", "Infinity", "-Infinity", "1.5"). */
  static double dbl(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull()) {
      return 0;
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    String s = v.asText().trim();
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a double in field '" + field + "' but was '"
          + s + "'");
    }
  }

  /** The {@code [{"key":…, "value":…}]} array at {@code field} as an ordered map. */
  static Map<String, String> keyValues(JsonNode node, String field) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode arr = node == null ? null : node.get(field);
    if (arr != null && arr.isArray()) {
      for (JsonNode kv : arr) {
        String k = text(kv, "key");
        if (k != null) {
          String value = text(kv, "value");
          out.put(k, value == null ? "" : value);
        }
      }
    }
    return out;
  }

  /** A metric object as MLflow sends it. */
  static Metric metric(JsonNode m) {
    return new Metric(text(m, "key"), dbl(m, "value"), int64(m, "timestamp", 0),
        int64(m, "step", 0));
  }
}
