package dev.tracker.http.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okio.ByteString;

/** MLflow's wire format as the fake reads and writes it: JSON, numbers, page tokens, errors. */
final class Wire {
  static final ObjectMapper JSON = new ObjectMapper();

  private Wire() {}

  /** An MLflow error answer. */
  static MockResponse error(int status, String errorCode, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error_code", errorCode);
    body.put("message", message);
    return json(status, body);
  }

  static ObjectNode pointJson(FakeMlflowServer.Point p) {
    ObjectNode o = obj();
    o.put("key", p.key());
    double v = p.value();
    if (Double.isNaN(v)) {
      o.put("value", "NaN");
    } else {
      o.put("value", v);
    }
    o.put("timestamp", p.timestamp());
    o.put("step", p.step());
    return o;
  }

  static ArrayNode keyValues(Map<String, String> map) {
    ArrayNode arr = JSON.createArrayNode();
    map.forEach((k, v) -> arr.add(obj().put("key", k).put("value", v)));
    return arr;
  }

  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    Failure(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  static void limit(String what, int max, int n) {
    if (n > max) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at"
          + " most " + max + " " + what + ". Got " + n + " " + what + ". Please split up "
          + what + " across multiple requests and try again.");
    }
  }

  /** MLflow's handler refusing a request without a required parameter. */
  static Failure missing(String path) {
    return new Failure(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter '"
        + path + "'. See the API docs for more information about request parameters.");
  }

  static String required(HttpUrl url, String name) {
    String v = url.queryParameter(name);
    if (v == null || v.isEmpty()) {
      throw missing(name);
    }
    return v;
  }

  static JsonNode body(RecordedRequest request) throws IOException {
    ByteString b = request.getBody();
    if (b == null || b.size() == 0) {
      return obj();
    }
    return JSON.readTree(b.utf8());
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  static long int64(JsonNode n, String field, long dflt) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (v.isNumber()) {
      return v.asLong();
    }
    try {
      return Long.parseLong(v.asText());
    } catch (NumberFormatException e) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid value " + v + " for parameter '"
          + field + "' supplied. Hint: Value was of type 'string'.");
    }
  }

  static double dbl(JsonNode v) {
    if (v.isNumber()) {
      return v.asDouble();
    }
    String s = v.asText();
    switch (s) {
      case "NaN":
        return Double.NaN;
      case "Infinity":
        return Double.POSITIVE_INFINITY;
      case "-Infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid value \"" + s
              + "\" for parameter 'value' supplied.");
        }
    }
  }

  static int pageStart(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      return Integer.parseInt(new String(Base64.getDecoder().decode(token),
          StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid page token");
    }
  }

  /**
   * A page of {@code items} from index {@code from}, at most {@code max}, under {@code field},
   * with the token of the next page when there is one.
   */
  static <T> MockResponse page(String field, List<T> items, int from, int max,
      Function<T, JsonNode> toJson) {
    return page(field, items, from, max, toJson, from + max < items.size());
  }

  /** A page as above, with the token of the next page when {@code more}. */
  static <T> MockResponse page(String field, List<T> items, int from, int max,
      Function<T, JsonNode> toJson, boolean more) {
    ArrayNode arr = JSON.createArrayNode();
    for (int i = from; i < Math.min(items.size(), from + max); i++) {
      arr.add(toJson.apply(items.get(i)));
    }
    ObjectNode out = obj();
    out.set(field, arr);
    if (more) {
      out.put("next_page_token", pageToken(from + max));
    }
    return json(200, out);
  }

  private static String pageToken(int offset) {
    return Base64.getEncoder().encodeToString(Integer.toString(offset)
        .getBytes(StandardCharsets.UTF_8));
  }

  static String pyList(List<String> items) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(pyRepr(items.get(i)));
    }
    return b.append(']').toString();
  }

  /**
   * A string as Python's {@code repr} writes it, as MLflow's messages show lists and dicts: in
   * single quotes, or double quotes when it holds a single quote and no double quote; the quote
   * and backslash escaped, control characters as {@code \n}, {@code \t}, {@code \xNN}.
   */
  static String pyRepr(String s) {
    char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder b = new StringBuilder().append(q);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c == q) {
            b.append('\\').append(c);
          } else if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append(q).toString();
  }

  private static void withoutEmptyLists(JsonNode node) {
    if (node.isObject()) {
      node.fields().forEachRemaining(f -> withoutEmptyLists(f.getValue()));
      ((ObjectNode) node).properties().removeIf(f -> f.getValue().isArray()
          && f.getValue().isEmpty());
    } else if (node.isArray()) {
      node.forEach(Wire::withoutEmptyLists);
    }
  }

  static ObjectNode obj() {
    return JSON.createObjectNode();
  }

  /** A JSON answer; empty lists are left out, as MLflow's proto-to-JSON writer leaves them. */
  static MockResponse json(int status, JsonNode body) {
    withoutEmptyLists(body);
    return new MockResponse.Builder().code(status)
        .headers(Headers.of("Content-Type", "application/json"))
        .body(body.toString()).build();
  }
}
