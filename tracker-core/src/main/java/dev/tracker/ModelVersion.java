package dev.tracker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One version of a registered model, as read back from the backend's model registry (see {@link
 * ModelRegistry}).
 *
 * @param name the registered model's name
 * @param version the version number: 1, 2, … in registration order
 * @param runId the id of the run the version was made from, as the backend knows it (on an MLflow
 *     server the server's run id); {@link Tracker#run(String)} accepts it. Null for a version
 *     registered from no run (by another client)
 * @param artifactPath the artifact path of the model within that run, '/'-separated; null when the
 *     source is not inside the run's artifacts
 * @param source where the model's files are: the run's artifact folder on disk ({@code file:} URI)
 *     or on the server ({@code mlflow-artifacts:/…}); nothing is copied
 * @param aliases the aliases that point at this version, sorted
 * @param tags the version's tags
 * @param creationTime when the version was registered, in milliseconds since the epoch
 */
public record ModelVersion(
    String name,
    int version,
    String runId,
    String artifactPath,
    String source,
    List<String> aliases,
    Map<String, String> tags,
    long creationTime) {
  /** Checks the required parts and copies the collections so the record stays immutable. */
  public ModelVersion {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    if (version < 1) {
      throw new IllegalArgumentException("model version must be 1 or more but was " + version);
    }
    aliases = List.copyOf(aliases.stream().sorted().toList());
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** This version with other aliases. */
  public ModelVersion withAliases(List<String> aliases) {
    return new ModelVersion(name, version, runId, artifactPath, source, aliases, tags,
        creationTime);
  }

  /** {@code name/version}, as in the run's lineage tag ({@link ModelRegistry#LINEAGE_TAG}). */
  public String ref() {
    return name + "/" + version;
  }
}
