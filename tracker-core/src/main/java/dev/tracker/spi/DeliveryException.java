package dev.tracker.spi;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * A backend's verdict on a write that did not (wholly) succeed. A backend is a synchronous
 * translator: it tries an operation once and, when that fails, says what kind of failure it was;
 * the delivery layer in core decides what to do (retry with back-off, report, move on).
 *
 * <ul>
 *   <li>{@link Kind#TRANSIENT}: try again later; nothing is lost (I/O errors, timeouts, 408, 429,
 *       5xx, and any reply that makes no sense: {@code 200 {}}, HTML, truncated JSON, a redirect
 *       to a login page);
 *   <li>{@link Kind#BLOCKED}: like transient, kept and retried, but reported at the next flush,
 *       since waiting alone will not cure it (refused credentials, a failed TLS handshake, a URL
 *       that is not an MLflow server);
 *   <li>{@link Kind#REJECTED}: the server refused some records, named by {@link #rejected()}, and
 *       took the rest; reported, not retried;
 *   <li>{@link Kind#PERMANENT}: the operation can never succeed (the run does not exist, the
 *       experiment is deleted); reported, not retried.
 * </ul>
 *
 * <p>Any other {@link IOException} a backend throws counts as transient, any other runtime
 * exception as permanent.
 */
public final class DeliveryException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure, deciding what the delivery layer does. */
  public enum Kind {
    /** Retry later. */
    TRANSIENT,
    /** Retry later, and report at the next flush. */
    BLOCKED,
    /** Some records were refused by key, the rest delivered. */
    REJECTED,
    /** Never retried; reported. */
    PERMANENT
  }

  /**
   * A record the server refused.
   *
   * @param kind "metric", "param" or "tag"
   * @param key the record's key
   * @param reason why, as the server (or the backend) said it
   */
  public record Rejected(String kind, String key, String reason) {
    @Override
    public String toString() {
      return kind + " '" + key + "': " + reason;
    }
  }

  private final Kind kind;
  private final transient Duration retryAfter;
  private final transient List<Rejected> rejected;
  private final int delivered;

  private DeliveryException(Kind kind, String message, Throwable cause, Duration retryAfter,
      List<Rejected> rejected, int delivered) {
    super(message, cause);
    this.kind = kind;
    this.retryAfter = retryAfter;
    this.rejected = List.copyOf(rejected);
    this.delivered = delivered;
  }

  /** A failure worth retrying; {@code retryAfter} (may be null) is the server's wish. */
  public static DeliveryException transientFailure(String message, Throwable cause,
      Duration retryAfter) {
    return new DeliveryException(Kind.TRANSIENT, message, cause, retryAfter, List.of(), 0);
  }

  /**
   * An HTTP {@code Retry-After} value as a wait: seconds, or an HTTP date (RFC 1123) counted from
   * {@code now}; never negative.
   *
   * @return the wait, or null when the header is absent or unreadable
   */
  public static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String v = header.trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration d = Duration.between(now,
            ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException unreadable) {
        return null;
      }
    }
  }

  /** A failure that is retried and reported: it needs a person (credentials, TLS, URL). */
  public static DeliveryException blocked(String message, Throwable cause) {
    return new DeliveryException(Kind.BLOCKED, message, cause, null, List.of(), 0);
  }

  /** Some records refused, every other record of the operation delivered. */
  public static DeliveryException rejected(String message, List<Rejected> rejected) {
    return new DeliveryException(Kind.REJECTED, message, null, null, rejected, 0);
  }

  /** A failure that retrying cannot cure. */
  public static DeliveryException permanent(String message, Throwable cause) {
    return new DeliveryException(Kind.PERMANENT, message, cause, null, List.of(), 0);
  }

  /**
   * The same failure, saying that the first {@code records} records of the batch (metrics, then
   * params, then tags) were delivered before it: a retry sends only the rest.
   */
  public DeliveryException afterDelivering(int records) {
    DeliveryException e = new DeliveryException(kind, getMessage(), getCause(), retryAfter,
        rejected, records);
    e.setStackTrace(getStackTrace());
    return e;
  }

  /** The kind of failure. */
  public Kind kind() {
    return kind;
  }

  /** How long the server asked to wait ({@code Retry-After}), if it did. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** The refused records, for {@link Kind#REJECTED}. */
  public List<Rejected> rejected() {
    return rejected;
  }

  /** How many leading records of a batch were delivered before the failure. */
  public int delivered() {
    return delivered;
  }
}
