package dev.tracker.http.testing;

import static dev.tracker.http.testing.Wire.JSON;
import static dev.tracker.http.testing.Wire.body;
import static dev.tracker.http.testing.Wire.json;
import static dev.tracker.http.testing.Wire.obj;
import static dev.tracker.http.testing.Wire.page;
import static dev.tracker.http.testing.Wire.pageStart;
import static dev.tracker.http.testing.Wire.required;
import static dev.tracker.http.testing.Wire.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracker.http.testing.Store.RunState;
import dev.tracker.http.testing.Wire.Failure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

/**
 * The fake server's Model Registry (REST API 2.0), as MLflow's handlers and SQL store answer (see
 * {@code mlflow-observed.md}): versions numbered by the server and sent as strings, an unknown
 * alias is 400 INVALID_PARAMETER_VALUE, registering adds no tag to the run. Also the artifact
 * proxy's listing ({@code GET mlflow-artifacts/artifacts?path=}), which downloads of a version
 * use. Not thread-safe: every call holds the server's lock.
 */
final class Registry {
  /** {@code name} or {@code run_id} {@code =} or {@code LIKE '…'}, once or twice joined by and. */
  private static final Pattern FILTER = Pattern.compile(
      "\\s*(name|run_id)\\s*(=|(?i:like))\\s*(['\"])((?:(?!\\3).)*)\\3"
      + "(?:\\s+(?i:and)\\s+(name|run_id)\\s*(=|(?i:like))\\s*(['\"])((?:(?!\\7).)*)\\7)?\\s*");
  /** MLflow's order: newest first, then by name, then highest version first. */
  private static final Comparator<ObjectNode> NEWEST_FIRST = Comparator
      .<ObjectNode>comparingLong(v -> -v.path("creation_timestamp").asLong())
      .thenComparing(v -> v.path("name").asText())
      .thenComparing(v -> -Integer.parseInt(v.path("version").asText()));

  private final Store store;
  private final Map<String, Model> models = new LinkedHashMap<>();

  Registry(Store store) {
    this.store = store;
  }

  private static final class Model {
    final String name;
    final long created;
    final List<ObjectNode> versions = new ArrayList<>();
    final Map<String, Integer> aliases = new TreeMap<>();

    Model(String name, long created) {
      this.name = name;
      this.created = created;
    }
  }

  /** True for the endpoints answered here. */
  static boolean serves(String endpoint) {
    return endpoint.startsWith("registered-models/") || endpoint.startsWith("model-versions/");
  }

  /** Answers a registry request, or throws {@link Failure} with MLflow's error. */
  MockResponse handle(RecordedRequest request, String endpoint, HttpUrl url) throws IOException {
    switch (request.getMethod() + " " + endpoint) {
      case "POST registered-models/create": {
        String name = need(body(request), "name");
        if (models.containsKey(name)) {
          throw new Failure(400, "RESOURCE_ALREADY_EXISTS", "Registered Model (name=" + name
              + ") already exists.");
        }
        Model m = new Model(name, store.clock.millis());
        models.put(name, m);
        return json(200, obj().set("registered_model", obj().put("name", name)
            .put("creation_timestamp", m.created).put("last_updated_timestamp", m.created)));
      }
      case "GET registered-models/get":
        return json(200, obj().set("registered_model", modelJson(model(required(url, "name")))));
      case "POST model-versions/create":
        return createVersion(body(request));
      case "GET model-versions/get":
        return json(200, obj().set("model_version", version(model(required(url, "name")),
            required(url, "version"))));
      case "GET model-versions/search":
        return search(url);
      case "GET model-versions/get-download-uri": {
        JsonNode v = version(model(required(url, "name")), required(url, "version"));
        return json(200, obj().put("artifact_uri", v.path("source").asText()));
      }
      case "POST registered-models/alias": {
        JsonNode body = body(request);
        Model m = model(need(body, "name"));
        String alias = need(body, "alias");
        Validation.alias(alias);
        version(m, need(body, "version"));
        m.aliases.put(alias, Integer.parseInt(text(body, "version")));
        return json(200, obj());
      }
      case "DELETE registered-models/alias": {
        JsonNode body = body(request);
        model(need(body, "name")).aliases.remove(need(body, "alias"));
        return json(200, obj());
      }
      case "GET registered-models/alias": {
        Model m = model(required(url, "name"));
        String alias = required(url, "alias");
        Integer v = m.aliases.get(alias);
        if (v == null) {
          throw new Failure(400, "INVALID_PARAMETER_VALUE", "Registered model alias " + alias
              + " not found.");
        }
        return json(200, obj().set("model_version", version(m, v.toString())));
      }
      default:
        throw new Failure(404, "ENDPOINT_NOT_FOUND", "No API endpoint for "
            + request.getMethod() + " " + url.encodedPath());
    }
  }

  /**
   * {@code GET mlflow-artifacts/artifacts?path=<dir>}: the entries directly under the folder, by
   * base name, a run's artifacts where the folder is under its artifact root; none (an empty
   * reply) for a file or a missing folder.
   */
  MockResponse listProxy(HttpUrl url) {
    String path = required(url, "path").replaceAll("^/+|/+$", "");
    Map.Entry<RunState, String> owner = store.artifactOwner(path);
    Map<String, byte[]> all = owner == null ? store.otherArtifacts : owner.getKey().artifacts;
    String dir = owner == null ? path : owner.getValue();
    String prefix = dir.isEmpty() ? "" : dir + "/";
    Map<String, Long> files = new TreeMap<>();
    TreeSet<String> dirs = new TreeSet<>();
    all.forEach((p, content) -> {
      if (p.startsWith(prefix)) {
        String rest = p.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash >= 0) {
          dirs.add(rest.substring(0, slash));
        } else {
          files.put(rest, (long) content.length);
        }
      }
    });
    ArrayNode out = JSON.createArrayNode();
    dirs.forEach(d -> out.add(obj().put("path", d).put("is_dir", true)));
    files.forEach((f, size) -> out.add(obj().put("path", f).put("is_dir", false)
        .put("file_size", size)));
    return json(200, out.isEmpty() ? obj() : obj().set("files", out));
  }

  private MockResponse createVersion(JsonNode body) {
    Model m = model(need(body, "name"));
    String source = need(body, "source");
    String runId = text(body, "run_id");
    if (runId != null && !runId.isEmpty()) {
      store.state(runId);
    }
    long now = store.clock.millis();
    ObjectNode v = obj().put("name", m.name).put("version", Integer.toString(
        m.versions.size() + 1)).put("creation_timestamp", now)
        .put("last_updated_timestamp", now).put("current_stage", "None").put("source", source)
        .put("run_id", runId == null ? "" : runId).put("status", "READY");
    m.versions.add(v);
    return json(200, obj().set("model_version", withAliases(m, v)));
  }

  /** MLflow's filter on the attributes {@code name} and {@code run_id}: exact matches. */
  private MockResponse search(HttpUrl url) {
    String filter = url.queryParameter("filter");
    Matcher f = filter == null ? null : FILTER.matcher(filter);
    if (f == null || !f.matches()) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Invalid filter '" + filter
          + "' (this fake knows name and run_id = or LIKE '...', joined by and, only)");
    }
    List<ObjectNode> found = new ArrayList<>();
    for (Model m : models.values()) {
      for (ObjectNode v : m.versions) {
        if (matches(v.path(f.group(1)).asText(), f.group(2), f.group(4))
            && (f.group(5) == null || matches(v.path(f.group(5)).asText(), f.group(6),
                f.group(8)))) {
          found.add(withAliases(m, v));
        }
      }
    }
    found.sort(NEWEST_FIRST);
    String max = url.queryParameter("max_results");
    return page("model_versions", found, pageStart(url.queryParameter("page_token")),
        max == null ? 10_000 : Integer.parseInt(max), v -> v);
  }

  private static boolean matches(String value, String comparator, String operand) {
    return comparator.equals("=") ? value.equals(operand)
        : RunSearch.likeRegex(operand, false).matcher(value).matches();
  }

  private ObjectNode modelJson(Model m) {
    ObjectNode out = obj().put("name", m.name).put("creation_timestamp", m.created)
        .put("last_updated_timestamp", m.created);
    if (!m.versions.isEmpty()) {
      out.set("latest_versions", JSON.createArrayNode()
          .add(m.versions.get(m.versions.size() - 1)));
    }
    if (!m.aliases.isEmpty()) {
      ArrayNode aliases = out.putArray("aliases");
      m.aliases.forEach((a, v) -> aliases.add(obj().put("alias", a).put("version",
          v.toString())));
    }
    return out;
  }

  private Model model(String name) {
    Model m = models.get(name);
    if (m == null) {
      throw new Failure(404, "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=" + name
          + " not found");
    }
    return m;
  }

  private ObjectNode version(Model m, String version) {
    int v;
    try {
      v = Integer.parseInt(version);
    } catch (NumberFormatException e) {
      throw new Failure(400, "INVALID_PARAMETER_VALUE", "Parameter 'version' must be an integer,"
          + " got '" + version + "'.");
    }
    if (v < 1 || v > m.versions.size()) {
      throw new Failure(404, "RESOURCE_DOES_NOT_EXIST", "Model Version (name=" + m.name
          + ", version=" + version + ") not found");
    }
    return withAliases(m, m.versions.get(v - 1));
  }

  private static ObjectNode withAliases(Model m, ObjectNode v) {
    ObjectNode out = v.deepCopy();
    ArrayNode aliases = JSON.createArrayNode();
    m.aliases.forEach((a, n) -> {
      if (n.toString().equals(v.path("version").asText())) {
        aliases.add(a);
      }
    });
    if (!aliases.isEmpty()) {
      out.set("aliases", aliases);
    }
    return out;
  }

  private static String need(JsonNode body, String field) {
    String v = text(body, field);
    if (v == null || v.isEmpty()) {
      throw Wire.missing(field);
    }
    return v;
  }
}
