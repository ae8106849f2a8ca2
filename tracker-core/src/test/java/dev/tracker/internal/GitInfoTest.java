package dev.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitInfoTest {
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final String SHA2 = "89abcdef0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  @Test
  void readsABranchFromALooseRefInAParentDirectory() throws IOException {
    Path git = Files.createDirectories(dir.resolve(".git/refs/heads/feature"));
    Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/feature/x\n");
    Files.writeString(git.resolve("x"), SHA + "\n");
    Path sub = Files.createDirectories(dir.resolve("module/src"));

    assertThat(GitInfo.find(sub)).contains(new GitInfo(SHA, "feature/x", dir.toAbsolutePath()));
  }

  @Test
  void readsABranchFromPackedRefs() throws IOException {
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
    Files.writeString(dir.resolve(".git/packed-refs"),
        "# pack-refs with: peeled fully-peeled sorted\n" + SHA2 + " refs/heads/dev\n"
            + SHA + " refs/heads/main\n");

    assertThat(GitInfo.find(dir)).map(GitInfo::commit).contains(SHA);
  }

  @Test
  void readsADetachedHead() throws IOException {
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve(".git/HEAD"), SHA + "\n");

    assertThat(GitInfo.find(dir)).contains(new GitInfo(SHA, null, dir.toAbsolutePath()));
  }

  @Test
  void followsALinkedWorkTreeToItsCommonDirectory() throws IOException {
    Path main = Files.createDirectories(dir.resolve("main/.git/worktrees/wt"));
    Files.createDirectories(dir.resolve("main/.git/refs/heads"));
    Files.writeString(dir.resolve("main/.git/refs/heads/topic"), SHA2 + "\n");
    Files.writeString(main.resolve("HEAD"), "ref: refs/heads/topic\n");
    Files.writeString(main.resolve("commondir"), "../..\n");
    Path wt = Files.createDirectories(dir.resolve("wt"));
    Files.writeString(wt.resolve(".git"), "gitdir: " + main.toAbsolutePath() + "\n");

    assertThat(GitInfo.find(wt)).map(GitInfo::commit).contains(SHA2);
    assertThat(GitInfo.find(wt)).map(GitInfo::branch).contains("topic");
  }

  @Test
  void findsNothingOutsideAWorkTree() {
    Path root = dir.getRoot();
    // the temp directory's ancestors are not expected to be a git work tree
    assertThat(GitInfo.find(root)).isEmpty();
  }
}
