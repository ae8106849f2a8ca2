package dev.tracker.internal.system;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a helper program (nvidia-smi, git) with a time limit. Its output goes to temporary files,
 * not pipes, so that a program that hangs, or leaves a child holding its output open, can never
 * block the caller past the limit; on timeout the program and its descendants are killed.
 */
final class Commands {
  /** The most output read; more is cut. */
  static final int MAX_OUTPUT_BYTES = 1 << 20;

  private Commands() {}

  /** What a program printed on stdout and on stderr (each cut at {@link #MAX_OUTPUT_BYTES}). */
  record Result(int exitCode, String stdout, String stderr) {}

  /** A program did not finish in time and was killed. */
  static final class TimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    TimeoutException(String message) {
      super(message);
    }
  }

  /**
   * Runs {@code command} in {@code directory} (null: the working directory) and waits at most
   * {@code timeout}.
   *
   * @throws TimeoutException when it did not finish in time; it was killed
   * @throws IOException when it cannot be started (not found, not executable)
   * @throws InterruptedIOException when interrupted; the program was killed and the flag restored
   */
  static Result run(List<String> command, Path directory, Duration timeout) throws IOException {
    return run(command, directory, timeout, Map.of());
  }

  /**
   * Runs {@code command} as {@link #run(List, Path, Duration)} does, with {@code environment}
   * added to (or replacing in) the inherited environment.
   */
  static Result run(List<String> command, Path directory, Duration timeout,
      Map<String, String> environment) throws IOException {
    Path out = Files.createTempFile("tracker-cmd", ".out");
    Path err = null;
    try {
      err = Files.createTempFile("tracker-cmd", ".err");
      ProcessBuilder pb = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      if (directory != null) {
        pb.directory(directory.toFile());
      }
      pb.environment().putAll(environment);
      Process p = pb.start();
      p.getOutputStream().close(); // a program that reads stdin gets end of file, not a wait
      boolean finished;
      try {
        finished = p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        kill(p);
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for " + programName(command));
      }
      if (!finished) {
        kill(p);
        throw new TimeoutException(programName(command) + " did not finish within "
            + timeout.toMillis() + " ms and was killed");
      }
      return new Result(p.exitValue(), readCapped(out), readCapped(err));
    } finally {
      Files.deleteIfExists(out);
      if (err != null) {
        Files.deleteIfExists(err);
      }
    }
  }

  /** The first executable named {@code name} (or {@code name.exe}) on a PATH value. */
  static Optional<Path> findOnPath(String name, String path) {
    if (path == null || path.isBlank()) {
      return Optional.empty();
    }
    boolean windows = File.separatorChar == '\\';
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      for (String candidate : windows ? List.of(name + ".exe", name) : List.of(name)) {
        try {
          Path p = Path.of(dir.trim(), candidate);
          if (Files.isRegularFile(p) && Files.isExecutable(p)) {
            return Optional.of(p.toAbsolutePath());
          }
        } catch (RuntimeException badEntry) {
          // an entry that is not a path on this system
        }
      }
    }
    return Optional.empty();
  }

  private static void kill(Process p) {
    // descendants first: once the parent is gone they are no longer found through it
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static String readCapped(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readNBytes(MAX_OUTPUT_BYTES), StandardCharsets.UTF_8);
    }
  }

  private static String programName(List<String> command) {
    String first = command.get(0);
    int slash = Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\'));
    return first.substring(slash + 1);
  }
}
