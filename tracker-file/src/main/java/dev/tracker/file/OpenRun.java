package dev.tracker.file;

import static dev.tracker.file.FileBackend.METRICS_FILE;

import dev.tracker.Metric;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
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

  /** Writes rows that failed writes left, then forces the file to disk. */
  void force() throws IOException {
    if (channel == null || !channel.isOpen()) {
      return;
    }
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
      throw writeFailed(e, false);
    }
  }

  void close() throws IOException {
    if (channel == null) {
      return;
    }
    try {
      force();
    } catch (IOException e) {
      throw writeFailed(e.getCause(), true);
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
