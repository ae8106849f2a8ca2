package dev.tracker.file;

import dev.tracker.Tracker;
import dev.tracker.spi.BackendConfig;
import dev.tracker.spi.BackendProvider;
import dev.tracker.spi.Backends;
import dev.tracker.spi.Secrets;
import dev.tracker.spi.TrackingBackend;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Serves {@code file:} URIs and bare paths with a {@link FileBackend}; found by {@link
 * java.util.ServiceLoader}.
 *
 * <table>
 *   <caption>URIs</caption>
 *   <tr><th>URI</th><th>root folder</th></tr>
 *   <tr><td>{@code file:./runs}, {@code file:runs}</td><td>{@code runs}, relative to the working
 *       directory</td></tr>
 *   <tr><td>{@code file:///data/runs}, {@code file:/data/runs}</td><td>{@code /data/runs}</td></tr>
 *   <tr><td>{@code runs}, {@code /data/runs}, {@code C:/runs}</td><td>the path itself</td></tr>
 * </table>
 *
 * <p>When no URI is configured (the default {@value Tracker#DEFAULT_URI}), the system property
 * {@value #DIR_PROPERTY} or else the environment variable {@value #DIR_ENV} names the root
 * instead; a URI given to the builder or in a setting, {@code file:./runs} included, wins.
 */
public final class FileBackendProvider implements BackendProvider {
  /** The system property naming the root when the URI is the default. */
  public static final String DIR_PROPERTY = "tracker.dir";
  /** The environment variable naming the root when the URI is the default. */
  public static final String DIR_ENV = "TRACKER_DIR";

  /** Creates the provider (done by {@link java.util.ServiceLoader}). */
  public FileBackendProvider() {}

  /**
   * True for {@code file:} URIs, URIs without a scheme, and Windows paths like {@code C:/x}; not
   * for the bare word {@code databricks}, which MLflow reads as its Databricks workspace ({@code
   * ./databricks} is the folder).
   */
  @Override
  public boolean supports(URI uri) {
    String scheme = uri.getScheme();
    return (scheme == null && !Backends.isDatabricks(uri))
        || (scheme != null && (scheme.equalsIgnoreCase("file") || scheme.length() == 1));
  }

  @Override
  public String artifact() {
    return "dev.tracker:tracker-file";
  }

  /**
   * Creates a backend for the URI's folder. Nothing is created here (the {@code tracker} command
   * reads through this too); {@code Tracker.build()} creates the folder and checks that it can
   * be written ({@link FileBackend#checkWritable()}).
   *
   * @throws IllegalArgumentException when the URI names no local folder, or the folder is a file
   */
  @Override
  public TrackingBackend create(BackendConfig config) {
    return FileBackend.create(root(config), config.clock(), UnaryOperator.identity());
  }

  /** The root folder for a configuration: {@value #DIR_ENV} for the default URI, else the URI's. */
  static Path root(BackendConfig config) {
    URI uri = config.uri();
    if (config.isDefaultUri()) {
      Optional<String> dir = config.setting(DIR_PROPERTY, DIR_ENV);
      if (dir.isPresent()) {
        try {
          return Path.of(dir.get());
        } catch (InvalidPathException e) {
          throw new IllegalArgumentException(DIR_PROPERTY + " / " + DIR_ENV
              + " must be a folder path but was '" + dir.get() + "': " + e.getReason());
        }
      }
    }
    return path(uri);
  }

  /** The local path a {@code file:} URI or bare path stands for. */
  static Path path(URI uri) {
    String shown = Secrets.redactUri(uri.toString());
    String scheme = uri.getScheme();
    try {
      if (scheme != null && scheme.length() == 1) {
        return Path.of(uri.toString()); // a Windows drive: C:/runs
      }
      if (uri.getFragment() != null || (!uri.isOpaque() && uri.getQuery() != null)) {
        throw new IllegalArgumentException("file URI must not have a query or fragment but was '"
            + shown + "'");
      }
      if (uri.isOpaque()) {
        return Path.of(uri.getSchemeSpecificPart()); // file:./runs, file:runs
      }
      String authority = uri.getAuthority();
      if (authority != null && !authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
        throw new IllegalArgumentException("file URI must name a local folder (file:./runs,"
            + " file:///abs/runs) but has " + (uri.getHost() != null ? "the host '"
            + uri.getHost() + "'" : "an authority") + " in '" + shown + "'");
      }
      String path = uri.getPath();
      if (path == null || path.isEmpty()) {
        throw new IllegalArgumentException("file URI must name a folder but was '" + shown + "'");
      }
      return scheme == null ? Path.of(path) : Path.of(new URI("file", null, path, null));
    } catch (InvalidPathException | URISyntaxException e) {
      throw new IllegalArgumentException("file URI must name a folder but was '" + shown + "': "
          + e.getMessage());
    }
  }
}
