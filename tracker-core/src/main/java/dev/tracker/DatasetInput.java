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
 *     it, followed by {@code .dir}; null when unknown (a URI data set)
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

  /** Checks that name, source type, source and context are present. */
  public DatasetInput {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sourceType, "sourceType");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(context, "context");
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
