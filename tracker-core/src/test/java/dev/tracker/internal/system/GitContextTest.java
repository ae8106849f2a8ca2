package dev.tracker.internal.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class GitContextTest {
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  static final String GIT_ARGS = "--no-optional-locks status --porcelain --untracked-files=no";

  @TempDir
  Path dir;

  /** A work tree with a .git folder (HEAD on main) and the given config. */
  static Path repo(Path at, String config) throws IOException {
    Path git = at.resolve(".git");
    Files.createDirectories(git.resolve("refs/heads"));
    Files.writeString(git.resolve("HEAD"), "ref: refs/heads/main\n");
    Files.writeString(git.resolve("refs/heads/main"), COMMIT + "\n");
    Files.writeString(git.resolve("config"), config);
    return at;
  }

  @Test
  void remoteUrlIsOriginsWithUserInfoStripped() throws IOException {
    Path repo = repo(dir.resolve("w"), """
        [core]
        \trepositoryformatversion = 0
        [remote "upstream"]
        \turl = https://github.com/upstream/repo.git
        [remote "origin"]
        \turl = https://bob:ghp_secret@github.com/bob/repo.git
        \tfetch = +refs/heads/*:refs/remotes/origin/*
        """);

    assertThat(GitContext.workTree(repo.resolve("src/main"))).contains(repo.toAbsolutePath());
    assertThat(GitContext.remoteUrl(repo)).contains("https://github.com/bob/repo.git");
  }

  @Test
  void remoteUrlIsReadAsGitReadsItsConfigWithoutComments() throws IOException {
    Path repo = repo(dir.resolve("w"), """
        [Remote "origin"] # edited by hand
        	URL = https://bob:pw@github.com/bob/repo.git ; the mirror
        """);

    assertThat(GitContext.remoteUrl(repo)).contains("https://github.com/bob/repo.git");
  }

  @Test
  void remoteUrlIsTheFirstRemoteWithoutOrigin() throws IOException {
    Path repo = repo(dir.resolve("w"), "[remote \"fork\"]\n\turl = git@github.com:me/repo.git\n");

    assertThat(GitContext.remoteUrl(repo)).contains("git@github.com:me/repo.git");
  }

  @Test
  void remoteUrlIsEmptyWithoutRemote() throws IOException {
    Path repo = repo(dir.resolve("w"), "[core]\n\tbare = false\n");

    assertThat(GitContext.remoteUrl(repo)).isEmpty();
  }

  @Test
  void remoteUrlOfALinkedWorkTreeComesFromTheCommonConfig() throws IOException {
    Path main = repo(dir.resolve("main"), "[remote \"origin\"]\n\turl = https://h/x.git\n");
    Path linkedGitDir = Files.createDirectories(main.resolve(".git/worktrees/feature"));
    Files.writeString(linkedGitDir.resolve("HEAD"), COMMIT + "\n");
    Files.writeString(linkedGitDir.resolve("commondir"), "../..\n");
    Path linked = Files.createDirectories(dir.resolve("feature"));
    Files.writeString(linked.resolve(".git"), "gitdir: " + linkedGitDir + "\n");

    assertThat(GitContext.remoteUrl(linked)).contains("https://h/x.git");
  }

  @Test
  void dirtyIsUnknownWithoutGitOnThePath() {
    assertThat(GitContext.dirty(dir, dir.resolve("no-bin").toString(), Duration.ofSeconds(5)))
        .isEqualTo("unknown");
    assertThat(GitContext.dirty(dir, null, Duration.ofSeconds(5))).isEqualTo("unknown");
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void dirtyIsTrueWhenGitStatusListsChangedFiles() throws IOException {
    Path bin = dir.resolve("bin");
    Scripts.write(bin, "git", "[ \"$*\" = \"" + GIT_ARGS + "\" ] || exit 2\n"
        + "[ \"$(pwd)\" = '" + dir.toRealPath() + "' ] || exit 3\n"
        + "echo ' M src/Main.java'");

    assertThat(GitContext.dirty(dir, bin.toString(), Duration.ofSeconds(10))).isEqualTo("true");
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void dirtyIsFalseWhenGitStatusListsNothing() throws IOException {
    Path bin = dir.resolve("bin");
    Scripts.write(bin, "git", "[ \"$*\" = \"" + GIT_ARGS + "\" ] || exit 2\nexit 0");

    assertThat(GitContext.dirty(dir, bin.toString(), Duration.ofSeconds(10))).isEqualTo("false");
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void dirtyIsUnknownWhenGitFails() throws IOException {
    Path bin = dir.resolve("bin");
    Scripts.write(bin, "git", "echo 'fatal: detected dubious ownership' >&2\nexit 128");

    assertThat(GitContext.dirty(dir, bin.toString(), Duration.ofSeconds(10))).isEqualTo("unknown");
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void dirtyIsUnknownWhenGitHangsPastTheTimeout() throws Exception {
    Path bin = dir.resolve("bin");
    Scripts.hanging(bin, "git");

    assertThat(GitContext.dirty(dir, bin.toString(), Duration.ofMillis(300))).isEqualTo("unknown");
    long pid = Long.parseLong(Files.readString(bin.resolve("git.pid")).trim());
    Optional<ProcessHandle> p = ProcessHandle.of(pid);
    if (p.isPresent()) {
      p.get().onExit().get(20, TimeUnit.SECONDS);
    }
  }
}
