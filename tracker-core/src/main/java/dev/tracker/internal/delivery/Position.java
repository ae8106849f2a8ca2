package dev.tracker.internal.delivery;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the op the uploader has in hand stands: how many records of its batch went through
 * already, where its files are, and which runs were created before it. A journal {@link Segment}
 * for a tracker's uploads, a {@link Uploader.Direct} for ops handed over one at a time.
 */
interface Position {
  /** Records of the batch in hand already delivered. */
  int partial();

  /** Records that the first {@code records} records of the batch in hand were delivered. */
  void delivered(int records) throws IOException;

  /** The folder that relative artifact file names resolve against. */
  Path dir();

  /** The creation of a run that came before this position, or null when none is known. */
  Op.CreateRun creation(String runId);
}
