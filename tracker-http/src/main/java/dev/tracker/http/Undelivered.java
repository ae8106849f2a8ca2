package dev.tracker.http;

import java.io.IOException;

/** An operation (or what is left of a batch) that could not reach the server: spool it. */
final class Undelivered extends IOException {
  private static final long serialVersionUID = 1L;

  final transient Op remaining;

  Undelivered(Op remaining, IOException cause) {
    super(cause.getMessage(), cause);
    this.remaining = remaining;
  }
}
