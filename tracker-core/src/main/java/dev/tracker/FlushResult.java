package dev.tracker;

/** How {@link Tracker#flush()} made the records logged before it durable. */
public enum FlushResult {
  /** Every record was accepted by the backend (written to its files, acknowledged by the server). */
  DELIVERED,
  /**
   * Some records have not reached the server yet and wait, durable, in the local journal; this
   * tracker's uploader delivers them when the server takes them, else the next tracker for the
   * server or {@code tracker sync} does ({@link Tracker#backlog()} says how many and where).
   */
  SPOOLED
}
