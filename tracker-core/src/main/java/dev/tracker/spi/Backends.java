package dev.tracker.spi;

import dev.tracker.TrackerException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds the {@link BackendProvider} for a URI among those on the class path. */
public final class Backends {
  private Backends() {}

  /**
   * Creates the backend for {@code config.uri()} with the first provider that supports it.
   *
   * @throws TrackerException when no provider supports the URI, naming the artifact to add
   */
  public static TrackingBackend create(BackendConfig config) {
    URI uri = config.uri();
    List<BackendProvider> providers = new ArrayList<>();
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class, classLoader())) {
      providers.add(p);
    }
    for (BackendProvider p : providers) {
      if (p.supports(uri)) {
        return p.create(config);
      }
    }
    String scheme = isDatabricks(uri) ? "databricks"
        : uri.getScheme() == null ? "file" : uri.getScheme();
    throw new TrackerException("no backend for URI scheme '" + scheme + "' ("
        + Secrets.redactUri(uri.toString()) + "); add " + artifactFor(scheme)
        + " to the class path");
  }

  /**
   * True for MLflow's Databricks tracking URIs: {@code databricks} and {@code
   * databricks://profile}. MLflow never reads the bare word as a path, so neither does a file
   * backend.
   */
  public static boolean isDatabricks(URI uri) {
    return "databricks".equalsIgnoreCase(uri.getScheme())
        || (uri.getScheme() == null && "databricks".equals(uri.toString()));
  }

  /**
   * Runs the backend's {@link TrackingBackend#checkWritable()}; when it fails, closes the backend
   * and throws.
   *
   * @return the backend
   * @throws TrackerException naming the backend and the reason, with the failure as cause
   */
  public static TrackingBackend checkWritable(TrackingBackend backend) {
    try {
      backend.checkWritable();
      return backend;
    } catch (IOException e) {
      TrackerException failure = new TrackerException(backend.describe()
          + " cannot store records: " + e.getMessage(), e);
      try {
        backend.close();
      } catch (Exception closing) {
        failure.addSuppressed(closing);
      }
      throw failure;
    }
  }

  private static String artifactFor(String scheme) {
    switch (scheme) {
      case "file":
        return "dev.tracker:tracker-file";
      case "http":
      case "https":
      case "databricks":
        return "dev.tracker:tracker-http";
      default:
        return "a dev.tracker backend for '" + scheme + "' (dev.tracker:tracker-file serves"
            + " file:, dev.tracker:tracker-http serves http: and https:)";
    }
  }

  private static ClassLoader classLoader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : Backends.class.getClassLoader();
  }
}
