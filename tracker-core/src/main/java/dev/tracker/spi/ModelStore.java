package dev.tracker.spi;

import dev.tracker.ModelVersion;
import dev.tracker.RunData;
import dev.tracker.internal.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A backend's model registry: named models with numbered versions, each pointing at a model that
 * a run logged as an artifact, and aliases that point at versions. Reached through {@link
 * TrackingBackend#modelStore()}; used by {@link dev.tracker.ModelRegistry}, which validates every
 * argument first (names, aliases, that the run and its artifact exist) and turns empty answers
 * into errors that name what is missing.
 *
 * <p>A separate interface rather than more methods on {@link TrackingBackend}: a registry is
 * optional, a backend that has one hands out this part, and wrappers of a backend forward one
 * method. Methods may be called from any thread, also while a tracker writes through the
 * backend.
 */
public interface ModelStore {

  /**
   * Registers {@code artifactPath} of {@code run} as the next version of model {@code name}
   * (created when missing): numbered one past the highest, also when several processes register
   * at once. Then adds {@code name/version} to the run's tag {@link
   * dev.tracker.ModelRegistry#LINEAGE_TAG} (see {@link #withLineage}), so lineage goes both ways.
   *
   * @param run the run as read back from this backend, holding the artifact
   * @param artifactPath a file or folder among the run's artifacts, checked by the caller
   */
  ModelVersion createVersion(String name, RunData run, String artifactPath) throws IOException;

  /** The versions of a model, oldest first, with their aliases; empty when there is no model. */
  Optional<List<ModelVersion>> versions(String name) throws IOException;

  /** One version with its aliases; empty when the model or the version does not exist. */
  Optional<ModelVersion> version(String name, int version) throws IOException;

  /** The version an alias points at; empty when the model or the alias does not exist. */
  Optional<ModelVersion> aliased(String name, String alias) throws IOException;

  /** Points {@code alias} at an existing {@code version}, moving it from where it pointed. */
  void setAlias(String name, String alias, int version) throws IOException;

  /** Removes an existing alias. */
  void deleteAlias(String name, String alias) throws IOException;

  /**
   * The files of a version, '/'-separated and relative to its source folder; for a source that
   * is one file, its file name alone.
   */
  List<String> files(ModelVersion version) throws IOException;

  /** Opens one of {@link #files}; the caller closes the stream. */
  InputStream open(ModelVersion version, String file) throws IOException;

  /**
   * The lineage tag's value {@code current} (null when the run has none) with {@code refs}
   * ({@code name/version}) appended in their order: a comma-separated list in registration
   * order, each entry once. When the list would pass a tag's limit ({@value
   * Validation#MAX_TAG_VALUE_LENGTH} characters), the oldest entries are left out.
   */
  static String withLineage(String current, String... refs) {
    List<String> list = new ArrayList<>();
    if (current != null && !current.isEmpty()) {
      list.addAll(Arrays.asList(current.split(",")));
    }
    for (String ref : refs) {
      if (!list.contains(ref)) {
        list.add(ref);
      }
    }
    String value = String.join(",", list);
    while (value.length() > Validation.MAX_TAG_VALUE_LENGTH && list.size() > 1) {
      list.remove(0);
      value = String.join(",", list);
    }
    return value;
  }
}
