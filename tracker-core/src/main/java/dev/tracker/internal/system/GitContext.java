package dev.tracker.internal.system;

import dev.tracker.internal.GitInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The remote URL and the dirty flag of the git work tree around a directory. The URL is read from
 * the repository's config without a git binary; whether the work tree has uncommitted changes
 * needs {@code git status}, run with a timeout.
 */
final class GitContext {
  static final String UNKNOWN = "unknown";

  private GitContext() {}

  /** The work tree holding {@code dir}, if any. */
  static Optional<Path> workTree(Path dir) {
    return GitInfo.find(dir).map(GitInfo::workTree);
  }

  /**
   * The URL of the remote {@code origin} (else of the first remote) with user info stripped, or
   * empty when the repository has none.
   */
  static Optional<String> remoteUrl(Path workTree) {
    try {
      Path config = commonDir(workTree).resolve("config");
      if (!Files.isRegularFile(config)) {
        return Optional.empty();
      }
      String first = null;
      String origin = null;
      String section = null;
      for (String raw : Files.readAllLines(config, StandardCharsets.UTF_8)) {
        String line = raw.trim();
        if (line.startsWith("[")) {
          int close = line.indexOf(']');
          section = close < 0 ? null : remoteName(line.substring(1, close).trim());
          continue;
        }
        if (section == null) {
          continue;
        }
        int eq = line.indexOf('=');
        if (eq > 0 && line.substring(0, eq).trim().equalsIgnoreCase("url")) {
          String url = value(line.substring(eq + 1).trim());
          if (first == null) {
            first = url;
          }
          if (section.equals("origin") && origin == null) {
            origin = url;
          }
        }
      }
      String url = origin != null ? origin : first;
      return url == null || url.isBlank() ? Optional.empty()
          : Optional.of(Redaction.stripUserInfo(url));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * "true" when tracked files have uncommitted changes, "false" when not, {@value #UNKNOWN} when
   * git is not on the PATH, fails or does not answer within {@code timeout}. Untracked files do
   * not count (as for {@code git describe --dirty}). Runs with {@code --no-optional-locks} so that
   * it never takes the index lock from under the user's own git commands.
   */
  static String dirty(Path workTree, String path, Duration timeout) {
    Optional<Path> git = Commands.findOnPath("git", path);
    if (git.isEmpty()) {
      return UNKNOWN;
    }
    try {
      Commands.Result r = Commands.run(List.of(git.get().toString(), "--no-optional-locks",
          "status", "--porcelain", "--untracked-files=no"), workTree, timeout);
      if (r.exitCode() != 0) {
        return UNKNOWN;
      }
      return r.stdout().isBlank() ? "false" : "true";
    } catch (IOException e) {
      return UNKNOWN;
    }
  }

  /** The directory holding the repository's config: {@code .git}, or a linked tree's common dir. */
  private static Path commonDir(Path workTree) throws IOException {
    Path dotGit = workTree.resolve(".git");
    if (Files.isDirectory(dotGit)) {
      return dotGit;
    }
    String line = Files.readString(dotGit, StandardCharsets.UTF_8).trim();
    if (!line.startsWith("gitdir:")) {
      throw new IOException(dotGit + " is not a gitdir file");
    }
    Path gitDir = workTree.resolve(line.substring("gitdir:".length()).trim()).normalize();
    Path commonFile = gitDir.resolve("commondir");
    if (Files.isRegularFile(commonFile)) {
      return gitDir.resolve(Files.readString(commonFile, StandardCharsets.UTF_8).trim()).normalize();
    }
    return gitDir;
  }

  /** The remote's name of a {@code remote "name"} section header (any case), else null. */
  private static String remoteName(String header) {
    String[] parts = header.split("\\s+", 2);
    if (parts.length < 2 || !parts[0].equalsIgnoreCase("remote")) {
      return null;
    }
    return value(parts[1]);
  }

  /** A config value as git reads it: quoted, or up to a {@code #} or {@code ;} comment. */
  private static String value(String s) {
    if (s.startsWith("\"")) {
      int close = s.indexOf('"', 1);
      return close < 0 ? s.substring(1) : s.substring(1, close);
    }
    int comment = 0;
    while (comment < s.length() && "#;".indexOf(s.charAt(comment)) < 0) {
      comment++;
    }
    return s.substring(0, comment).trim();
  }
}
