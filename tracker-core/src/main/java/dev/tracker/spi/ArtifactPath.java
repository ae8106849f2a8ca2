package dev.tracker.spi;

import dev.tracker.internal.Validation;

/**
 * The rule every artifact path follows, the same where a path is logged ({@code
 * Run.logArtifact}, {@code Run.logText}) and where a backend stores or opens one, so that a path
 * is refused everywhere with the same message: relative and normalized (no {@code ..}, {@code .}
 * or empty segment, no leading or trailing '/', no drive or NUL; '\' is taken for '/'), and a
 * name an MLflow server stores as it is (its artifact proxy refuses '#', percent-decodes escapes
 * such as {@code %2e} and drops a trailing '?' or ';').
 */
public final class ArtifactPath {
  private ArtifactPath() {}

  /**
   * Checks an artifact path.
   *
   * @return the path with each '\' replaced by '/'
   * @throws IllegalArgumentException naming the path and the rule it breaks, e.g. {@code artifact
   *     path must be a relative path inside the run's artifacts (no '..' segment) but was '../x'}
   */
  public static String check(String path) {
    return Validation.artifactPath("artifact path", path);
  }
}
