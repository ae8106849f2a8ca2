package dev.tracker.spi;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a remote backend wants its writes delivered: journal-first. A backend that returns one
 * from {@link TrackingBackend#remoteDelivery()} has every write appended to a local journal under
 * {@code journalDirectory} by the tracker's dispatcher, and delivered from there by the
 * tracker's uploader, with retries; a journal left by a process that ended before delivering it
 * is delivered by the next tracker for the same directory, or by {@code tracker sync}.
 *
 * @param journalDirectory where the journals of this server live (one folder per server)
 * @param server the server, without credentials, for messages
 * @param initialBackoff the wait before the first retry, doubled for each next one
 * @param maxBackoff the longest wait between two attempts, {@code Retry-After} included
 * @param jitter at most this much added at random to each back-off
 */
public record RemoteDelivery(Path journalDirectory, String server, Duration initialBackoff,
    Duration maxBackoff, Duration jitter) {
  /** The default first back-off: 2 s (MLflow's back-off factor). */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(2);
  /** The default longest back-off: 60 s. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(60);
  /** The default jitter: 1 s (MLflow's). */
  public static final Duration DEFAULT_JITTER = Duration.ofSeconds(1);

  /** Checks the values. */
  public RemoteDelivery {
    Objects.requireNonNull(journalDirectory, "journalDirectory");
    Objects.requireNonNull(server, "server");
    if (initialBackoff.isNegative() || maxBackoff.isNegative() || jitter.isNegative()) {
      throw new IllegalArgumentException("back-off durations must not be negative but were "
          + initialBackoff + ", " + maxBackoff + ", " + jitter);
    }
  }

  // user info, a host name java.net.URI does not take (mlflow_server), a port
  private static final Pattern REGISTRY_AUTHORITY =
      Pattern.compile("(?:.*@)?([^@:]*)(?::(\\d{1,5}))?");

  /**
   * The journal folder of a server under {@code root}: {@code root/<16 hex characters>}, the
   * start of the SHA-256 of the server URL without credentials, trailing '/' or default port
   * (80 for http, 443 for https), so that every spelling of one server shares its journals.
   */
  public static Path journalDirectory(Path root, URI server) {
    String scheme = server.getScheme() == null ? "" : server.getScheme().toLowerCase(Locale.ROOT);
    String host = server.getHost() == null ? "" : server.getHost().toLowerCase(Locale.ROOT);
    int port = server.getPort();
    if (server.getHost() == null && server.getRawAuthority() != null) {
      // a host name java.net.URI does not take (mlflow_server:5000), which OkHttp does
      Matcher m = REGISTRY_AUTHORITY.matcher(server.getRawAuthority());
      if (m.matches()) {
        host = m.group(1).toLowerCase(Locale.ROOT);
        port = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
      }
    }
    if (port == -1) {
      port = "https".equals(scheme) ? 443 : 80;
    }
    String path = server.getPath() == null ? "" : server.getPath().replaceAll("/+$", "");
    String normal = scheme + "://" + host + ":" + port + path;
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(normal.getBytes(StandardCharsets.UTF_8));
      return root.resolve(HexFormat.of().formatHex(d, 0, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The default back-off for a journal directory. */
  public static RemoteDelivery of(Path journalDirectory, String server) {
    return new RemoteDelivery(journalDirectory, server, DEFAULT_INITIAL_BACKOFF,
        DEFAULT_MAX_BACKOFF, DEFAULT_JITTER);
  }
}
