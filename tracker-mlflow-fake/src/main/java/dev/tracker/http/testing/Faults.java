package dev.tracker.http.testing;

import dev.tracker.http.testing.FakeMlflowServer.Outage;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;

/**
 * What the server answers during an {@link Outage}: the failures of a server that is down, and
 * the replies of a proxy or a half-working server that make no sense to an MLflow client.
 */
final class Faults {
  /** Where {@link Outage#LOGIN_REDIRECT} sends every request. */
  static final String LOGIN_PATH = "/login";

  private Faults() {}

  /** The answer instead of the server's, or null when the server answers (perhaps slowly). */
  static MockResponse instead(Outage outage, String path) {
    return switch (outage) {
      case NONE, SLOW_DRIP -> null;
      case UNAVAILABLE -> Wire.error(503, "TEMPORARILY_UNAVAILABLE", "the server is unavailable");
      case DISCONNECT -> FakeMlflowServer.disconnect();
      case BLACK_HOLE -> new MockResponse.Builder()
          .onResponseStart(SocketEffect.Stall.INSTANCE).build();
      case EMPTY_OBJECT -> body("application/json", "{}");
      case HTML -> body("text/html", "<html><body><h1>It works!</h1></body></html>");
      case TRUNCATED_JSON -> body("application/json", "{\"run\": {\"info\": {\"run_id\": \"4f");
      case LOGIN_REDIRECT -> path.equals(LOGIN_PATH)
          ? body("text/html", "<html><form action=\"/login\">Sign in</form></html>")
          : new MockResponse.Builder().code(302).addHeader("Location", LOGIN_PATH).build();
    };
  }

  /** The server's answer, sent a byte a second. */
  static MockResponse drip(MockResponse answer) {
    return answer.newBuilder().throttleBody(1, 1, TimeUnit.SECONDS).build();
  }

  private static MockResponse body(String contentType, String body) {
    return new MockResponse.Builder().code(200).addHeader("Content-Type", contentType)
        .body(body).build();
  }
}
