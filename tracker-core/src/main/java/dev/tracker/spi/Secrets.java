package dev.tracker.spi;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/** Removes credentials from text that goes to logs, messages and {@code toString()}. */
public final class Secrets {
  // scheme://user:password@host or scheme://token@host, up to the last '@' of the authority:
  // a password with an unencoded '@' (which Python's URL parsing accepts) is removed whole
  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/?#\\s]*@");

  private Secrets() {}

  /** Replaces the user info of every URI in {@code text} by {@code ***@}. Null stays null. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    return USER_INFO.matcher(text).replaceAll("***@");
  }

  /**
   * A text that is one URI, without its user info. As {@link #redact}, and where the URI's host
   * cannot be told apart from its user info (a password holding an unencoded {@code /}, {@code
   * ?}, {@code #} or space, which ends the authority early), everything from {@code ://} to the
   * URI's last {@code @}. Null stays null.
   */
  public static String redactUri(String uri) {
    if (uri == null) {
      return null;
    }
    int start = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    if (start < 0 || at < start) {
      return redact(uri);
    }
    try {
      if (new URI(uri).getHost() != null) {
        return redact(uri); // the authority is server-based: user info ends at its '@'
      }
    } catch (URISyntaxException e) {
      // below
    }
    return uri.substring(0, start + 3) + "***" + uri.substring(at);
  }
}
