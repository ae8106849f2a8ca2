package dev.tracker.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The commit and branch of the git work tree around a directory, read from {@code .git} without
 * a git binary (loose refs, packed refs, linked work trees, detached HEAD).
 *
 * @param commit the 40-hex commit id, or null when HEAD names a branch with no commit yet
 * @param branch the branch, or null when HEAD is detached
 * @param workTree the work tree's top directory
 */
public record GitInfo(String commit, String branch, Path workTree) {

  /** Finds the work tree that holds {@code dir} (or a parent) and reads its HEAD. */
  public static Optional<GitInfo> find(Path dir) {
    try {
      for (Path d = dir.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
        Path dotGit = d.resolve(".git");
        if (Files.isDirectory(dotGit)) {
          return Optional.of(read(dotGit, dotGit, d));
        }
        if (Files.isRegularFile(dotGit)) {
          // a linked work tree or submodule: ".git" is a file "gitdir: <path>"
          String line = Files.readString(dotGit, StandardCharsets.UTF_8).trim();
          if (line.startsWith("gitdir:")) {
            Path gitDir = d.resolve(line.substring("gitdir:".length()).trim()).normalize();
            Path common = gitDir;
            Path commonFile = gitDir.resolve("commondir");
            if (Files.isRegularFile(commonFile)) {
              common = gitDir.resolve(Files.readString(commonFile).trim()).normalize();
            }
            return Optional.of(read(gitDir, common, d));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static GitInfo read(Path gitDir, Path commonDir, Path workTree) throws IOException {
    String head = Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8).trim();
    if (!head.startsWith("ref:")) {
      return new GitInfo(head, null, workTree);
    }
    String ref = head.substring("ref:".length()).trim();
    String branch = ref.startsWith("refs/heads/") ? ref.substring("refs/heads/".length()) : ref;
    return new GitInfo(resolveRef(gitDir, commonDir, ref), branch, workTree);
  }

  private static String resolveRef(Path gitDir, Path commonDir, String ref) throws IOException {
    for (Path base : List.of(gitDir, commonDir)) {
      Path loose = base.resolve(ref);
      if (Files.isRegularFile(loose)) {
        return Files.readString(loose, StandardCharsets.UTF_8).trim();
      }
    }
    Path packed = commonDir.resolve("packed-refs");
    if (Files.isRegularFile(packed)) {
      for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
        if (line.endsWith(" " + ref) && !line.startsWith("#")) {
          return line.substring(0, line.indexOf(' '));
        }
      }
    }
    return null;
  }
}
