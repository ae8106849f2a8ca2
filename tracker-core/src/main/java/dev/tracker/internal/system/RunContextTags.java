package dev.tracker.internal.system;

import dev.tracker.internal.Validation;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The run context, found once per tracker: what is cheap (JVM and OS facts, the git remote) at
 * once, what is not ({@code git status}, the jar manifests, a host name that needs a lookup) on a
 * background thread.
 */
final class RunContextTags {
  static final String HOST_NAME = "tracker.host.name";
  static final String OS_VERSION = "tracker.os.version";
  static final String CPU_COUNT = "tracker.cpu.count";
  static final String MAX_HEAP = "tracker.jvm.max_heap_megabytes";
  static final String JVM_NAME = "tracker.jvm.name";
  static final String JVM_VERSION = "tracker.jvm.version";
  static final String JVM_ARGS = "tracker.jvm.args";
  static final String GIT_REPO_URL = "mlflow.source.git.repoURL";
  static final String GIT_DIRTY = "mlflow.source.git.dirty";

  private final Map<String, String> tags;
  private final CompletableFuture<Late> late;

  /** What the background part found: tags, and the dependencies text (null when not wanted). */
  record Late(Map<String, String> tags, String dependencies) {}

  /**
   * Finds the cheap tags now and starts the rest on {@code background}.
   *
   * @param env environment variables (HOSTNAME, COMPUTERNAME, PATH for git)
   * @param workDir where the run's code runs: its git work tree is described
   * @param gitTimeout the longest {@code git status} may take
   * @param classPath the class path's entries, read on the background thread
   */
  RunContextTags(JvmProbe jvm, ProcFs proc, Function<String, String> env, Path workDir,
      Duration gitTimeout, Supplier<List<Path>> classPath, Executor background) {
    Map<String, String> t = new LinkedHashMap<>();
    String host = cheapHostName(env, proc);
    put(t, HOST_NAME, host);
    put(t, OS_VERSION, System.getProperty("os.version"));
    put(t, CPU_COUNT, String.valueOf(jvm.availableProcessors()));
    long maxHeap = jvm.maxHeapBytes();
    if (maxHeap > 0) {
      put(t, MAX_HEAP, String.valueOf(Math.round(maxHeap / 1e6)));
    }
    put(t, JVM_NAME, System.getProperty("java.vm.name"));
    put(t, JVM_VERSION, System.getProperty("java.vm.version"));
    put(t, JVM_ARGS, Redaction.jvmArguments(jvm.inputArguments()));
    Optional<Path> workTree = GitContext.workTree(workDir);
    workTree.flatMap(GitContext::remoteUrl).ifPresent(url -> put(t, GIT_REPO_URL, url));
    this.tags = Map.copyOf(t);

    String path = env.apply("PATH");
    this.late = CompletableFuture.supplyAsync(() -> {
      Map<String, String> lt = new LinkedHashMap<>();
      if (host == null) {
        put(lt, HOST_NAME, lookedUpHostName());
      }
      workTree.ifPresent(w -> lt.put(GIT_DIRTY, GitContext.dirty(w, path, gitTimeout)));
      String deps = classPath == null ? null : Dependencies.describe(classPath.get(), workDir);
      return new Late(Map.copyOf(lt), deps);
    }, background);
  }

  /** The tags found at once. */
  Map<String, String> tags() {
    return tags;
  }

  /** The background part; completes within about the git timeout. */
  CompletableFuture<Late> late() {
    return late;
  }

  /**
   * The host name without a network lookup: HOSTNAME or COMPUTERNAME, else the kernel's ({@code
   * /proc/sys/kernel/hostname}); null when none is known that way.
   */
  static String cheapHostName(Function<String, String> env, ProcFs proc) {
    for (String name : List.of("HOSTNAME", "COMPUTERNAME")) {
      String v = env.apply(name);
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    String kernel = proc.firstLine("sys/kernel/hostname");
    return kernel == null || kernel.isBlank() ? null : kernel;
  }

  private static String lookedUpHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return null;
    }
  }

  private static void put(Map<String, String> tags, String key, String value) {
    if (value != null && !value.isBlank()) {
      tags.put(key, Validation.cut(value, Validation.MAX_TAG_VALUE_LENGTH));
    }
  }
}
