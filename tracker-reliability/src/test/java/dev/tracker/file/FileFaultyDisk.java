package dev.tracker.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.InstantSource;

/**
 * A disk whose room for {@code metrics.csv} rows runs out on demand, for the reliability tests:
 * wraps the channels the file backend appends rows to (through its package-private hook). A
 * write that does not fit writes what fits, as {@code write(2)} does, and the next one fails with
 * an {@link IOException} carrying the reason an operating system gives ({@code No space left on
 * device}, {@code Read-only file system}).
 */
public final class FileFaultyDisk {
  private volatile long room = Long.MAX_VALUE;
  private volatile String reason = "No space left on device";
  private volatile long written;

  /** A file backend under {@code root} whose metric rows go through this disk. */
  public FileBackend backend(Path root) {
    return FileBackend.create(root, InstantSource.system(), this::wrap);
  }

  /** From now on, {@code bytes} more bytes fit; then writes fail with {@code reason}. */
  public void fail(long bytes, String reason) {
    this.reason = reason;
    this.room = bytes;
  }

  /** Writes succeed again. */
  public void heal() {
    room = Long.MAX_VALUE;
  }

  /** The bytes of rows written through this disk so far. */
  public long written() {
    return written;
  }

  private WritableByteChannel wrap(WritableByteChannel file) {
    return new WritableByteChannel() {
      @Override
      public int write(ByteBuffer src) throws IOException {
        long left = room;
        if (left == 0) {
          throw new IOException(reason);
        }
        int n;
        if (src.remaining() <= left) {
          n = file.write(src);
        } else {
          int limit = src.limit();
          src.limit(src.position() + (int) left);
          try {
            n = file.write(src);
          } finally {
            src.limit(limit);
          }
        }
        if (left != Long.MAX_VALUE) {
          room = left - n;
        }
        written += n;
        return n;
      }

      @Override
      public boolean isOpen() {
        return file.isOpen();
      }

      @Override
      public void close() throws IOException {
        file.close();
      }
    };
  }
}
