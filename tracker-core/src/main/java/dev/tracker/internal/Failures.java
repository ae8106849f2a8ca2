package dev.tracker.internal;

import dev.tracker.TrackerException;
import java.util.List;

/** The failures a flush or a close collected, made one exception with the others suppressed. */
final class Failures {
  private Failures() {}

  /** One exception: the only one when it is a {@link TrackerException}, else a new one. */
  static TrackerException combine(List<Throwable> errors) {
    Throwable first = errors.get(0);
    TrackerException out;
    if (errors.size() == 1 && first instanceof TrackerException te) {
      out = te;
    } else {
      out = new TrackerException(errors.size() == 1 ? first.getMessage()
          : errors.size() + " backend operations failed; the first: " + first.getMessage(), first);
      for (Throwable t : errors.subList(1, errors.size())) {
        out.addSuppressed(t);
      }
    }
    return out;
  }

  /** Throws the first failure, with the others suppressed; nothing when there is none. */
  static void throwIfAny(List<Throwable> errors) {
    if (errors.isEmpty()) {
      return;
    }
    Throwable first = errors.get(0);
    RuntimeException out = first instanceof RuntimeException re ? re
        : new TrackerException(first.getMessage(), first);
    for (Throwable t : errors.subList(1, errors.size())) {
      if (t != out) {
        out.addSuppressed(t);
      }
    }
    throw out;
  }
}
