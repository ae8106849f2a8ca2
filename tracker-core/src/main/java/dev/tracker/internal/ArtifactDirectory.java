package dev.tracker.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a directory logged as artifacts. Symbolic links are followed only when they lead
 * to a file inside the directory: a link to outside it (say {@code ~/.ssh/id_rsa} or {@code
 * /etc/passwd}) would copy, and upload, a file the user never meant to log, so it is skipped
 * with a WARN, as is a dangling link. Links to folders are not walked into.
 */
public final class ArtifactDirectory {
  private static final Logger log = LoggerFactory.getLogger(ArtifactDirectory.class);

  private ArtifactDirectory() {}

  /** A file to log: where it is read from, and its '/'-separated path relative to the directory. */
  public record Entry(Path file, String relativePath) {}

  /** The files to log, sorted by path. */
  public static List<Entry> files(Path dir) throws IOException {
    Path real = dir.toRealPath();
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(real)) {
      paths = walk.filter(p -> !p.equals(real)).sorted().toList();
    }
    List<Entry> out = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isSymbolicLink(p)) {
        Path target = targetOrNull(p);
        if (target == null || !target.startsWith(real)) {
          log.warn("not logging {} of artifact directory {}: a symbolic link {} (links that"
              + " leave the directory are not followed)", real.relativize(p), dir,
              target == null ? "that leads nowhere" : "to " + target + ", outside it");
          continue;
        }
        if (!Files.isRegularFile(target)) {
          continue;
        }
      } else if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      out.add(new Entry(p, real.relativize(p).toString().replace('\\', '/')));
    }
    return out;
  }

  private static Path targetOrNull(Path link) {
    try {
      return link.toRealPath();
    } catch (IOException dangling) {
      return null;
    }
  }
}
