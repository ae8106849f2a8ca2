package dev.tracker.spi;

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
}
