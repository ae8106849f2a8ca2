package dev.tracker.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/** Files the file-backend benchmarks write, found and checked afterwards. */
final class RunFiles {
  private RunFiles() {}

  /** The {@code metrics.csv} of run {@code runId} under the tracker root {@code root}. */
  static Path metricsCsv(Path root, String runId) {
    try (Stream<Path> found = Files.find(root, 3,
        (p, a) -> a.isDirectory() && p.getFileName().toString().equals(runId))) {
      return found.findFirst()
          .orElseThrow(() -> new IllegalStateException("no folder of run " + runId + " under "
              + root))
          .resolve("metrics.csv");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The number of complete lines ({@code \n}-ended) in a file. */
  static long lines(Path file) {
    long n = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int r;
      while ((r = in.read(buf)) > 0) {
        for (int i = 0; i < r; i++) {
          if (buf[i] == '\n') {
            n++;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  /**
   * Fails unless {@code file} holds a header and exactly {@code rows} rows.
   *
   * @throws IllegalStateException naming the file and the counts
   */
  static void requireRows(Path file, long rows) {
    long lines = lines(file);
    if (lines != rows + 1) {
      throw new IllegalStateException("expected a header and " + rows + " rows in " + file
          + " but found " + (lines - 1) + " rows");
    }
  }

  /** Deletes a folder and everything under it. */
  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
          Files.delete(f);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.delete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
