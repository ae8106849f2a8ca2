package dev.tracker.file;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serializes the read-modify-write of a run folder's YAML files, across threads and processes:
 * a lock striped by folder inside the JVM (a JVM cannot hold two OS locks on one file), then an
 * exclusive OS lock on the folder's {@value #FILE_NAME} file.
 *
 * <p>Two processes logging to one run (a resumed run) therefore merge their params and tags
 * instead of overwriting each other's. Each append of metric rows takes it too ({@link
 * #forAppends}): a writer resuming the run moves a cut last line of {@code metrics.csv} out under
 * this lock, and must not take a line another writer is still writing for a cut one.
 */
final class RunLock {
  /** The lock file in each run folder; empty, never deleted (deleting lock files races). */
  static final String FILE_NAME = ".lock";

  private static final Logger log = LoggerFactory.getLogger(RunLock.class);
  private static final ReentrantLock[] STRIPES = new ReentrantLock[64];
  private static final AtomicBoolean warnedUnsupported = new AtomicBoolean();

  static {
    for (int i = 0; i < STRIPES.length; i++) {
      STRIPES[i] = new ReentrantLock();
    }
  }

  private RunLock() {}

  /** Something done while holding the lock. */
  @FunctionalInterface
  interface Action<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code action} holding the lock of {@code runDir}. Not reentrant for one folder: the
   * action must not lock the same folder again.
   */
  static <T> T locked(Path runDir, Action<T> action) throws IOException {
    // the real path: one folder reached through two spellings (a link) gets one stripe, since
    // a second OS lock on the same file from this JVM would throw OverlappingFileLockException
    Path lockFile = runDir.toRealPath().resolve(FILE_NAME);
    ReentrantLock jvmLock = STRIPES[Math.floorMod(lockFile.hashCode(), STRIPES.length)];
    jvmLock.lock();
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      FileLock osLock = tryLock(channel, lockFile, false);
      try {
        return action.run();
      } finally {
        if (osLock != null) {
          osLock.release();
        }
      }
    } finally {
      jvmLock.unlock();
    }
  }

  /**
   * The lock of {@code runDir} for the appends to its {@code metrics.csv}, with the lock file kept
   * open: each {@link Appends#locked} costs a lock and an unlock call, no open. It is the shared
   * OS lock: writers in several processes append at once (whole lines, {@code O_APPEND}), and
   * wait only for an exclusive {@link #locked} holder, such as a process moving a cut line out.
   */
  static Appends forAppends(Path runDir) throws IOException {
    Path lockFile = runDir.toRealPath().resolve(FILE_NAME);
    return new Appends(lockFile, STRIPES[Math.floorMod(lockFile.hashCode(), STRIPES.length)]);
  }

  /**
   * A run folder's lock for appends. Another process sees a large write's first pages before its
   * last ones, so without it a writer resuming the run could take the end of a write in progress
   * for a line a killed writer cut short, move it out and truncate the file under the write.
   */
  static final class Appends implements Closeable {
    private final Path lockFile;
    private final ReentrantLock jvmLock;
    private FileChannel channel;

    private Appends(Path lockFile, ReentrantLock jvmLock) {
      this.lockFile = lockFile;
      this.jvmLock = jvmLock;
    }

    /** Runs {@code action} holding the lock (reopening the lock file if an interrupt closed it). */
    <T> T locked(Action<T> action) throws IOException {
      jvmLock.lock();
      try {
        if (channel == null || !channel.isOpen()) {
          channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
              StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        FileLock osLock = tryLock(channel, lockFile, true);
        try {
          return action.run();
        } finally {
          if (osLock != null && osLock.isValid()) {
            osLock.release();
          }
        }
      } finally {
        jvmLock.unlock();
      }
    }

    /**
     * Closes the lock file, holding the JVM's lock: closing a file drops every lock the process
     * holds on it, another channel's included.
     */
    @Override
    public void close() throws IOException {
      jvmLock.lock();
      try {
        if (channel != null) {
          channel.close();
        }
      } finally {
        jvmLock.unlock();
      }
    }
  }

  private static FileLock tryLock(FileChannel channel, Path lockFile, boolean shared)
      throws IOException {
    try {
      return channel.lock(0, Long.MAX_VALUE, shared);
    } catch (ClosedChannelException | FileLockInterruptionException e) {
      throw e; // interrupted: not a missing lock facility
    } catch (IOException | UnsupportedOperationException e) {
      // Some network file systems have no locks; within one JVM the stripe lock still holds.
      if (warnedUnsupported.compareAndSet(false, true)) {
        log.warn("cannot lock {} ({}); runs shared by several processes may lose params or"
            + " tags written at the same moment", lockFile, e.toString());
      }
      return null;
    }
  }
}
