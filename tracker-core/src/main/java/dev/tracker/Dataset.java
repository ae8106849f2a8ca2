package dev.tracker;

import dev.tracker.internal.Validation;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A data set a run used, to log with {@link Run#logInput(Dataset)}: a local file or folder, or a
 * URI. Immutable: each of {@link #name(String)}, {@link #context(String)} and {@link
 * #schema(String)} returns a new instance.
 *
 * <pre>{@code
 * run.logInput(Dataset.of(Path.of("data/train.csv")).name("iris-train"));
 * run.logInput(Dataset.of(Path.of("data/test")).context("evaluation"));
 * run.logInput(Dataset.ofUri("s3://bucket/iris/v3/train.parquet"));
 * }</pre>
 *
 * <p>A local data set gets a digest, computed by the tracker's dispatcher after {@code logInput}
 * returned: the MD5 of a file's bytes (what {@code md5sum} prints and DVC 3 records), or for a
 * folder DVC 3's directory digest, {@code <md5>.dir} (see {@link DatasetInput#digest()}). When
 * DVC tracks the path (a {@code <path>.dvc} file, or an entry of a {@code dvc.lock} in its
 * folder, the working directory, or a folder above either), DVC's own {@code md5} is recorded
 * too. A URI data set is not read: its digest is the first 8 hex characters of the SHA-256 of
 * its URI, so that two URIs with the same file name are two inputs.
 */
public final class Dataset {
  /** The context of a data set unless {@link #context(String)} says otherwise. */
  public static final String DEFAULT_CONTEXT = "training";

  /** The most characters of a name (MLflow's limit). */
  public static final int MAX_NAME_LENGTH = 500;

  /** The most characters of a context (MLflow's limit on an input tag value). */
  public static final int MAX_CONTEXT_LENGTH = 500;

  /** The most characters of a schema (MLflow's limit). */
  public static final int MAX_SCHEMA_LENGTH = 1_048_575;

  /** The most characters of a URI (MLflow's limit on a data set's source). */
  public static final int MAX_URI_LENGTH = 60_000;

  private final Path path;
  private final String uri;
  private final String name;
  private final String context;
  private final String schema;

  private Dataset(Path path, String uri, String name, String context, String schema) {
    this.path = path;
    this.uri = uri;
    this.name = name;
    this.context = context;
    this.schema = schema;
  }

  /**
   * A local file or folder, named by its file name. That it exists is checked when it is logged.
   *
   * @throws IllegalArgumentException when the path is null
   */
  public static Dataset of(Path path) {
    if (path == null) {
      throw new IllegalArgumentException("dataset path must not be null");
    }
    Path abs = path.toAbsolutePath().normalize();
    Path fileName = abs.getFileName();
    return new Dataset(abs, null, fileName == null ? abs.toString() : fileName.toString(),
        DEFAULT_CONTEXT, null);
  }

  /**
   * A data set by URI ({@code s3://…}, {@code https://…}, {@code hf://…}), named by the last
   * segment of its path (the URI when it has none), cut to {@value #MAX_NAME_LENGTH} characters;
   * a {@code file:} URI is the same as {@link #of(Path)}.
   *
   * @throws IllegalArgumentException when the URI is null, not a valid absolute URI (one with a
   *     scheme), holds credentials ({@code user:password@}), or is longer than {@value #MAX_URI_LENGTH} characters
   */
  public static Dataset ofUri(String uri) {
    if (uri == null) {
      throw new IllegalArgumentException("dataset URI must not be null");
    }
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("dataset URI must be a valid URI but is not: "
          + e.getReason() + " at index " + e.getIndex(), e);
    }
    if (parsed.getRawUserInfo() != null) {
      throw new IllegalArgumentException("dataset URI must not hold credentials (user info"
          + " before '@'): it is recorded and shown as it is");
    }
    if (parsed.getScheme() == null) {
      throw new IllegalArgumentException("dataset URI must have a scheme (s3:, https:, file:,"
          + " ...) but was '" + uri + "'; use Dataset.of(Path) for a local file");
    }
    if (uri.length() > MAX_URI_LENGTH) {
      throw new IllegalArgumentException("dataset URI must be at most " + MAX_URI_LENGTH
          + " characters but was " + uri.length() + " characters");
    }
    if (parsed.getScheme().equalsIgnoreCase("file")) {
      try {
        return of(Path.of(parsed));
      } catch (IllegalArgumentException | FileSystemNotFoundException e) {
        throw new IllegalArgumentException("dataset URI '" + uri + "' is not a local file: "
            + e.getMessage(), e);
      }
    }
    Validation.wellFormed("dataset URI", uri);
    String p = parsed.getPath() == null ? "" : parsed.getPath().replaceAll("/+$", "");
    String last = p.substring(p.lastIndexOf('/') + 1);
    return new Dataset(null, uri, cut(last.isEmpty() ? uri : last), DEFAULT_CONTEXT, null);
  }

  /** A name taken from a URI, cut to {@value #MAX_NAME_LENGTH} characters, never mid-character. */
  private static String cut(String name) {
    return Validation.cut(name, MAX_NAME_LENGTH);
  }

  /**
   * The same data set under another name (what MLflow's UI shows in its dataset column).
   *
   * @throws IllegalArgumentException when the name is null, blank or longer than {@value
   *     #MAX_NAME_LENGTH} characters
   */
  public Dataset name(String name) {
    return new Dataset(path, uri, text("name", name, MAX_NAME_LENGTH), context, schema);
  }

  /**
   * The same data set in another context: what the run used it for, such as {@code "training"}
   * (the default), {@code "validation"} or {@code "evaluation"} (MLflow's input tag {@code
   * mlflow.data.context}).
   *
   * @throws IllegalArgumentException when the context is null, blank or longer than {@value
   *     #MAX_CONTEXT_LENGTH} characters
   */
  public Dataset context(String context) {
    return new Dataset(path, uri, name, text("context", context, MAX_CONTEXT_LENGTH), schema);
  }

  /**
   * The same data set with a schema: a description of its columns, recorded as given; for
   * MLflow's UI a JSON document such as <code>{"mlflow_colspec": [{"type": "double", "name":
   * "sepal_length"}]}</code>. Null removes it.
   *
   * @throws IllegalArgumentException when the schema is blank or longer than {@value
   *     #MAX_SCHEMA_LENGTH} characters
   */
  public Dataset schema(String schema) {
    return new Dataset(path, uri, name, context,
        schema == null ? null : text("schema", schema, MAX_SCHEMA_LENGTH));
  }

  /** The local file or folder (absolute, normalized); empty for a URI data set. */
  public Optional<Path> path() {
    return Optional.ofNullable(path);
  }

  /** Where the data is: the absolute path of a local data set, or the URI. */
  public String source() {
    return path != null ? path.toString() : uri;
  }

  /** The name; by default the file name, or the last segment of the URI's path. */
  public String name() {
    return name;
  }

  /** The context; {@value #DEFAULT_CONTEXT} by default. */
  public String context() {
    return context;
  }

  /** The schema, if one was given. */
  public Optional<String> schema() {
    return Optional.ofNullable(schema);
  }

  private String text(String what, String value, int max) {
    if (value == null) {
      throw new IllegalArgumentException("dataset " + what + " must not be null");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException("dataset " + what + " must not be blank but was '"
          + value + "'");
    }
    if (value.length() > max) {
      throw new IllegalArgumentException("dataset " + what + " must be at most " + max
          + " characters but was " + value.length() + " characters");
    }
    return Validation.wellFormed("dataset " + what, value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dataset d && Objects.equals(path, d.path) && Objects.equals(uri, d.uri)
        && name.equals(d.name) && context.equals(d.context) && Objects.equals(schema, d.schema);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, uri, name, context, schema);
  }

  @Override
  public String toString() {
    return "Dataset{name=" + name + ", source=" + source() + ", context=" + context
        + (schema == null ? "" : ", schema=" + schema.length() + " characters") + "}";
  }
}
