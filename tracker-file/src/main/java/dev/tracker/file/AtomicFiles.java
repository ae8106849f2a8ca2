package dev.tracker.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces files atomically: the new content goes to a temporary file in the same folder and is
 * renamed over the old one, so that a reader, or a crash, sees the old file or the new one and
 * never a part.
 */
final class AtomicFiles {
  /** Temporary files start with this and end with {@code .tmp}. */
  static final String TEMP_PREFIX = ".tracker-";

  private AtomicFiles() {}

  /**
   * Replaces {@code file} by {@code bytes} atomically (temporary file, force, rename).
   *
   * @throws IOException naming {@code file} and the cause (a read-only folder, a full disk)
   */
  static void write(Path file, byte[] bytes) throws IOException {
    try {
      writeVia(tempSibling(file), file, bytes);
    } catch (IOException e) {
      throw new IOException("cannot write " + file + ": " + OpenRun.reason(e), e);
    }
  }

  private static void writeVia(Path tmp, Path file, byte[] bytes) throws IOException {
    try {
      // Not Files.createTempFile: that makes the file owner-only, and the rename would carry it.
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        ByteBuffer bb = ByteBuffer.wrap(bytes);
        while (bb.hasRemaining()) {
          ch.write(bb);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A fresh temporary name next to {@code file}; {@link #isTemporary} recognizes it. */
  static Path tempSibling(Path file) {
    return file.resolveSibling(TEMP_PREFIX + file.getFileName() + "."
        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
  }

  /** True for the names of temporary files this class writes (left behind only by a crash). */
  static boolean isTemporary(String fileName) {
    return fileName.startsWith(TEMP_PREFIX) && fileName.endsWith(".tmp");
  }

  /**
   * Copies {@code source} over {@code target} atomically (temporary copy, then rename).
   *
   * @throws IOException naming {@code source}, {@code target} and the cause (reading the
   *     source may be what failed)
   */
  static void copy(Path source, Path target) throws IOException {
    Path tmp = tempSibling(target);
    try {
      Files.copy(source, tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IOException("cannot copy " + source + " to " + target + ": "
          + OpenRun.reason(e), e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
