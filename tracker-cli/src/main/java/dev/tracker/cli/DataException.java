package dev.tracker.cli;

/**
 * A run's records cannot be read (a file the reader rejects, a folder it may not open): exit code
 * 3, one line on stderr naming the run and the reason.
 */
final class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
