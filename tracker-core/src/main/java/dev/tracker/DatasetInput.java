package dev.tracker;

import java.util.Objects;

/**
 * A data set a run used, as recorded: what {@link Run#logInput(Dataset)} logs, what a backend
 * stores ({@code inputs.yaml} in a run folder, {@code runs/log-inputs} on an MLflow server) and
 * what {@link RunData#inputs()} reads back. Two inputs with the same name and digest are the
 * same input: a backend keeps one.
 *
 * @param name the data set's name
 * @param digest the MD5 of a file's bytes as 32 lowercase hex characters (what {@code md5sum}
 *     prints and DVC 3 records); for a folder, DVC 3's directory digest: the MD5 of the JSON list
 *     {@code [{"md5": "<file md5>", "relpath": "<path>"}, ...]} of its files sorted by relative
 *     path ('/'-separated), written as Python's {@code json.dumps(list, sort_keys=True)} writes
 *     it, followed by {@code .dir}; for a URI data set, whose data is not read, the first 8 hex
 *     characters of the SHA-256 of its URI (as MLflow's {@code MetaDataset} digests its source);
 *     null when unknown (an input another client logged without one)
 * @param sourceType where it is: {@value #LOCAL} for a local file or folder, otherwise the kind of
 *     URI ({@code http} for http and https, else the URI's scheme)
 * @param source the absolute path of a local data set, or the URI
 * @param context what the run used it for, such as {@value Dataset#DEFAULT_CONTEXT}
 * @param size the bytes of a file, or of all the files of a folder; -1 when unknown
 * @param fileCount 1 for a file, the number of files of a folder; -1 when unknown
 * @param schema the schema given with the data set, or null
 * @param dvcMd5 the {@code md5} that DVC recorded for the path (in {@code <path>.dvc} or {@code
 *     dvc.lock}), or null when DVC does not track it; equal to {@code digest} unless the data
 *     changed since DVC saw it
 */
public record DatasetInput(
    String name,
    String digest,
    String sourceType,
    String source,
    String context,
    long size,
    long fileCount,
    String schema,
    String dvcMd5) {
  /** The source type of a local file or folder (MLflow's). */
  public static final String LOCAL = "local";

  /** The most characters of a digest (MLflow's {@code MAX_DATASET_DIGEST_SIZE}). */
  public static final int MAX_DIGEST_LENGTH = 36;

  /** Checks that name, source type, source and context are present. */
  public DatasetInput {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sourceType, "sourceType");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(context, "context");
  }

  /**
   * Checks the fields against the limits an MLflow server puts on a dataset input ({@code
   * _validate_dataset} and {@code _validate_input_tag} in {@code mlflow/utils/validation.py}):
   * name and context at most {@value Dataset#MAX_NAME_LENGTH} characters, digest at most {@value
   * #MAX_DIGEST_LENGTH}, source at most {@value Dataset#MAX_URI_LENGTH} (MLflow's 65,535 less
   * room for the JSON it travels in), schema at most {@value Dataset#MAX_SCHEMA_LENGTH}. What
   * {@link Run#logInput} records always passes; an input read back from a file edited by hand
   * may not, and a server would refuse every input of its request.
   *
   * @return this input
   * @throws IllegalArgumentException naming the input, the field and the limit
   */
  public DatasetInput checkLimits() {
    String which = name.length() > Dataset.MAX_NAME_LENGTH ? "dataset input" : "dataset input '"
        + name + "'";
    limit(which, "name", name, Dataset.MAX_NAME_LENGTH);
    limit(which, "digest", digest, MAX_DIGEST_LENGTH);
    limit(which, "source", source, Dataset.MAX_URI_LENGTH);
    limit(which, "context", context, Dataset.MAX_CONTEXT_LENGTH);
    limit(which, "schema", schema, Dataset.MAX_SCHEMA_LENGTH);
    return this;
  }

  private static void limit(String which, String field, String value, int max) {
    if (value != null && value.length() > max) {
      throw new IllegalArgumentException(which + " " + field + " must be at most " + max
          + " characters but was " + value.length() + " characters");
    }
  }

  /**
   * True when both hold the same data: the same digest, or, for inputs without one, the same
   * source.
   */
  public boolean sameData(DatasetInput other) {
    return digest != null || other.digest != null ? Objects.equals(digest, other.digest)
        : source.equals(other.source);
  }
}
