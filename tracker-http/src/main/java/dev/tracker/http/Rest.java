package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
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
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON over HTTP to one MLflow server, with retries. Every response is closed; credentials are
 * added by an interceptor of the client and never appear in a URL, a log line or a message.
 */
final class Rest {
  static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  static final String API = "api/2.0/mlflow/";

  private static final Logger log = LoggerFactory.getLogger(MlflowBackend.class);
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final OkHttpClient client;
  private final HttpUrl base;
  private final String server;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final LongSupplier nanoTime;
  private final InstantSource clock;
  private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicLong lastWarn = new AtomicLong(Long.MIN_VALUE);
  // The Retry-After of the latest retryable answer, until taken: the spool's drainer tries once
  // per round and must wait at least this long before its next round.
  private final AtomicReference<Duration> lastRetryAfter = new AtomicReference<>();
  private volatile boolean closed;

  Rest(OkHttpClient client, HttpUrl base, String server, Sleeper sleeper, DoubleSupplier random,
      LongSupplier nanoTime, InstantSource clock) {
    this.client = client;
    this.base = base;
    this.server = server;
    this.sleeper = sleeper;
    this.random = random;
    this.nanoTime = nanoTime;
    this.clock = clock;
  }

  /** The server's base URL, without credentials. */
  HttpUrl base() {
    return base;
  }

  /** The URL of an endpoint under {@code api/2.0/mlflow/}, e.g. {@code runs/log-batch}. */
  HttpUrl endpoint(String endpoint) {
    return base.newBuilder().addPathSegments(API + endpoint).build();
  }

  JsonNode get(String endpoint, Map<String, String> query, RetryPolicy policy)
      throws IOException {
    HttpUrl.Builder url = endpoint(endpoint).newBuilder();
    query.forEach((k, v) -> {
      if (v != null) {
        url.addQueryParameter(k, v);
      }
    });
    return call(new Request.Builder().url(url.build()).get().build(), "GET " + endpoint, policy);
  }

  JsonNode post(String endpoint, byte[] json, RetryPolicy policy) throws IOException {
    return post(endpoint, json, policy, null);
  }

  /**
   * Posts; before each retry {@code beforeRetry} may answer instead (for a create whose first
   * attempt may have reached the server although its answer was lost).
   */
  JsonNode post(String endpoint, byte[] json, RetryPolicy policy, BeforeRetry beforeRetry)
      throws IOException {
    Request request = new Request.Builder().url(endpoint(endpoint))
        .post(RequestBody.create(json, JSON)).build();
    return call(request, "POST " + endpoint, policy, beforeRetry);
  }

  /** Looks, before a retry, whether the first attempt took effect after all. */
  @FunctionalInterface
  interface BeforeRetry {
    /** The answer to use instead of retrying, or null to retry. */
    JsonNode check() throws IOException;
  }

  JsonNode put(HttpUrl url, RequestBody body, String what, RetryPolicy policy)
      throws IOException {
    return call(new Request.Builder().url(url).put(body).build(), what, policy);
  }

  /**
   * The {@code Retry-After} of the latest retryable answer since the last call, or null; forgets
   * it.
   */
  Duration takeRetryAfter() {
    return lastRetryAfter.getAndSet(null);
  }

  /** Cancels the calls in flight (at close, after a grace period). */
  void cancelAll() {
    for (Call c : inFlight) {
      c.cancel();
    }
  }

  /**
   * Cancels the calls in flight and makes every later call fail at once without retrying: what
   * was being sent then goes to the spool instead of holding up a thread after close.
   */
  void close() {
    closed = true;
    cancelAll();
  }

  /**
   * Sends the request, retrying I/O errors and 408, 429, 500, 502, 503, 504 per the policy.
   *
   * @throws UnreachableException when the retries ran out, the budget was spent, or TLS failed
   * @throws MlflowServerException when the server answered with an error not worth retrying
   */
  JsonNode call(Request request, String what, RetryPolicy policy) throws IOException {
    return call(request, what, policy, null);
  }

  private JsonNode call(Request request, String what, RetryPolicy policy,
      BeforeRetry beforeRetry) throws IOException {
    long start = nanoTime.getAsLong();
    for (int attempt = 1; ; attempt++) {
      if (closed) {
        throw new UnreachableException(what + " to " + server + " was not sent: the backend is"
            + " closed", null, false);
      }
      if (attempt > 1 && beforeRetry != null) {
        try {
          JsonNode answer = beforeRetry.check();
          if (answer != null) {
            return answer;
          }
        } catch (UnreachableException stillDown) {
          // then the create cannot have been seen either way; retry it
        }
      }
      Duration retryAfter = null;
      String failure;
      IOException cause = null;
      Call call = client.newCall(request);
      inFlight.add(call);
      try (Response response = call.execute()) {
        int code = response.code();
        if (response.isSuccessful()) {
          ResponseBody body = response.body();
          return Json.parse(body.bytes());
        }
        String text = errorBody(response.body());
        if (!RetryPolicy.isRetryable(code)) {
          throw serverError(what, code, text);
        }
        failure = "HTTP " + code + describe(text);
        retryAfter = retryAfter(response.header("Retry-After"));
        if (retryAfter != null) {
          lastRetryAfter.set(retryAfter);
        }
      } catch (SSLHandshakeException | SSLPeerUnverifiedException e) {
        throw tlsFailure(what, e);
      } catch (SSLException e) {
        if (e.getCause() instanceof CertificateException) {
          throw tlsFailure(what, e);
        }
        failure = e.toString();
        cause = e;
      } catch (IOException e) {
        failure = e.toString();
        cause = e;
      } finally {
        inFlight.remove(call);
      }
      if (Thread.currentThread().isInterrupted() || closed) {
        throw unreachable(what, attempt, failure, cause);
      }
      if (attempt > policy.maxRetries()) {
        throw unreachable(what, attempt, failure, cause);
      }
      Duration delay = policy.delay(attempt, retryAfter, random.getAsDouble());
      if (policy.budget() != null
          && nanoTime.getAsLong() - start + delay.toNanos() > policy.budget().toNanos()) {
        throw unreachable(what, attempt, failure + "; giving up after "
            + policy.budget().toSeconds() + " s", cause);
      }
      warn("{} to {} failed (attempt {} of {}): {}; retrying in {} ms", what, server, attempt,
          policy.maxRetries() + 1, failure, delay.toMillis());
      try {
        sleeper.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        InterruptedIOException io = new InterruptedIOException(
            "interrupted while waiting to retry " + what);
        io.initCause(e);
        throw new UnreachableException(what + " to " + server + " was interrupted", io, false);
      }
    }
  }

  // WARN per failed attempt, at most every ten seconds; DEBUG in between.
  private void warn(String format, Object... args) {
    long now = nanoTime.getAsLong();
    long last = lastWarn.get();
    if ((last == Long.MIN_VALUE || now - last >= WARN_EVERY_NANOS)
        && lastWarn.compareAndSet(last, now)) {
      log.warn(format, args);
    } else {
      log.debug(format, args);
    }
  }

  private UnreachableException unreachable(String what, int attempts, String failure,
      IOException cause) {
    return new UnreachableException(what + " to " + server + " failed after " + attempts
        + (attempts == 1 ? " attempt: " : " attempts: ") + failure, cause, false);
  }

  private UnreachableException tlsFailure(String what, IOException e) {
    return new UnreachableException(what + " to " + server + " failed: the TLS handshake"
        + " failed (" + e.getMessage() + "); if the server uses a private or self-signed"
        + " certificate, set MLFLOW_TRACKING_SERVER_CERT_PATH to its CA certificate (PEM), or"
        + " MLFLOW_TRACKING_INSECURE_TLS=true to skip verification", e, true);
  }

  private static MlflowServerException serverError(String what, int code, String text) {
    String errorCode = null;
    String message = text.strip();
    if (message.startsWith("{")) {
      try {
        JsonNode node = Json.MAPPER.readTree(text);
        if (node.has("error_code") || node.has("message")) {
          errorCode = Json.text(node, "error_code");
          message = Json.text(node, "message");
        }
      } catch (IOException notJson) {
        // keep the raw text
      }
    }
    return new MlflowServerException(what, code, errorCode, printable(message));
  }

  private static String describe(String text) {
    MlflowServerException e = serverError("", 0, text);
    String detail = (e.errorCode() == null ? "" : e.errorCode())
        + (e.serverMessage().isEmpty() ? "" : (e.errorCode() == null ? "" : ": ")
        + e.serverMessage());
    return detail.isEmpty() ? "" : " " + detail;
  }

  // An error body may be HTML from a proxy: keep its start, on one line.
  private static String printable(String s) {
    if (s == null) {
      return null;
    }
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() <= 500 ? one : one.substring(0, 500) + "…";
  }

  private static String errorBody(ResponseBody body) {
    try {
      BufferedSource source = body.source();
      source.request(MAX_ERROR_BODY);
      long n = Math.min(source.getBuffer().size(), MAX_ERROR_BODY);
      return source.getBuffer().readString(n, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** A {@code Retry-After} value: seconds, or an HTTP date; null when absent or unreadable. */
  Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String v = header.trim();
    try {
      long seconds = Long.parseLong(v);
      return Duration.ofSeconds(Math.max(0, seconds));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(clock.instant(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException unreadable) {
        return null;
      }
    }
  }
}
