package dev.tracker.internal;

import dev.tracker.internal.delivery.Sink;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;

/**
 * Hands a logged file or directory to the sink, on the dispatcher. MLflow's {@code log_artifact}
 * uploads at once, so a user expects the bytes of the call; the tracker reads the file later, when
 * the dispatcher gets to it, so a file is compared with what it was at the call and a change is
 * reported rather than stored silently. A directory goes file by file: a file that cannot be
 * stored is reported and the others are stored all the same.
 */
final class Artifacts {
  private Artifacts() {}

  /** What a file was at the call: a change of any part means other bytes may be read. */
  record Stamp(long size, FileTime modified, Object fileKey) {
    /** The file's stamp now; null when it is not a regular file or cannot be read. */
    static Stamp of(Path file) {
      try {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return a.isRegularFile() ? new Stamp(a.size(), a.lastModifiedTime(), a.fileKey()) : null;
      } catch (IOException e) {
        return null;
      }
    }

    String change(Stamp now) {
      if (size != now.size) {
        return "size " + size + " → " + now.size + " bytes";
      }
      if (!modified.equals(now.modified)) {
        return "modified " + modified + " → " + now.modified;
      }
      return "replaced by another file";
    }
  }

  /**
   * Stores the item's file or directory.
   *
   * @throws IOException when storing failed (the file was deleted since the call, say), or
   *     stored a file that had changed since the call
   */
  static void store(Sink sink, String runId, Item.ArtifactItem a) throws IOException {
    if (Files.isDirectory(a.file())) {
      storeDirectory(sink, runId, a.file(), a.artifactPath());
      return;
    }
    if (a.stamp() != null && Files.notExists(a.file())) {
      throw new IOException(a.file() + " was deleted after logArtifact returned and before it"
          + " was read, so nothing was stored; keep a logged file until flush() or close()"
          + " returns");
    }
    sink.logArtifact(runId, a.file(), a.artifactPath());
    Stamp now = Stamp.of(a.file());
    if (a.stamp() != null && now != null && !a.stamp().equals(now)) {
      throw new IOException(a.file() + " changed after logArtifact returned and before it was"
          + " read (" + a.stamp().change(now) + "): the run holds the file as it was read, not"
          + " as it was at the call; keep a logged file unchanged until flush() or close()"
          + " returns");
    }
  }

  private static void storeDirectory(Sink sink, String runId, Path dir, String artifactPath)
      throws IOException {
    List<ArtifactDirectory.Entry> entries = ArtifactDirectory.files(dir);
    IOException failed = null;
    int failures = 0;
    for (ArtifactDirectory.Entry e : entries) {
      String path = artifactPath == null ? e.relativePath()
          : artifactPath + "/" + e.relativePath();
      try {
        sink.logArtifact(runId, e.file(), Validation.artifactPath("artifact path", path));
      } catch (InterruptedIOException interrupted) {
        throw interrupted;
      } catch (IOException | RuntimeException x) {
        failures++;
        if (failed == null) {
          failed = new IOException(x.getMessage(), x);
        } else {
          failed.addSuppressed(x);
        }
      }
    }
    if (failed != null) {
      IOException out = new IOException(failures + " of the " + entries.size() + " files of "
          + dir + " not stored (the others were); the first: " + failed.getMessage(),
          failed.getCause());
      for (Throwable t : failed.getSuppressed()) {
        out.addSuppressed(t);
      }
      throw out;
    }
  }
}
