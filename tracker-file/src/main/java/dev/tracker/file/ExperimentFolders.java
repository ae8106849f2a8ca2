package dev.tracker.file;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The folder name of an experiment: any name MLflow accepts ({@code /Users/me/exp}, {@code ..},
 * control characters, 500 emoji) becomes a name every common file system takes.
 *
 * <ul>
 *   <li>Characters that are unsafe in a folder name are percent-encoded as their UTF-8 bytes:
 *       {@code %}, {@code /}, {@code \}, control characters (C0, DEL, C1), the characters Windows
 *       refuses ({@code < > : " | ? *}), and the names {@code .} and {@code ..} as a whole.
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
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      i += Character.charCount(cp);
      String piece = safe(cp) ? new String(Character.toChars(cp)) : percentEncoded(cp);
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
