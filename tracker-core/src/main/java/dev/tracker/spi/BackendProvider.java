package dev.tracker.spi;

import java.net.URI;

/**
 * Creates backends for the URI schemes it supports. Registered in
 * {@code META-INF/services/dev.tracker.spi.BackendProvider} and found with
 * {@link java.util.ServiceLoader}.
 *
 * <p>{@link #supports(URI)} must be cheap and do no I/O; {@link #create(BackendConfig)} may.
 */
public interface BackendProvider {
  /** True when this provider handles the URI (usually decided by its scheme). */
  boolean supports(URI uri);

  /** The Maven coordinates of the artifact that holds this provider, for messages. */
  default String artifact() {
    return getClass().getName();
  }

  /** Creates a backend for {@link BackendConfig#uri()}. */
  TrackingBackend create(BackendConfig config);
}
