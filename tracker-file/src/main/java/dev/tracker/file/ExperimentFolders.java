package dev.tracker.file;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The folder name of an experiment: any name MLflow accepts ({@code /Users/me/exp}, {@code ..},
 * control characters, 500 emoji) becomes a name every common file system takes.
 *
 * <ul>
 *   <li>Characters that are unsafe in a folder name are percent-encoded as their UTF-8 bytes:
 *       {@code %}, {@code /}, {@code \}, control characters (C0, DEL, C1), the characters Windows
 *       refuses ({@code < > : " | ? *}), and the names {@code .} and {@code ..} as a whole.
 *   <li>Names Windows takes for a device ({@code CON}, {@code nul.txt}, {@code COM1}, …) get
 *       their first character percent-encoded ({@code %43ON}), and a last dot or space is
 *       percent-encoded ({@code exp%2E}): Windows drops it, so {@code exp.} would share the
 *       folder of {@code exp}.
 *   <li>A name whose folder name would exceed {@value #MAX_BYTES} bytes of UTF-8 is cut there (at
 *       a character boundary) and ends with {@code ~} and the first 8 hex digits of the SHA-256 of
 *       the whole name, so that names sharing a long beginning get different folders.
 *   <li>A name whose folder holds another experiment ({@code Iris} and {@code iris} share a
 *       folder on a case-insensitive file system, such as macOS's or Windows') gets the {@code ~}
 *       and hash too ({@link #hashedFolderName}).
 * </ul>
 *
 * <p>The real name stays in the folder's {@code experiment.yaml} and each run's {@code run.yaml}.
 * Names that were already safe are their own folder name, as in earlier versions.
 */
final class ExperimentFolders {
  /** The most bytes of a folder name: well under the 255 of common file systems. */
  static final int MAX_BYTES = 128;

  private static final int HASH_SUFFIX = 1 + 8; // "~" and 8 hex digits
  private static final String UNSAFE = "%/\\<>:\"|?*";
  /** Windows' device names, which take any extension ({@code NUL.txt} is the device too). */
  private static final Pattern WINDOWS_DEVICE =
      Pattern.compile("CON|PRN|AUX|NUL|(?:COM|LPT)[0-9\u00b9\u00b2\u00b3]");

  private ExperimentFolders() {}

  /** The folder name of an experiment name. */
  static String folderName(String name) {
    return folderName(name, false);
  }

  /**
   * The folder name of an experiment whose {@link #folderName} holds another experiment (one
   * whose name differs only in case, on a case-insensitive file system): it ends with {@code ~}
   * and the hash, as a cut name does.
   */
  static String hashedFolderName(String name) {
    return folderName(name, true);
  }

  private static String folderName(String name, boolean hashed) {
    if (name.equals(".") || name.equals("..")) {
      String dots = name.replace(".", "%2E");
      return hashed ? dots + "~" + hash(name) : dots;
    }
    StringBuilder out = new StringBuilder(name.length());
    int bytes = 0;
    int cutAt = -1; // the length of out when it last fitted with room for the suffix
    boolean device = isWindowsDevice(name);
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      boolean first = i == 0;
      i += Character.charCount(cp);
      boolean last = i == name.length();
      String piece = safe(cp) && !(first && device) && !(last && (cp == '.' || cp == ' '))
          ? new String(Character.toChars(cp)) : percentEncoded(cp);
      int pieceBytes = piece.getBytes(StandardCharsets.UTF_8).length;
      if (bytes + pieceBytes <= MAX_BYTES - HASH_SUFFIX) {
        cutAt = out.length() + piece.length();
      }
      out.append(piece);
      bytes += pieceBytes;
    }
    if (bytes <= MAX_BYTES && !hashed) {
      return out.toString();
    }
    return out.substring(0, Math.max(cutAt, 0)) + "~" + hash(name);
  }

  /** True for {@code CON}, {@code nul.txt}, {@code Com1 .log}: what Windows opens as a device. */
  private static boolean isWindowsDevice(String name) {
    int dot = name.indexOf('.');
    String base = (dot < 0 ? name : name.substring(0, dot)).stripTrailing();
    return WINDOWS_DEVICE.matcher(base.toUpperCase(Locale.ROOT)).matches();
  }

  /** True when the name was a valid folder name in earlier versions (looked up for them). */
  static boolean wasAllowed(String name) {
    return !name.isBlank() && !name.equals(".") && !name.equals("..")
        && name.indexOf('/') < 0 && name.indexOf('\\') < 0
        && name.chars().noneMatch(Character::isISOControl);
  }

  private static boolean safe(int cp) {
    return !Character.isISOControl(cp) && UNSAFE.indexOf(cp) < 0
        && Character.getType(cp) != Character.SURROGATE;
  }

  private static String percentEncoded(int cp) {
    byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(utf8.length * 3);
    for (byte b : utf8) {
      out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
    }
    return out.toString();
  }

  private static String hash(String name) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(name.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
