package dev.tracker.http;

import dev.tracker.TrackerException;
import dev.tracker.spi.Secrets;
import java.net.URI;
import okhttp3.HttpUrl;

/** Where a run's artifacts are uploaded: the server's artifact proxy ({@code mlflow-artifacts}). */
final class ArtifactLocation {
  static final String PROXY = "api/2.0/mlflow-artifacts/artifacts";

  private ArtifactLocation() {}

  /**
   * The URL under which the run's artifact paths are PUT.
   *
   * @param tracking the tracking server's base URL
   * @param artifactUri the run's {@code artifact_uri}: {@code mlflow-artifacts:/<exp>/<run>/
   *     artifacts}, {@code mlflow-artifacts://host:port/…}, or an {@code http(s)://…/
   *     mlflow-artifacts/artifacts/…} URL
   * @throws TrackerException for any other location, which only the server itself can write
   */
  static HttpUrl resolve(HttpUrl tracking, String artifactUri, String run) {
    URI uri;
    try {
      uri = artifactUri == null ? null : URI.create(artifactUri);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri != null && "mlflow-artifacts".equalsIgnoreCase(uri.getScheme())) {
      HttpUrl.Builder b = tracking.newBuilder();
      if (uri.getHost() != null) {
        b.host(uri.getHost());
        if (uri.getPort() != -1) {
          b.port(uri.getPort());
        }
      }
      b.addPathSegments(PROXY);
      String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
      if (!path.isEmpty()) {
        b.addPathSegments(path);
      }
      return b.build();
    }
    if (uri != null && ("http".equalsIgnoreCase(uri.getScheme())
        || "https".equalsIgnoreCase(uri.getScheme()))) {
      HttpUrl url = HttpUrl.parse(artifactUri);
      if (url != null && url.encodedPath().contains("/mlflow-artifacts/artifacts")) {
        return url;
      }
    }
    throw new TrackerException(run + " stores artifacts at '" + Secrets.redact(artifactUri)
        + "', which the tracking server does not serve: artifacts are uploaded through MLflow's"
        + " artifact proxy only. Start the server with artifact serving (mlflow server"
        + " --serve-artifacts, the default since MLflow 2.0) and log to an experiment whose"
        + " artifact location is mlflow-artifacts:/…");
  }
}
