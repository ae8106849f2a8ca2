package dev.tracker.file;

import static dev.tracker.file.FileBackend.ARTIFACTS_DIR;

import dev.tracker.spi.ArtifactPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** Where an artifact goes in a run folder, and the checks that keep it inside the folder. */
final class ArtifactPaths {
  private ArtifactPaths() {}

  /**
   * Where an artifact goes: {@code artifacts/<artifactPath>} after checking that the path stays
   * inside the artifacts folder, lexically and after following symbolic links. Creates the
   * folders on the way.
   */
  static Path artifactTarget(Path runDir, String artifactPath) throws IOException {
    List<String> segments = artifactSegments(artifactPath);
    Path artifacts = runDir.resolve(ARTIFACTS_DIR);
    Files.createDirectories(artifacts);
    Path realArtifacts = artifacts.toRealPath();
    if (!realArtifacts.startsWith(runDir.toRealPath())) {
      throw new IOException("the artifacts folder " + artifacts
          + " is a symbolic link to outside the run folder (" + realArtifacts + ")");
    }
    // Walk the folders one by one: a symbolic link on the way must not lead outside, and nothing
    // may be created outside before that is known.
    Path current = realArtifacts;
    for (int i = 0; i < segments.size() - 1; i++) {
      Path next = current.resolve(segments.get(i));
      if (Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
        Path real = realOrNull(next);
        if (real == null || !real.startsWith(realArtifacts)) {
          throw escapes(artifactPath, next, real);
        }
        if (!Files.isDirectory(real)) {
          throw new IOException("artifact path '" + artifactPath + "' needs " + next
              + " to be a folder but it is a file");
        }
        current = real;
      } else {
        current = Files.createDirectory(next);
      }
    }
    Path target = current.resolve(segments.get(segments.size() - 1));
    if (Files.isSymbolicLink(target)) {
      Path real = realOrNull(target);
      if (real == null || !real.startsWith(realArtifacts)) {
        throw escapes(artifactPath, target, real);
      }
    }
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("artifact path '" + artifactPath + "' is a folder in " + artifacts);
    }
    return target;
  }

  /**
   * The '/'-separated segments of an artifact path that stays inside the artifacts folder.
   *
   * @throws IllegalArgumentException as the call that logs the path does ({@link ArtifactPath})
   */
  static List<String> artifactSegments(String artifactPath) {
    return List.of(ArtifactPath.check(artifactPath).split("/", -1));
  }

  private static Path realOrNull(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return null; // a dangling link
    }
  }

  static IOException escapes(String artifactPath, Path link, Path real) {
    return new IOException("artifact path '" + artifactPath
        + "' leads outside the run's artifacts folder through the symbolic link " + link
        + (real == null ? " (dangling)" : " (to " + real + ")"));
  }
}
