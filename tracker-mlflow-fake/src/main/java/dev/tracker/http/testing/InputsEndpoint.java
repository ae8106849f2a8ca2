package dev.tracker.http.testing;

import static dev.tracker.http.testing.Wire.JSON;
import static dev.tracker.http.testing.Wire.json;
import static dev.tracker.http.testing.Wire.obj;
import static dev.tracker.http.testing.Wire.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracker.http.testing.Store.RunState;
import dev.tracker.http.testing.Wire.Failure;
import java.util.List;
import java.util.Objects;
import mockwebserver3.MockResponse;

/**
 * {@code POST runs/log-inputs} as MLflow's handler and SQL store answer it: each {@code
 * DatasetInput} is checked (MLflow's {@code _validate_dataset_inputs} limits), a field left out
 * reads as the empty string (proto semantics: a dataset without a digest is accepted), and an
 * input whose (name, digest) the run already has is kept once, the first one winning. The run's
 * inputs come back under {@code run.inputs.dataset_inputs} of {@code runs/get} and {@code
 * runs/search}.
 */
final class InputsEndpoint {
  static final int MAX_DATASETS = 1000;
  static final int MAX_NAME = 500;
  static final int MAX_DIGEST = 36;
  static final int MAX_SOURCE = 65535;
  static final int MAX_SCHEMA = 1048575;
  static final int MAX_PROFILE = 16777215;
  static final int MAX_TAG_KEY = 255;
  static final int MAX_TAG_VALUE = 500;

  private InputsEndpoint() {}

  /** Records the body's datasets into the (active) run. */
  static MockResponse logInputs(RunState run, JsonNode body) {
    JsonNode datasets = body.path("datasets");
    if (!datasets.isMissingNode() && !datasets.isArray()) {
      throw invalid("Invalid value " + datasets + " for parameter 'datasets' supplied.");
    }
    if (datasets.size() > MAX_DATASETS) {
      throw invalid("A batch logging request can contain at most " + MAX_DATASETS
          + " datasets. Got " + datasets.size() + " datasets.");
    }
    for (JsonNode input : datasets) {
      JsonNode d = input.path("dataset");
      if (!d.isObject()) {
        throw invalid("Dataset cannot be None");
      }
      check("name", d, MAX_NAME);
      check("digest", d, MAX_DIGEST);
      check("source", d, MAX_SOURCE);
      check("schema", d, MAX_SCHEMA);
      check("profile", d, MAX_PROFILE);
      for (JsonNode tag : input.path("tags")) {
        check("key", tag, MAX_TAG_KEY);
        check("value", tag, MAX_TAG_VALUE);
      }
    }
    for (JsonNode input : datasets) {
      JsonNode d = input.path("dataset");
      String name = orEmpty(text(d, "name"));
      String digest = orEmpty(text(d, "digest"));
      boolean known = run.inputs.stream().anyMatch(i -> name.equals(
          i.path("dataset").path("name").asText())
          && Objects.equals(digest, i.path("dataset").path("digest").asText()));
      if (known) {
        continue;
      }
      ObjectNode stored = obj();
      ObjectNode ds = stored.putObject("dataset");
      ds.put("name", name);
      ds.put("digest", digest);
      ds.put("source_type", orEmpty(text(d, "source_type")));
      ds.put("source", orEmpty(text(d, "source")));
      for (String optional : List.of("schema", "profile")) {
        if (text(d, optional) != null) {
          ds.put(optional, text(d, optional));
        }
      }
      ArrayNode tags = JSON.createArrayNode();
      for (JsonNode tag : input.path("tags")) {
        tags.addObject().put("key", orEmpty(text(tag, "key")))
            .put("value", orEmpty(text(tag, "value")));
      }
      if (!tags.isEmpty()) {
        stored.set("tags", tags);
      }
      run.inputs.add(stored);
    }
    return json(200, obj());
  }

  /** The run's {@code inputs} object: empty lists are left out, as MLflow does. */
  static ObjectNode inputsJson(List<ObjectNode> inputs) {
    ObjectNode out = obj();
    if (!inputs.isEmpty()) {
      ArrayNode list = out.putArray("dataset_inputs");
      inputs.forEach(i -> list.add(i.deepCopy()));
    }
    return out;
  }

  private static void check(String field, JsonNode node, int max) {
    String v = text(node, field);
    if (v != null && v.length() > max) {
      throw invalid("'" + field + "' exceeds the maximum length of " + max + " characters");
    }
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static Failure invalid(String message) {
    return new Failure(400, "INVALID_PARAMETER_VALUE", message);
  }
}
