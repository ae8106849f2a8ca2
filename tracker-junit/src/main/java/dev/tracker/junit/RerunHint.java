package dev.tracker.junit;

/**
 * Added as a suppressed exception to a failed test's failure, so that the failure shown to the
 * user says which run recorded it and how to repeat it with the same seed. Carries no stack
 * trace: it points at a run, not at code.
 */
final class RerunHint extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RerunHint(String message) {
    super(message, null, false, false);
  }
}
