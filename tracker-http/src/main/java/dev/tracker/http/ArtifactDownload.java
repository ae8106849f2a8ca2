package dev.tracker.http;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Reads a run's artifact back through the server's artifact proxy ({@code GET
 * api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>}), streamed.
 */
final class ArtifactDownload {
  private ArtifactDownload() {}

  /**
   * Opens the artifact; closing the stream closes the response.
   *
   * @throws FileNotFoundException when the server has no such artifact (404)
   * @throws IllegalArgumentException when the path is absolute or has '.', '..' or empty segments
   */
  static InputStream open(OkHttpClient client, HttpUrl tracking, Dto.Run run, String artifactPath)
      throws IOException {
    return open(client, ArtifactLocation.resolve(tracking, run.artifactUri(), "run " + run.id()),
        artifactPath, "run " + run.id());
  }

  /** Opens {@code artifactPath} under the proxy URL {@code root} ({@code root} itself when empty). */
  static InputStream open(OkHttpClient client, HttpUrl root, String artifactPath, String owner)
      throws IOException {
    HttpUrl.Builder url = root.newBuilder();
    for (String segment : artifactPath.isEmpty() ? new String[0] : artifactPath.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("artifact path must be relative with no '.', '..' or"
            + " empty segments but was '" + artifactPath + "'");
      }
      url.addPathSegment(segment);
    }
    Response response = client.newCall(new Request.Builder().url(url.build()).get().build())
        .execute();
    if (response.isSuccessful()) {
      return response.body().byteStream();
    }
    int code = response.code();
    response.close();
    if (code == 404) {
      throw new FileNotFoundException("no artifact '" + artifactPath + "' in " + owner);
    }
    throw new IOException("GET artifact '" + artifactPath + "' of " + owner
        + " failed with HTTP " + code);
  }
}
