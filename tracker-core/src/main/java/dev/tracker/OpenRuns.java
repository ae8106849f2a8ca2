package dev.tracker;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tracker's open runs and whether it is closed. A run that starts while the tracker closes is
 * either ended by the close or refused at its start: never left open to log into a stopped
 * pipeline, where its records would be lost without a word.
 */
final class OpenRuns {
  private final Set<Run> runs = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  boolean isClosed() {
    return closed.get();
  }

  /** Throws {@link IllegalStateException} when the tracker is closed. */
  void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("tracker is closed");
    }
  }

  /**
   * Registers a run that starts.
   *
   * @throws IllegalStateException when the tracker was closed meanwhile; the run is ended
   */
  void add(Run run) {
    runs.add(run);
    // the close sets the flag, then ends the runs it finds: it found this one, or this sees it
    if (closed.get()) {
      run.endWithoutFlush(RunStatus.KILLED);
      checkOpen();
    }
  }

  void remove(Run run) {
    runs.remove(run);
  }

  /** Marks the tracker closed and ends the open runs; false when it was closed already. */
  boolean close(RunStatus status) {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    for (Run run : List.copyOf(runs)) {
      run.endWithoutFlush(status);
    }
    return true;
  }
}
