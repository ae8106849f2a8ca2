package dev.tracker.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the unterminated last line of a {@code metrics.csv} (what a write cut short by a killed
 * process or a full disk leaves) out of the file, into {@value #SIDE_FILE} next to it, so that the
 * file is a clean CSV again before new rows are appended: Python's {@code csv} module and pandas
 * read every line as a row. Called under the run's lock when a run is opened for writing.
 */
final class TornTail {
  /** Where torn lines go, with a first line that says what they are. */
  static final String SIDE_FILE = "metrics.csv.torn";

  static final String SIDE_FILE_HEADER = "# Lines that a write left unfinished at the end of"
      + " metrics.csv (a killed process or a full disk), moved here when the run was opened"
      + " again. They are not metric rows; each line below is one, as it was cut.\n";

  private static final Logger log = LoggerFactory.getLogger(FileBackend.class);
  private static final int CHUNK = 8192;

  private TornTail() {}

  /**
   * When {@code file} ({@code size} bytes) does not end with a line break, appends its last line
   * to the side file (forced to disk) and then truncates {@code file} after its last line break.
   *
   * @return the size of {@code file} afterwards
   */
  static long moveOut(Path file, long size) throws IOException {
    if (size == 0) {
      return 0;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      return moveOut(file, ch, size);
    }
  }

  private static long moveOut(Path file, FileChannel ch, long size) throws IOException {
    long start = lineStart(ch, size);
    if (start == size) {
      return size;
    }
    ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size - start, Integer.MAX_VALUE - 16));
    while (tail.hasRemaining() && ch.read(tail, start + tail.position()) > 0) {
      // read the whole tail
    }
    tail.flip();
    Path side = file.resolveSibling(SIDE_FILE);
    try (FileChannel out = FileChannel.open(side, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      if (out.size() == 0) {
        writeFully(out, ByteBuffer.wrap(SIDE_FILE_HEADER.getBytes(StandardCharsets.UTF_8)));
      }
      writeFully(out, tail);
      writeFully(out, ByteBuffer.wrap(new byte[] {'\n'}));
      out.force(true);
    }
    ch.truncate(start);
    ch.force(true);
    log.warn("{} ended with a line cut short ({} bytes; a process was killed while writing, or"
        + " the disk was full); moved it to {} so that metrics.csv stays a clean CSV", file,
        size - start, side);
    return start;
  }

  /** The position after the last line break before {@code size}, or 0 when there is none. */
  private static long lineStart(FileChannel ch, long size) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    long end = size;
    while (end > 0) {
      long from = Math.max(0, end - CHUNK);
      buf.clear().limit((int) (end - from));
      while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
        // fill the chunk
      }
      for (int i = buf.position() - 1; i >= 0; i--) {
        if (buf.get(i) == '\n') {
          return from + i + 1;
        }
      }
      end = from;
    }
    return 0;
  }

  private static void writeFully(FileChannel ch, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      ch.write(bytes);
    }
  }
}
