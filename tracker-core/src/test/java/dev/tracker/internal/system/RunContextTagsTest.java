package dev.tracker.internal.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class RunContextTagsTest {
  @TempDir
  Path dir;

  private final FakeJvm jvm = new FakeJvm();

  private RunContextTags context(Map<String, String> env, Path workDir) {
    return new RunContextTags(jvm, new FakeProc(dir.resolve("proc")).hostname("kernel-host")
        .procFs(), env::get, workDir, Duration.ofSeconds(10), List::of, Runnable::run);
  }

  @Test
  void tagsDescribeHostCpusHeapJvmAndRedactedArguments() {
    jvm.processors = 16;
    jvm.maxHeap = 4_294_967_296L;
    jvm.inputArguments = List.of("-Xmx4g", "-Dmlflow.token=dapi123", "-Dapi.key=k");

    Map<String, String> tags = context(Map.of("HOSTNAME", "trainer-7"), dir).tags();

    assertThat(tags)
        .containsEntry("tracker.host.name", "trainer-7")
        .containsEntry("tracker.cpu.count", "16")
        .containsEntry("tracker.jvm.max_heap_megabytes", "4295")
        .containsEntry("tracker.jvm.args", "-Xmx4g -Dmlflow.token=*** -Dapi.key=***")
        .containsEntry("tracker.jvm.name", System.getProperty("java.vm.name"))
        .containsEntry("tracker.jvm.version", System.getProperty("java.vm.version"))
        .containsEntry("tracker.os.version", System.getProperty("os.version"))
        .doesNotContainKey("mlflow.source.git.repoURL");
    assertThat(tags.toString()).doesNotContain("dapi123");
  }

  @Test
  void hostNameComesFromTheKernelWithoutHostnameVariable() {
    assertThat(context(Map.of(), dir).tags()).containsEntry("tracker.host.name", "kernel-host");
  }

  @Test
  void maxHeapIsLeftOutWhenUnlimited() {
    jvm.maxHeap = -1;

    assertThat(context(Map.of(), dir).tags()).doesNotContainKey("tracker.jvm.max_heap_megabytes");
  }

  @Test
  void gitRemoteIsATagAndDirtyIsUnknownWithoutGit() throws Exception {
    Path repo = GitContextTest.repo(dir.resolve("w"),
        "[remote \"origin\"]\n\turl = https://u:p@git.example.com/x.git\n");

    RunContextTags context = context(Map.of("PATH", dir.resolve("no-bin").toString()), repo);

    assertThat(context.tags()).containsEntry("mlflow.source.git.repoURL",
        "https://git.example.com/x.git");
    assertThat(context.late().get().tags()).containsEntry("mlflow.source.git.dirty", "unknown");
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void dirtyFlagComesFromGitOnThePath() throws Exception {
    Path repo = GitContextTest.repo(dir.resolve("w"), "");
    Path bin = dir.resolve("bin");
    Scripts.write(bin, "git", "echo ' M a.txt'");

    RunContextTags context = context(Map.of("PATH", bin.toString()), repo);

    assertThat(context.late().get().tags()).containsEntry("mlflow.source.git.dirty", "true");
  }

  @Test
  void outsideAGitWorkTreeThereAreNoGitTags() throws Exception {
    RunContextTags context = context(Map.of(), dir);

    assertThat(context.tags()).doesNotContainKey("mlflow.source.git.repoURL");
    assertThat(context.late().get().tags()).doesNotContainKey("mlflow.source.git.dirty");
    assertThat(context.late().get().dependencies())
        .isEqualTo("# The class path of the JVM that recorded this run: entry<TAB>version\n");
  }
}
