package dev.tracker.http;

import java.io.IOException;

/**
 * The server could not be reached, or kept answering with a transient error, until the retries
 * ran out. What was being sent goes to the spool.
 */
final class UnreachableException extends IOException {
  private static final long serialVersionUID = 1L;

  private final boolean tls;

  UnreachableException(String message, Throwable cause, boolean tls) {
    super(message, cause);
    this.tls = tls;
  }

  /** True when the TLS handshake failed: a configuration problem that waiting does not fix. */
  boolean isTls() {
    return tls;
  }
}
