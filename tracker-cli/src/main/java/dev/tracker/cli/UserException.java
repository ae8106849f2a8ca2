package dev.tracker.cli;

/** A mistake in the command line (unknown run, bad filter, …): exit code 1, one stderr line. */
final class UserException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UserException(String message) {
    super(message);
  }
}
