package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.ModelRegistry;
import dev.tracker.ModelVersion;
import dev.tracker.RunData;
import dev.tracker.spi.ModelStore;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  /** The most times one registration writes the lineage tag (see {@link #addLineage}). */
  static final int LINEAGE_WRITES = 5;
  /** The most files and folders a version's listing may hold. */
  static final int MAX_LISTED_ENTRIES = 100_000;
  /** The most folders deep a version's listing may go. */
  static final int MAX_LISTED_DEPTH = 64;
  private static final Logger log = LoggerFactory.getLogger(MlflowModels.class);

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
    // a URI: the path percent-encoded ('%', ' ', '#', '?'), so that it resolves to the files
    String source = r.artifactUri().replaceAll("/+$", "") + uriPath("/" + artifactPath);
    ModelVersion v = version(post("model-versions/create", "name", name, "source", source,
        "run_id", r.id()), "POST model-versions/create");
    addLineage(r, v);
    return v;
  }

  /**
   * Adds to the run's lineage tag every version the server lists for the run ({@code
   * model-versions/search?filter=run_id = '…'}), after what the tag holds. MLflow has no
   * compare-and-set for tags, so two processes registering from one run at once may each write
   * a list without the other's ref. Hence each write is checked: search again, read the tag
   * again, and write again while a version is missing, at most {@value #LINEAGE_WRITES} times.
   * This converges: each process writes after creating its version and checks after writing,
   * so the last writer's last check sees every version created before that write, and no one
   * writes after it.
   */
  private void addLineage(Dto.Run run, ModelVersion created) throws IOException {
    String tag = run.tags().get(ModelRegistry.LINEAGE_TAG);
    for (int writes = 0; ; writes++) {
      String[] missing = missing(tag, runVersions(run.id(), created));
      if (missing.length == 0) {
        return;
      }
      if (writes == LINEAGE_WRITES) {
        log.warn("the tag {} of run {} still lacks {} after {} writes; left to the other processes"
            + " that register versions from the run meanwhile", ModelRegistry.LINEAGE_TAG,
            run.id(), String.join(",", missing), writes);
        return;
      }
      log.debug("adding {} to the tag {} of run {}", String.join(",", missing),
          ModelRegistry.LINEAGE_TAG, run.id());
      post("runs/set-tag", "run_id", run.id(), "key", ModelRegistry.LINEAGE_TAG, "value",
          ModelStore.withLineage(tag, missing));
      tag = api.run(run.id()).map(r -> r.tags().get(ModelRegistry.LINEAGE_TAG)).orElse(null);
    }
  }

  /**
   * The run's versions on the server; only the one just created where the server cannot search
   * versions by run (400): then the tag is read, then set, as before the search existed.
   */
  private List<ModelVersion> runVersions(String runId, ModelVersion created) throws IOException {
    try {
      return search("run_id", runId);
    } catch (MlflowServerException e) {
      if (e.status() != 400) {
        throw e;
      }
      log.debug("{} cannot search model versions by run: {}", api.rest().server(), e.getMessage());
      return List.of(created);
    }
  }

  /**
   * The refs of the versions {@code found} that {@code tag} lacks, oldest first; none older than
   * every version the tag names (server timestamps grow): a full tag drops its oldest entries,
   * and they must not return.
   */
  private static String[] missing(String tag, List<ModelVersion> found) {
    List<String> named = tag == null ? List.of() : List.of(tag.split(","));
    long floor = found.stream().filter(v -> named.contains(v.ref()))
        .mapToLong(ModelVersion::creationTime).min().orElse(Long.MIN_VALUE);
    return found.stream().filter(v -> !named.contains(v.ref()) && v.creationTime() >= floor)
        .sorted(Comparator.comparingLong(ModelVersion::creationTime)
            .thenComparing(ModelVersion::name).thenComparingInt(ModelVersion::version))
        .map(ModelVersion::ref).toArray(String[]::new);
  }

  @Override
  public Optional<List<ModelVersion>> versions(String name) throws IOException {
    if (absent(() -> api.rest().get("registered-models/get", "name", name))) {
      return Optional.empty();
    }
    List<ModelVersion> out = search("name", name);
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
    list(source, "model version " + version.ref(), out);
    if (out.isEmpty()) {
      out.add(source.pathSegments().get(source.pathSize() - 1));
    }
    return out;
  }

  @Override
  public InputStream open(ModelVersion version, String file) throws IOException {
    HttpUrl source = downloadUrl(version);
    boolean single = file.equals(source.pathSegments().get(source.pathSize() - 1))
        && list(source, "model version " + version.ref(), new ArrayList<>()) == 0;
    return MlflowReader.open(client, source, single ? "" : file,
        "model version " + version.ref());
  }

  // ------------------------------------------------------------------------------- internals

  /** Every version whose {@code attribute} ({@code name}, {@code run_id}) is {@code value}. */
  private List<ModelVersion> search(String attribute, String value) throws IOException {
    List<ModelVersion> out = new ArrayList<>();
    for (JsonNode v : api.paged("GET model-versions/search", "model_versions", JsonNode.class,
        null, token -> api.rest().get("model-versions/search", "filter",
            MlflowApi.equalTo(attribute, value), "max_results", "1000", "page_token", token))) {
      if (value.equals(v.path(attribute).asText(null))) {
        out.add(version(v, "GET model-versions/search"));
      }
    }
    return out;
  }

  /** The proxy URL of the version's files, from {@code model-versions/get-download-uri}. */
  private HttpUrl downloadUrl(ModelVersion v) throws IOException {
    JsonNode r = api.rest().get("model-versions/get-download-uri", "name", v.name(),
        "version", Integer.toString(v.version()));
    return ArtifactLocation.resolve(api.rest().base(), r.path("artifact_uri").asText(null),
        "model version " + v.ref());
  }

  /**
   * Adds the files under {@code source} to {@code out}, depth first in the listing's order;
   * returns how many entries the top folder had. A server's listing is not trusted: an entry
   * must be a file name (MLflow lists base names; a path is cut to its last segment), and a tree
   * deeper than {@value #MAX_LISTED_DEPTH} folders or of more than {@value #MAX_LISTED_ENTRIES}
   * entries (a folder listed inside itself, over and over) ends the download instead of running
   * forever.
   */
  private int list(HttpUrl source, String owner, List<String> out) throws IOException {
    return list(source, owner, "", out, new int[1]);
  }

  private int list(HttpUrl source, String owner, String path, List<String> out, int[] entries)
      throws IOException {
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
      String listed = f.path("path").asText();
      String name = listed.replaceAll(".*/", "");
      if (name.isEmpty() || name.equals(".") || name.equals("..")) {
        throw new IOException("the files of " + owner + " cannot be downloaded: the server"
            + " listed '" + Rest.printable(listed, 200) + "' in '"
            + (path.isEmpty() ? "." : Rest.printable(path, 200)) + "', which is not a file name");
      }
      if (++entries[0] > MAX_LISTED_ENTRIES) {
        throw new IOException("the files of " + owner + " cannot be downloaded: the server"
            + " listed more than " + MAX_LISTED_ENTRIES + " files and folders");
      }
      String child = (path.isEmpty() ? "" : path + "/") + name;
      if (!f.path("is_dir").asBoolean()) {
        out.add(child);
      } else if (child.chars().filter(c -> c == '/').count() >= MAX_LISTED_DEPTH) {
        throw new IOException("the files of " + owner + " cannot be downloaded: the server"
            + " listed folders more than " + MAX_LISTED_DEPTH + " deep ('"
            + Rest.printable(child, 400) + "'), a folder inside itself");
      } else {
        list(source, owner, child, out, entries);
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

  /** A path as a URI writes it: '%' and the characters a URI path cannot hold, escaped. */
  private static String uriPath(String path) throws IOException {
    try {
      return new URI(null, null, path, null).getRawPath();
    } catch (URISyntaxException e) {
      throw new IOException("artifact path '" + path + "' cannot be a URI path", e);
    }
  }

  /** The decoded path of a URI; the text itself when it is no URI (a source made elsewhere). */
  private static String decodedPath(String uri) {
    try {
      String path = new URI(uri).getPath();
      return path == null ? uri : path;
    } catch (URISyntaxException notAUri) {
      return uri;
    }
  }

  /** A {@code ModelVersion} message; the artifact path is the source past the run's artifacts. */
  private ModelVersion version(JsonNode v, String what) throws IOException {
    try {
      String runId = v.path("run_id").asText(null);
      String source = v.path("source").asText(null);
      String path = source == null ? null : decodedPath(source);
      String marker = runId == null || runId.isEmpty() ? null : "/" + runId + "/artifacts/";
      int at = marker == null || path == null ? -1 : path.indexOf(marker);
      List<String> aliases = new ArrayList<>();
      v.path("aliases").forEach(a -> aliases.add(a.asText()));
      Map<String, String> tags = new LinkedHashMap<>();
      v.path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
      return new ModelVersion(v.path("name").asText(null),
          Integer.parseInt(v.path("version").asText()),
          runId == null || runId.isEmpty() ? null : runId,
          at < 0 ? null : path.substring(at + marker.length()), source, aliases, tags,
          v.path("creation_timestamp").asLong());
    } catch (RuntimeException bad) {
      throw api.rest().unexpected(what, "not a model version: " + bad.getMessage());
    }
  }
}
