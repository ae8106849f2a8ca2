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
  private static final String SECRET_NAMES =
      "password|passwd|passphrase|pwd|token|secret|key|credential|creds|authorization";
  private static final Pattern SECRET_NAME =
      Pattern.compile(SECRET_NAMES, Pattern.CASE_INSENSITIVE);
  /** A {@code name=value} pair inside an argument (an agent's options) or a URL's query. */
  private static final Pattern EMBEDDED_PAIR = Pattern.compile(
      "([\\w.\\-]*(?:" + SECRET_NAMES + ")[\\w.\\-]*)=([^,;&\\s]*)", Pattern.CASE_INSENSITIVE);

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
    return Secrets.redact(maskPairs(argument));
  }

  private static String maskPairs(String text) {
    return EMBEDDED_PAIR.matcher(text)
        .replaceAll(r -> Matcher.quoteReplacement(r.group(1) + "=" + MASK));
  }

  /**
   * A repository URL without user info: {@code https://user:token@host/x.git} becomes {@code
   * https://host/x.git}; a {@code token=…}-style pair in its query is masked. The scp-like form
   * {@code git@host:org/x.git} names a login, never a password, and stays as it is.
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
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++; // the authority ends at the path, the query or the fragment
    }
    int at = url.lastIndexOf('@', end - 1);
    String stripped = at < start ? url : url.substring(0, start) + url.substring(at + 1);
    return maskPairs(stripped);
  }
}
