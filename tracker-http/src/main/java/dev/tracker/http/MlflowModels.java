package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.ModelRegistry;
import dev.tracker.ModelVersion;
import dev.tracker.RunData;
import dev.tracker.spi.ModelStore;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * The MLflow Model Registry REST API 2.0: {@code registered-models/create}, {@code
 * model-versions/create} with the run's artifact URI as {@code source}, {@code
 * registered-models/alias} (POST, GET, DELETE), {@code model-versions/get}, {@code
 * registered-models/get}, {@code model-versions/search}, and {@code
 * model-versions/get-download-uri} with the files read through the artifact proxy. Versions
 * are strings on the wire. The server adds no tag to a run when it registers a version, so the
 * lineage tag is set here ({@code runs/set-tag}).
 */
final class MlflowModels implements ModelStore {
  private final MlflowApi api;
  private final MlflowWriter writer;
  private final OkHttpClient client;

  MlflowModels(MlflowApi api, MlflowWriter writer, OkHttpClient client) {
    this.api = api;
    this.writer = writer;
    this.client = client;
  }

  @Override
  public ModelVersion createVersion(String name, RunData run, String artifactPath)
      throws IOException {
    Dto.Run r = writer.findRun(run.info().id()).orElseThrow(() -> new FileNotFoundException(
        "no run " + run.info().id() + " in " + api.rest().server()));
    try {
      post("registered-models/create", "name", name);
    } catch (MlflowServerException e) {
      if (!"RESOURCE_ALREADY_EXISTS".equals(e.errorCode())) {
        throw e;
      }
    }
    String source = r.artifactUri().replaceAll("/+$", "") + "/" + artifactPath;
    ModelVersion v = version(post("model-versions/create", "name", name, "source", source,
        "run_id", r.id()), "POST model-versions/create");
    post("runs/set-tag", "run_id", r.id(), "key", ModelRegistry.LINEAGE_TAG, "value",
        ModelStore.withLineage(r.tags().get(ModelRegistry.LINEAGE_TAG), v.ref()));
    return v;
  }

  @Override
  public Optional<List<ModelVersion>> versions(String name) throws IOException {
    if (absent(() -> api.rest().get("registered-models/get", "name", name))) {
      return Optional.empty();
    }
    char quote = name.indexOf('\'') >= 0 ? '"' : '\'';
    List<ModelVersion> out = new ArrayList<>();
    String token = null;
    do {
      JsonNode page = api.rest().get("model-versions/search", "filter",
          "name = " + quote + name + quote, "max_results", "1000", "page_token", token);
      for (JsonNode v : page.path("model_versions")) {
        out.add(version(v, "GET model-versions/search"));
      }
      token = page.path("model_versions").isEmpty() ? null
          : page.path("next_page_token").asText(null);
    } while (token != null && !token.isEmpty());
    out.sort(Comparator.comparingInt(ModelVersion::version));
    return Optional.of(out);
  }

  @Override
  public Optional<ModelVersion> version(String name, int version) throws IOException {
    return read("model-versions/get", "name", name, "version", Integer.toString(version));
  }

  @Override
  public Optional<ModelVersion> aliased(String name, String alias) throws IOException {
    return read("registered-models/alias", "name", name, "alias", alias);
  }

  @Override
  public void setAlias(String name, String alias, int version) throws IOException {
    post("registered-models/alias", "name", name, "alias", alias, "version",
        Integer.toString(version));
  }

  @Override
  public void deleteAlias(String name, String alias) throws IOException {
    api.rest().call(new Request.Builder().url(api.rest().base().newBuilder()
        .addPathSegments("api/2.0/mlflow/registered-models/alias").build())
        .delete(RequestBody.create(body("name", name, "alias", alias), Rest.JSON)).build(),
        "DELETE registered-models/alias");
  }

  /**
   * The files under the version's download URI, listed through the artifact proxy ({@code GET
   * mlflow-artifacts/artifacts?path=}); a source that lists nothing is one file.
   */
  @Override
  public List<String> files(ModelVersion version) throws IOException {
    HttpUrl source = downloadUrl(version);
    List<String> out = new ArrayList<>();
    list(source, "", out);
    if (out.isEmpty()) {
      out.add(source.pathSegments().get(source.pathSize() - 1));
    }
    return out;
  }

  @Override
  public InputStream open(ModelVersion version, String file) throws IOException {
    HttpUrl source = downloadUrl(version);
    boolean single = file.equals(source.pathSegments().get(source.pathSize() - 1))
        && list(source, "", new ArrayList<>()) == 0;
    return MlflowReader.open(client, source, single ? "" : file,
        "model version " + version.ref());
  }

  // ------------------------------------------------------------------------------- internals

  /** The proxy URL of the version's files, from {@code model-versions/get-download-uri}. */
  private HttpUrl downloadUrl(ModelVersion v) throws IOException {
    JsonNode r = api.rest().get("model-versions/get-download-uri", "name", v.name(),
        "version", Integer.toString(v.version()));
    return ArtifactLocation.resolve(api.rest().base(), r.path("artifact_uri").asText(null),
        "model version " + v.ref());
  }

  /** Adds the files under {@code source/path} to {@code out}; returns how many entries it had. */
  private int list(HttpUrl source, String path, List<String> out) throws IOException {
    List<String> segments = source.pathSegments();
    int root = segments.lastIndexOf("mlflow-artifacts") + 2; // …/mlflow-artifacts/artifacts
    HttpUrl.Builder url = source.newBuilder().encodedPath("/");
    for (String s : segments.subList(0, root)) {
      url.addPathSegment(s);
    }
    String dir = String.join("/", segments.subList(root, segments.size()))
        + (path.isEmpty() ? "" : "/" + path);
    JsonNode reply = api.rest().call(new Request.Builder()
        .url(url.addQueryParameter("path", dir).build()).get().build(),
        "GET mlflow-artifacts/artifacts");
    int n = 0;
    for (JsonNode f : reply.path("files")) {
      String child = (path.isEmpty() ? "" : path + "/") + f.path("path").asText()
          .replaceAll(".*/", "");
      if (f.path("is_dir").asBoolean()) {
        list(source, child, out);
      } else {
        out.add(child);
      }
      n++;
    }
    return n;
  }

  private interface Read {
    JsonNode get() throws IOException;
  }

  /** True when the server says the thing read does not exist (404, or 400 "… not found."). */
  private static boolean absent(Read read) throws IOException {
    try {
      read.get();
      return false;
    } catch (MlflowServerException e) {
      if (e.isNotFound() || (e.status() == 400 && "INVALID_PARAMETER_VALUE".equals(e.errorCode())
          && e.serverMessage().endsWith(" not found."))) {
        return true;
      }
      throw e;
    }
  }

  private Optional<ModelVersion> read(String endpoint, String... query) throws IOException {
    JsonNode[] reply = new JsonNode[1];
    if (absent(() -> reply[0] = api.rest().get(endpoint, query))) {
      return Optional.empty();
    }
    return Optional.of(version(reply[0].path("model_version"), "GET " + endpoint));
  }

  private JsonNode post(String endpoint, String... fields) throws IOException {
    return api.rest().post(endpoint, body(fields)).path("model_version");
  }

  /** Fields given as name, value, name, value, …, in that order. */
  private static Map<String, String> fields(String... fields) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < fields.length; i += 2) {
      out.put(fields[i], fields[i + 1]);
    }
    return out;
  }

  /** A JSON object of string fields, given as name, value, name, value, … */
  private static byte[] body(String... fields) {
    return Dto.bytes(fields(fields));
  }

  /** A {@code ModelVersion} message; the artifact path is the source past the run's artifacts. */
  private ModelVersion version(JsonNode v, String what) throws IOException {
    try {
      String runId = v.path("run_id").asText(null);
      String source = v.path("source").asText(null);
      String marker = runId == null || runId.isEmpty() ? null : "/" + runId + "/artifacts/";
      int at = marker == null || source == null ? -1 : source.indexOf(marker);
      List<String> aliases = new ArrayList<>();
      v.path("aliases").forEach(a -> aliases.add(a.asText()));
      Map<String, String> tags = new LinkedHashMap<>();
      v.path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
      return new ModelVersion(v.path("name").asText(null),
          Integer.parseInt(v.path("version").asText()),
          runId == null || runId.isEmpty() ? null : runId,
          at < 0 ? null : source.substring(at + marker.length()), source, aliases, tags,
          v.path("creation_timestamp").asLong());
    } catch (RuntimeException bad) {
      throw api.rest().unexpected(what, "not a model version: " + bad.getMessage());
    }
  }
}
