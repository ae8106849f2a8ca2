package dev.tracker.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.spi.DeliveryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * JSON over HTTP to one MLflow server: one attempt per call, every failure classified for the
 * delivery layer in core, which retries. Every response is closed; credentials are added by an
 * interceptor of the client and never appear in a URL, a log line or a message.
 *
 * <ul>
 *   <li>an I/O error, 408, 429, 500, 502, 503, 504, and any reply that is not what MLflow
 *       answers (a 200 whose body is not JSON: HTML, a login page after a redirect, truncated
 *       JSON; another 4xx or 5xx without MLflow's error code, a proxy's page) → a transient
 *       {@link DeliveryException}, with the server's {@code Retry-After};
 *   <li>a failed TLS handshake → a blocked {@link DeliveryException} (retried, and reported);
 *   <li>any other HTTP error → {@link MlflowServerException}, which callers classify.
 * </ul>
 */
final class Rest {
  static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final String API = "api/2.0/mlflow/";

  private static final int MAX_ERROR_BODY = 64 * 1024;
  /** The largest reply read to a write (MLflow answers {@code {}} or one run). */
  static final long MAX_WRITE_REPLY = 1 << 20;
  /** The largest reply read to a GET or a search (a page of runs or of a metric's history). */
  static final long MAX_READ_REPLY = 128 << 20;

  private final OkHttpClient client;
  private final HttpUrl base;
  private final String server;
  private final InstantSource clock;
  private volatile boolean closed;
  private final Set<Call> calls = ConcurrentHashMap.newKeySet();

  Rest(OkHttpClient client, HttpUrl base, String server, InstantSource clock) {
    this.client = client;
    this.base = base;
    this.server = server;
    this.clock = clock;
  }

  /** The server's base URL, without credentials. */
  HttpUrl base() {
    return base;
  }

  /** The server, without credentials, for messages. */
  String server() {
    return server;
  }

  /** Gets an endpoint with the query parameters given as names and values; null values left out. */
  JsonNode get(String endpoint, String... query) throws IOException {
    HttpUrl.Builder url = base.newBuilder().addPathSegments(API + endpoint);
    for (int i = 0; i + 1 < query.length; i += 2) {
      if (query[i + 1] != null) {
        url.addQueryParameter(query[i], query[i + 1]);
      }
    }
    return call(new Request.Builder().url(url.build()).get().build(), "GET " + endpoint);
  }

  /** Posts {@code body}: JSON bytes, or a value {@link Dto#MAPPER} writes as JSON. */
  JsonNode post(String endpoint, Object body) throws IOException {
    byte[] json = body instanceof byte[] bytes ? bytes : Dto.bytes(body);
    Request request = new Request.Builder().url(base.newBuilder().addPathSegments(API + endpoint)
        .build()).post(RequestBody.create(json, JSON)).build();
    return call(request, "POST " + endpoint);
  }

  JsonNode put(HttpUrl url, RequestBody body, String what) throws IOException {
    return call(new Request.Builder().url(url).put(body).build(), what);
  }

  /**
   * A part of a reply to {@code what} as a wire record; an absent part reads as {@code {}}.
   *
   * @throws DeliveryException (transient) when it cannot be read as one
   */
  <T> T read(String what, JsonNode reply, String field, Class<T> type) throws DeliveryException {
    JsonNode node = field == null ? reply : reply.path(field);
    try {
      T value = Dto.MAPPER.treeToValue(node.isMissingNode() ? Dto.MAPPER.createObjectNode()
          : node, type);
      if (value == null) { // a null item of a list, which callers must never see
        throw unexpected(what, "expected a JSON object but was null");
      }
      return value;
    } catch (JsonProcessingException | IllegalArgumentException bad) {
      String why = bad instanceof JsonProcessingException j ? j.getOriginalMessage()
          : bad.getMessage();
      throw unexpected(what, printable(why, 200) + " in " + printable(reply.toString(), 200));
    }
  }

  /**
   * Cancels the calls in flight and makes every later call fail at once: a request to a server
   * that does not answer must not hold a thread after close. The calls are kept here, not only
   * in the dispatcher: OkHttp's dispatcher lets go of a call once its headers arrive, while its
   * body (a reply, an error body) may still drip in.
   */
  void close() {
    closed = true;
    calls.forEach(Call::cancel);
  }

  /** A reply that is not what MLflow answers to {@code what}: retried, like an I/O error. */
  DeliveryException unexpected(String what, String detail) {
    return DeliveryException.transientFailure(what + " to " + server + " got an unexpected"
        + " reply: " + detail, null, null);
  }

  /**
   * Sends the request once.
   *
   * @throws DeliveryException for a failure worth retrying (or blocked, for TLS)
   * @throws MlflowServerException when the server answered with an error not worth retrying
   */
  JsonNode call(Request request, String what) throws IOException {
    if (closed) {
      throw DeliveryException.transientFailure(what + " to " + server + " was not sent: the"
          + " backend is closed", null, null);
    }
    Call c = client.newCall(request);
    if (client.callTimeoutMillis() == 0 && client.readTimeoutMillis() > 0) {
      // read and write timeouts are per read and write: a reply, or a reader of the request,
      // dripping a byte at a time would hold a lane or an interactive command for ever. A
      // silent server still meets the read timeout first; an upload gets more time with its
      // size, as at 16 kB/s
      long size = request.body() == null ? 0 : Math.max(0, request.body().contentLength());
      c.timeout().timeout(client.readTimeoutMillis() + 1000 + size / 16, TimeUnit.MILLISECONDS);
    }
    calls.add(c);
    if (closed) {
      c.cancel(); // close() came between the check above and the add
    }
    try (Response response = c.execute()) {
      int code = response.code();
      if (response.isSuccessful() && !response.request().method().equals(request.method())) {
        // a 301, 302 or 303 turns a POST into a GET, which sends nothing: not a delivery
        throw unexpected(what, "HTTP " + response.priorResponse().code() + " redirect to "
            + response.request().url().redact() + " turned the " + request.method() + " into a "
            + response.request().method());
      }
      if (response.isSuccessful()) {
        return parse(what, response);
      }
      Dto.Error error = error(errorBody(response));
      // an error that is not MLflow's (a proxy's page, Cloudflare's 52x, nginx's 413, a WAF's
      // 400) is no verdict on the records: retried, like the 5xx statuses that pass; 401, 403,
      // 404 and 405 without a code are MLflow's own (its auth, Flask), which callers classify
      if (!isRetryable(code) && !(error.errorCode() == null && code != 401 && code != 403
          && code != 404 && code != 405)) {
        throw new MlflowServerException(what, code, error.errorCode(), error.message());
      }
      String detail = Stream.of(error.errorCode(), error.message())
          .filter(s -> s != null && !s.isEmpty()).collect(Collectors.joining(": "));
      throw DeliveryException.transientFailure(what + " to " + server + " failed: HTTP " + code
          + (detail.isEmpty() ? "" : " " + detail), null,
          DeliveryException.retryAfter(response.header("Retry-After"), clock.instant()));
    } catch (SSLHandshakeException | SSLPeerUnverifiedException e) {
      throw tlsFailure(what, e);
    } catch (SSLException e) {
      if (e.getCause() instanceof CertificateException) {
        throw tlsFailure(what, e);
      }
      throw ioFailure(what, e);
    } catch (DeliveryException | MlflowServerException e) {
      throw e;
    } catch (IOException e) {
      throw ioFailure(what, e);
    } catch (RuntimeException e) {
      // OkHttp's own reading of a reply it follows up (a 503's Retry-After past 2^31 s throws
      // NumberFormatException): no verdict on the request, so not a permanent failure
      throw unexpected(what, e.toString());
    } finally {
      calls.remove(c);
    }
  }

  private JsonNode parse(String what, Response response) throws IOException {
    long max = response.request().method().equals("GET") || what.endsWith("search")
        ? MAX_READ_REPLY : MAX_WRITE_REPLY;
    BufferedSource body = response.body().source();
    if (body.request(max + 1)) { // counts inflated bytes: a gzip bomb stops here too
      throw unexpected(what, "HTTP " + response.code() + " with a body of more than " + max
          + " bytes");
    }
    byte[] bytes = body.readByteArray();
    JsonNode node;
    try {
      node = bytes.length == 0 ? Dto.MAPPER.createObjectNode() : Dto.MAPPER.readTree(bytes);
    } catch (IOException notJson) {
      node = null;
    }
    if (node != null && node.isObject() && !node.hasNonNull("error_code")) {
      return node;
    }
    String type = response.header("Content-Type");
    throw unexpected(what, "HTTP " + response.code() + (type == null ? "" : " (" + type + ")")
        + " with a body that is " + (node == null ? "not JSON"
            : node.isObject() ? "an MLflow error" : "not a JSON object")
        + (response.priorResponse() == null ? ""
            : ", after a redirect to " + response.request().url().redact())
        + ": " + printable(new String(bytes, StandardCharsets.UTF_8), 200));
  }

  /** The statuses worth retrying: timeouts, rate limits and server errors that pass. */
  private static boolean isRetryable(int status) {
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503
        || status == 504;
  }

  private DeliveryException ioFailure(String what, IOException e) {
    return DeliveryException.transientFailure(what + " to " + server + " failed: " + e, e, null);
  }

  private DeliveryException tlsFailure(String what, IOException e) {
    return DeliveryException.blocked(what + " to " + server + " failed: the TLS handshake"
        + " failed (" + e.getMessage() + "); if the server uses a private or self-signed"
        + " certificate, set MLFLOW_TRACKING_SERVER_CERT_PATH to its CA certificate (PEM), or"
        + " MLFLOW_TRACKING_INSECURE_TLS=true to skip verification", e);
  }

  /** MLflow's error reply, or the body's start as its message when it is not one. */
  private static Dto.Error error(String text) {
    if (text.strip().startsWith("{")) {
      try {
        Dto.Error e = Dto.MAPPER.readValue(text, Dto.Error.class);
        if (e.errorCode() != null || e.message() != null) {
          return new Dto.Error(e.errorCode(), printable(e.message(), 500));
        }
      } catch (IOException notJson) {
        // keep the raw text
      }
    }
    return new Dto.Error(null, printable(text, 500));
  }

  /** Text for a message: its start, on one line (an error body may be HTML from a proxy). */
  static String printable(String s, int max) {
    if (s == null) {
      return null;
    }
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() <= max ? one : one.substring(0, max) + "…";
  }

  private static String errorBody(Response response) {
    try {
      return response.peekBody(MAX_ERROR_BODY).string();
    } catch (IOException e) {
      return "";
    }
  }

}
