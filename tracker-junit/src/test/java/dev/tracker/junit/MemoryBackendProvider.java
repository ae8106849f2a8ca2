package dev.tracker.junit;

import dev.tracker.spi.BackendConfig;
import dev.tracker.spi.BackendProvider;
import dev.tracker.spi.TrackingBackend;
import dev.tracker.testing.RecordingBackend;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves {@code memory:<name>} with a {@link RecordingBackend} shared by name, so that a test can
 * configure the extension by URI (as a user does) and then read what the runs recorded.
 */
public final class MemoryBackendProvider implements BackendProvider {
  private static final Map<String, RecordingBackend> BACKENDS = new ConcurrentHashMap<>();
  private static final AtomicInteger NEXT = new AtomicInteger();

  /** A URI no test used before. */
  static String newUri() {
    return "memory:backend-" + NEXT.incrementAndGet();
  }

  /** The backend that {@code uri} is served by. */
  static RecordingBackend backend(String uri) {
    return BACKENDS.computeIfAbsent(URI.create(uri).getSchemeSpecificPart(),
        k -> new RecordingBackend());
  }

  @Override
  public boolean supports(URI uri) {
    return "memory".equals(uri.getScheme());
  }

  @Override
  public TrackingBackend create(BackendConfig config) {
    return backend(config.uri().toString());
  }
}
