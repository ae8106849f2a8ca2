package dev.tracker.internal.system;

import dev.tracker.spi.Secrets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Takes secrets out of JVM arguments and repository URLs before they become tags. */
final class Redaction {
  /** What replaces a secret value. */
  static final String MASK = "***";

  /** Names that hold secrets: password, token, secret, key (and a few spellings of them). */
  private static final Pattern SECRET_NAME =
      Pattern.compile("password|passwd|passphrase|token|secret|key|credential",
          Pattern.CASE_INSENSITIVE);
  /** A {@code name=value} pair inside an argument, e.g. an agent's options. */
  private static final Pattern EMBEDDED_PAIR = Pattern.compile(
      "([\\w.\\-]*(?:password|passwd|passphrase|token|secret|key|credential)[\\w.\\-]*)=([^,;&\\s]*)",
      Pattern.CASE_INSENSITIVE);

  private Redaction() {}

  /** The arguments, each redacted, joined by spaces. */
  static String jvmArguments(List<String> arguments) {
    return arguments.stream().map(Redaction::jvmArgument).collect(Collectors.joining(" "));
  }

  /**
   * One argument with secrets masked: the whole value of {@code -Dapi.key=…}, {@code
   * --password=…} or any argument whose part before the first '=' names a secret; {@code
   * token=…}-style pairs inside other arguments; user info in URLs.
   */
  static String jvmArgument(String argument) {
    int eq = argument.indexOf('=');
    if (eq > 0 && SECRET_NAME.matcher(argument.substring(0, eq)).find()) {
      return argument.substring(0, eq + 1) + MASK;
    }
    Matcher m = EMBEDDED_PAIR.matcher(argument);
    String out = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + "=" + MASK));
    return Secrets.redact(out);
  }

  /**
   * A repository URL without user info: {@code https://user:token@host/x.git} becomes {@code
   * https://host/x.git}. The scp-like form {@code git@host:org/x.git} names a login, never a
   * password, and stays as it is.
   */
  static String stripUserInfo(String url) {
    if (url == null) {
      return null;
    }
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return url;
    }
    int start = scheme + 3;
    int end = url.indexOf('/', start);
    String authority = end < 0 ? url.substring(start) : url.substring(start, end);
    int at = authority.lastIndexOf('@');
    if (at < 0) {
      return url;
    }
    return url.substring(0, start) + authority.substring(at + 1) + (end < 0 ? "" : url.substring(end));
  }
}
