package dev.tracker.file;

import java.io.IOException;
import java.nio.file.FileSystemException;

/** File-system failures as the file backend reports them. */
final class FileFailures {
  private FileFailures() {}

  /**
   * A file-system failure whose message keeps its kind and reason: the message of a {@code
   * NoSuchFileException} or {@code AccessDeniedException} is only the path.
   */
  static IOException withKind(IOException e) {
    if (e instanceof FileSystemException) {
      return new IOException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
    return e;
  }

  /** The first failure ({@link #withKind}), carrying the later ones as suppressed. */
  static IOException collect(IOException first, IOException next) {
    if (first == null) {
      return withKind(next);
    }
    first.addSuppressed(next);
    return first;
  }
}
