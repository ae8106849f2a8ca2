package dev.tracker;

/**
 * A backend or I/O failure: the tracking server could not be reached, a file could not be
 * written, a record was rejected by the server.
 *
 * <p>Thrown only from creating a {@link Tracker}, from {@code flush()} and from {@code close()},
 * never from a {@code logX} call whose arguments passed validation. Several failures are carried
 * as {@linkplain #getSuppressed() suppressed} exceptions of the first. Messages never contain
 * credentials.
 */
public class TrackerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public TrackerException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the failure that caused it. */
  public TrackerException(String message, Throwable cause) {
    super(message, cause);
  }
}
