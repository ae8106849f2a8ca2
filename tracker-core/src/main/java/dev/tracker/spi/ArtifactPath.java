package dev.tracker.spi;

import dev.tracker.internal.Validation;

/**
 * The rule a backend applies where it stores or opens an artifact path, the one the tracker
 * applies where the path is logged ({@code Run.logArtifact}, {@code Run.logText}), with the same
 * message: relative and normalized (no {@code ..}, {@code .} or empty segment, no leading or
 * trailing '/', no drive or NUL; '\' is taken for '/'). Where a path is logged, the tracker also
 * refuses what MLflow's artifact proxy refuses or stores under another name ('#', a
 * percent-escape such as {@code %2e}, a trailing '?' or ';'); a backend reading runs logged
 * before, or by other clients, does not.
 */
public final class ArtifactPath {
  private ArtifactPath() {}

  /**
   * Checks that an artifact path stays inside the run's artifacts.
   *
   * @return the path with each '\' replaced by '/'
   * @throws IllegalArgumentException naming the path and the rule it breaks, e.g. {@code artifact
   *     path must be a relative path inside the run's artifacts (no '..' segment) but was '../x'}
   */
  public static String check(String path) {
    return Validation.relativeArtifactPath("artifact path", path);
  }
}
