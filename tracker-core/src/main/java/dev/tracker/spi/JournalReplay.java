package dev.tracker.spi;

import dev.tracker.TrackerException;
import dev.tracker.internal.delivery.Journal;
import dev.tracker.internal.delivery.Uploader;
import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers the journals that trackers left for a remote backend's server (what {@code tracker
 * sync} runs first): every segment under {@link RemoteDelivery#journalDirectory()} that no running
 * process holds, oldest first, on the caller's thread, with the same uploader a tracker uses.
 */
public final class JournalReplay {
  /** Attempts per operation before a replay gives up and leaves the rest on disk. */
  public static final int ATTEMPTS = 3;

  private JournalReplay() {}

  /**
   * What a replay did.
   *
   * @param segments journal segments delivered and removed
   * @param operations operations delivered (or refused and reported)
   * @param held segments left because a running process holds them
   * @param refused what the server refused, one message per operation, never resent
   */
  public record Result(int segments, long operations, int held, List<String> refused) {
    /** Copies the list. */
    public Result {
      refused = List.copyOf(refused);
    }
  }

  /**
   * Replays the journals of {@code backend}'s server; does nothing for a local backend.
   *
   * @throws TrackerException when an operation kept failing ({@value #ATTEMPTS} attempts): what
   *     was not delivered stays in the journal, and the message says how much and where
   * @throws IOException when the journal directory cannot be read
   */
  public static Result deliver(TrackingBackend backend) throws IOException {
    RemoteDelivery policy = backend.remoteDelivery().orElse(null);
    if (policy == null) {
      return new Result(0, 0, 0, List.of());
    }
    Journal journal = new Journal(policy.journalDirectory(), policy.server(),
        Journal.DEFAULT_LIMIT_BYTES, InstantSource.system());
    Uploader uploader = new Uploader(backend, journal, policy, null,
        () -> ThreadLocalRandom.current().nextDouble(), System::nanoTime, ATTEMPTS,
        dev.tracker.Tracker.DEFAULT_UPLOADS_IN_FLIGHT);
    DeliveryException gaveUp;
    try {
      gaveUp = uploader.deliverLeftovers();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrackerException("interrupted while delivering the journal in "
          + policy.journalDirectory(), e);
    }
    List<String> refused = new ArrayList<>();
    for (Exception e : uploader.takeFailures()) {
      refused.add(e.getMessage());
    }
    if (gaveUp != null) {
      throw new TrackerException("delivered " + uploader.leftoverSegments() + " journal"
          + " segments (" + uploader.leftoverOps() + " operations) to " + policy.server()
          + "; the rest stays in " + policy.journalDirectory() + ": " + gaveUp.getMessage(),
          gaveUp);
    }
    return new Result(uploader.leftoverSegments(), uploader.leftoverOps(),
        journal.skippedLeftovers(), refused);
  }
}
