package dev.tracker.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the {@code md5} DVC recorded for a path: in {@code <path>.dvc} beside it, else in the
 * first {@code dvc.lock} that lists it (as a dependency or an output of a stage), looked for in
 * its folder and the folders above, then in the working directory and the folders above it.
 * Paths in both files are relative to the file's folder.
 *
 * <p>Reads only the YAML that DVC writes: block lists of mappings ({@code - path: …} / {@code
 * md5: …} at the next indentation), quoted or plain scalars. Anything else is skipped, and a
 * file that cannot be read counts as absent: DVC's md5 is extra information, never a reason to
 * fail logging an input.
 */
final class DvcFiles {
  /** Files bigger than this are not DVC's. */
  private static final long MAX_BYTES = 16L << 20;

  private DvcFiles() {}

  /**
   * DVC's md5 of an absolute, normalized path, or null when no DVC file lists it.
   *
   * @param workingDir the absolute working directory, searched after the path's own folders
   */
  static String md5(Path path, Path workingDir) {
    Path parent = path.getParent();
    if (parent == null) {
      return null;
    }
    String found = find(Path.of(path + ".dvc"), path);
    for (Path dir = parent; found == null && dir != null; dir = dir.getParent()) {
      found = find(dir.resolve("dvc.lock"), path);
    }
    for (Path dir = workingDir; found == null && dir != null; dir = dir.getParent()) {
      if (!parent.startsWith(dir)) { // folders above the path were searched already
        found = find(dir.resolve("dvc.lock"), path);
      }
    }
    return found;
  }

  /** The md5 of the entry for {@code target} in a DVC file, or null. */
  private static String find(Path dvcFile, Path target) {
    List<String> lines;
    try {
      if (!Files.isRegularFile(dvcFile) || Files.size(dvcFile) > MAX_BYTES) {
        return null;
      }
      lines = Files.readAllLines(dvcFile, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return null;
    }
    Path base = dvcFile.getParent();
    int itemIndent = -1;
    String path = null;
    String md5 = null;
    for (String line : lines) {
      int indent = indentOf(line);
      String text = line.strip();
      if (text.isEmpty() || text.startsWith("#")) {
        continue;
      }
      if (text.startsWith("- ")) {
        if (matches(base, path, md5, target)) {
          return md5;
        }
        itemIndent = indent;
        path = null;
        md5 = null;
        text = text.substring(2).strip();
        indent += 2;
      } else if (itemIndent >= 0 && indent <= itemIndent) {
        if (matches(base, path, md5, target)) {
          return md5;
        }
        itemIndent = -1;
        path = null;
        md5 = null;
      }
      if (itemIndent < 0 || indent != itemIndent + 2) {
        continue;
      }
      if (text.startsWith("path:")) {
        path = scalar(text.substring(5));
      } else if (text.startsWith("md5:")) {
        md5 = scalar(text.substring(4));
      }
    }
    return matches(base, path, md5, target) ? md5 : null;
  }

  private static boolean matches(Path base, String path, String md5, Path target) {
    if (path == null || md5 == null || md5.isEmpty()) {
      return false;
    }
    try {
      return base.resolve(path).normalize().equals(target);
    } catch (RuntimeException e) {
      return false; // not a path on this file system
    }
  }

  private static int indentOf(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  /** A plain or quoted YAML scalar, without a trailing comment. */
  static String scalar(String raw) {
    String s = raw.strip();
    if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"')) {
      int end = s.indexOf(s.charAt(0), 1);
      return end < 0 ? s.substring(1) : s.substring(1, end);
    }
    int comment = s.indexOf(" #");
    return (comment < 0 ? s : s.substring(0, comment)).strip();
  }
}
