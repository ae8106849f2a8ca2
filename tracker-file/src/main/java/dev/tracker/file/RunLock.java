package dev.tracker.file;

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
 * instead of overwriting each other's. Metric rows need no lock: see {@link FileBackend}.
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
      FileLock osLock = tryLock(channel, lockFile);
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

  private static FileLock tryLock(FileChannel channel, Path lockFile) throws IOException {
    try {
      return channel.lock();
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
