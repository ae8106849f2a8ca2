package dev.tracker.file;

import static dev.tracker.file.FileBackend.METRICS_FILE;
import static dev.tracker.file.FileBackend.PARAMS_FILE;
import static dev.tracker.file.FileBackend.RUN_FILE;

import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.Tag;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run whose {@code metrics.csv} is open for appending: opening it (header, a cut last line),
 * writing batches of rows, forcing and closing it, and the messages when that fails. Used by the
 * writing thread only.
 */
final class OpenRun {
  private static final Logger log = LoggerFactory.getLogger(FileBackend.class);


  final String id;
  final Path dir;
  private FileChannel channel;
  private MetricsCsvWriter writer;
  private RunLock.Appends appendLock;
  private final List<Param> pendingParams = new ArrayList<>(); // a failed merge left them
  private final Map<String, Tag> pendingTags = new LinkedHashMap<>();
  private final UnaryOperator<WritableByteChannel> metricsChannels;
  private boolean dirty;

  /**
   * @param metricsChannels decorates the channel rows are written to (tests count writes with it)
   */
  OpenRun(String id, Path dir, UnaryOperator<WritableByteChannel> metricsChannels) {
    this.id = id;
    this.dir = dir;
    this.metricsChannels = metricsChannels;
  }

  /** The writer, reopening the file when its channel was closed (by an interrupt). */
  MetricsCsvWriter writer() throws IOException {
    if (channel == null || !channel.isOpen()) {
      if (appendLock == null) {
        appendLock = RunLock.forAppends(dir);
      }
      channel = openMetrics(dir);
      writer = new MetricsCsvWriter(metricsChannels.apply(channel));
    }
    return writer;
  }

  void append(List<Metric> metrics) throws IOException {
    MetricsCsvWriter w = writer();
    try {
      appendLock.locked(() -> {
        w.append(metrics);
        return null;
      });
    } catch (IOException e) {
      throw writeFailed(e, false);
    } finally {
      dirty = true;
    }
  }

  /**
   * Merges params into {@code params.yaml} and tags into {@code run.yaml} under the run's lock,
   * after those a failed merge left (merging is idempotent, so a half-done one is redone).
   *
   * @return the params that exist with another value (write-once), in words
   * @throws IOException when a file cannot be read or written: the params and tags are kept for
   *     the next merge, and the message says so; when a file's content is refused (not valid
   *     or safe YAML, not the expected shape) they are not kept
   */
  List<String> merge(List<Param> params, List<Tag> tags) throws IOException {
    return merge(params, tags, false);
  }

  private List<String> merge(List<Param> params, List<Tag> tags, boolean closing)
      throws IOException {
    pendingParams.addAll(params);
    for (Tag t : tags) {
      pendingTags.remove(t.key()); // the last value wins, and goes last
      pendingTags.put(t.key(), t);
    }
    if (pendingParams.isEmpty() && pendingTags.isEmpty()) {
      return List.of();
    }
    try {
      List<String> conflicts = RunLock.locked(dir, () -> {
        List<String> c = pendingParams.isEmpty() ? List.of()
            : RunYaml.mergeParams(dir.resolve(PARAMS_FILE), pendingParams);
        if (!pendingTags.isEmpty()) {
          RunYaml.mergeTags(dir.resolve(RUN_FILE), List.copyOf(pendingTags.values()));
        }
        return c;
      });
      pendingParams.clear();
      pendingTags.clear();
      return conflicts;
    } catch (IOException e) {
      if (!isIoFailure(e)) { // a file whose content is refused is refused again: not kept
        pendingParams.clear();
        pendingTags.clear();
        throw e;
      }
      String kept = closing ? " that could not be written are lost"
          : " not yet written are kept and written when the files can be written again";
      throw new IOException(FileFailures.withKind(e).getMessage() + "; " + pendingParams.size()
          + " params and " + pendingTags.size() + " tags" + kept, e);
    }
  }

  /**
   * True for a failure to read or write a file (a full disk, a read-only folder), false for a
   * file whose content is refused: those carry no I/O exception.
   */
  private static boolean isIoFailure(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.nio.file.FileSystemException || (t != e && t instanceof IOException)) {
        return true;
      }
    }
    return false;
  }

  /** Writes params, tags and rows that failed writes left, then forces the file to disk. */
  void force() throws IOException {
    force(false);
  }

  private void force(boolean closing) throws IOException {
    IOException failure = null;
    if (!pendingParams.isEmpty() || !pendingTags.isEmpty()) {
      try {
        List<String> conflicts = merge(List.of(), List.of(), closing);
        if (!conflicts.isEmpty()) {
          failure = new IOException(String.join("; ", conflicts));
        }
      } catch (IOException e) {
        failure = e;
      }
    }
    if (channel != null && channel.isOpen()) {
      try {
        appendLock.locked(() -> {
          writer.writePending();
          return null;
        });
        if (dirty) {
          channel.force(false);
          dirty = false;
        }
      } catch (IOException e) {
        failure = FileFailures.collect(failure, writeFailed(e, closing));
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  void close() throws IOException {
    if (channel == null) {
      return;
    }
    try {
      force(true);
    } finally {
      try (RunLock.Appends lock = appendLock) {
        writer.close();
        channel.close();
      }
    }
  }

  /** The failure of a write to metrics.csv, naming the file, the cause and the rows kept. */
  private IOException writeFailed(Throwable cause, boolean closing) {
    int kept = writer.pendingRows();
    String rows = kept == 0 ? ""
        : closing ? "; " + kept + " rows that could not be written are lost"
        : "; " + kept + " rows not yet written are kept and written when the file can be"
            + " written again";
    return new IOException("writing " + dir.resolve(METRICS_FILE) + " failed: "
        + reason(cause) + rows, cause);
  }

  /**
   * Opens {@code metrics.csv} for appending, writing the header, or first moving a line a killed
   * writer cut short out of the file ({@link TornTail}).
   */
  private static FileChannel openMetrics(Path dir) throws IOException {
    Path file = dir.resolve(METRICS_FILE);
    return RunLock.locked(dir, () -> {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
      try {
        if (TornTail.moveOut(file, ch.size()) == 0) {
          writeFully(ch, MetricsCsvWriter.header());
        }
        return ch;
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    });
  }

  private static void writeFully(FileChannel ch, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      ch.write(bytes);
    }
  }

  /** What went wrong, in words: the OS's reason for file-system errors, which name the file. */
  static String reason(Throwable e) {
    if (e instanceof java.nio.file.AccessDeniedException ade) {
      return "permission denied" + (ade.getFile() == null ? "" : " (" + ade.getFile() + ")");
    }
    if (e instanceof NoSuchFileException nsf) {
      return "no such file or folder " + nsf.getFile();
    }
    if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
      return fse.getReason() + (fse.getFile() == null ? "" : " (" + fse.getFile() + ")");
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
