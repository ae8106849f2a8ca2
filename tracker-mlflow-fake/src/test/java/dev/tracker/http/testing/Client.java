package dev.tracker.http.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import mockwebserver3.MockWebServer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Sends the fake plain requests, as any MLflow client would. */
final class Client {
  private static final MediaType JSON = MediaType.get("application/json");

  /** An answer: status and body. */
  record Answer(int code, String body) {}

  private final OkHttpClient http = new OkHttpClient();
  private final MockWebServer server;

  Client(MockWebServer server) {
    this.server = server;
  }

  Answer post(String endpoint, String json) {
    return call(new Request.Builder().url(server.url("/api/2.0/mlflow/" + endpoint))
        .post(RequestBody.create(json, JSON)).build());
  }

  Answer get(String endpointAndQuery) {
    return call(new Request.Builder().url(server.url("/api/2.0/mlflow/" + endpointAndQuery))
        .build());
  }

  /** A request to the artifact proxy: {@code /api/2.0/mlflow-artifacts/artifacts/<path>}. */
  Answer artifact(String method, String path, String body) {
    return call(new Request.Builder().url(server.url("/api/2.0/mlflow-artifacts/artifacts/"
        + path)).method(method, body == null ? null : RequestBody.create(body, null)).build());
  }

  /** Creates a run in the Default experiment and returns its id. */
  String createRun() {
    String body = post("runs/create", "{\"experiment_id\":\"0\",\"start_time\":1}").body();
    int at = body.indexOf("\"run_id\":\"") + 10;
    return body.substring(at, at + 32);
  }

  /** A log-batch body with {@code n} points of key "m" at steps 0..n-1. */
  static String batch(String runId, int n) {
    StringBuilder b = new StringBuilder("{\"run_id\":\"").append(runId).append("\",\"metrics\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append("{\"key\":\"m\",\"value\":0.5,\"timestamp\":7,\"step\":")
          .append(i).append('}');
    }
    return b.append("]}").toString();
  }

  private Answer call(Request request) {
    try (Response r = http.newCall(request).execute()) {
      return new Answer(r.code(), r.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
