package dev.tracker.internal.delivery;

import dev.tracker.TrackerException;
import dev.tracker.spi.RemoteDelivery;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.time.InstantSource;
import java.util.Optional;

/** Chooses how a tracker's writes reach its backend. */
public final class Sinks {
  private Sinks() {}

  /**
   * Journal-first for a backend that asks for it ({@link TrackingBackend#remoteDelivery()}),
   * with up to {@code inFlight} requests in flight, direct otherwise.
   *
   * @throws TrackerException when the journal directory cannot be read
   */
  public static Sink forBackend(TrackingBackend backend, InstantSource clock, int inFlight) {
    Optional<RemoteDelivery> remote = backend.remoteDelivery();
    if (remote.isEmpty()) {
      return new DirectSink(backend);
    }
    try {
      return new JournalSink(backend, remote.get(), Journal.DEFAULT_LIMIT_BYTES, clock, null,
          inFlight);
    } catch (IOException e) {
      throw new TrackerException("cannot use the journal directory "
          + remote.get().journalDirectory() + " for " + backend.describe() + ": "
          + e.getMessage(), e);
    }
  }
}
