package dev.tracker;

/** How {@link Tracker#flush()} made the records logged before it durable. */
public enum FlushResult {
  /** Every record was accepted by the backend (written to its files, acknowledged by the server). */
  DELIVERED,
  /**
   * Some records could not reach the server and were kept in the local spool; they are delivered
   * when the server is back, by this tracker, the next one, or {@code tracker sync}.
   */
  SPOOLED
}
