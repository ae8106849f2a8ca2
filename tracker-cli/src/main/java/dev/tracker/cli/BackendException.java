package dev.tracker.cli;

/** The backend could not be reached or failed: exit code 2, one line on stderr. */
final class BackendException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
