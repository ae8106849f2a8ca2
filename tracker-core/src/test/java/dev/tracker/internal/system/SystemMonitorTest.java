package dev.tracker.internal.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class SystemMonitorTest {
  static final List<String> CPU_MEMORY_DISK_NETWORK_JVM = List.of(
      "system/cpu_utilization_percentage",
      "system/system_memory_usage_megabytes",
      "system/system_memory_usage_percentage",
      "system/process_cpu_utilization_percentage",
      "system/disk_usage_percentage",
      "system/disk_usage_megabytes",
      "system/disk_available_megabytes",
      "system/network_receive_megabytes",
      "system/network_transmit_megabytes",
      "system/jvm_heap_used_megabytes",
      "system/jvm_heap_committed_megabytes",
      "system/jvm_gc_pause_ms",
      "system/jvm_gc_count",
      "system/jvm_threads");
  static final List<String> GPU_0 = List.of(
      "system/gpu_0_utilization_percentage",
      "system/gpu_0_memory_usage_megabytes",
      "system/gpu_0_memory_usage_percentage",
      "system/gpu_0_power_usage_watts",
      "system/gpu_0_power_usage_percentage");

  @TempDir
  Path dir;

  private FakeProc proc;
  private final FakeJvm jvm = new FakeJvm();
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);
  private final InstantSource clock = () -> Instant.ofEpochMilli(millis.get());
  private final ManualScheduler scheduler = new ManualScheduler();
  private Path bin;

  @BeforeEach
  void machine() {
    proc = new FakeProc(dir.resolve("proc"))
        .stat(1000, 0, 1000, 8000, 0, 0, 0, 0)
        .meminfo(16_000_000, 2_000_000, 12_000_000L)
        .netDev(1, 100_000_000, 50_000_000, 0, 0)
        .hostname("node-1");
    jvm.processors = 2;
    jvm.heapUsed = 256_000_000;
    jvm.heapCommitted = 512_000_000;
    jvm.gcCount = 7;
    jvm.gcTimeMillis = 70;
    jvm.threads = 12;
    bin = dir.resolve("bin");
  }

  private SystemMonitor monitor(boolean metrics, boolean context, Duration gpuTimeout,
      Executor background) {
    SystemMonitor.Platform platform = new SystemMonitor.Platform(proc.procFs(), jvm,
        Map.of("PATH", bin.toString())::get, nanos::get, clock, dir,
        () -> Optional.of(dir.resolve("runs")), List::of, gpuTimeout, Duration.ofSeconds(10),
        Duration.ofSeconds(10));
    return new SystemMonitor(metrics, Duration.ofSeconds(10), context, platform, scheduler,
        background);
  }

  private long userTicks = 1000;
  private long idleTicks = 8000;

  /** Advances the fake machine by 10 seconds of a CPU {@code busyPercent} busy. */
  private void tenSecondsPass(int busyPercent) {
    nanos.addAndGet(10_000_000_000L);
    millis.addAndGet(10_000);
    userTicks += 20 * busyPercent;
    idleTicks += 20 * (100 - busyPercent);
    proc.stat(userTicks, 0, 1000, idleTicks, 0, 0, 0, 0);
  }

  private void tenSecondsPass() {
    tenSecondsPass(0);
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void aRunGetsEverySystemMetricWithUnitsAndStepsFromTheFakeMachine() throws IOException {
    Scripts.nvidiaSmi(bin, Scripts.h100Fixture());
    SystemMonitor monitor = monitor(true, false, Duration.ofSeconds(10), Runnable::run);
    RecordingRun run = new RecordingRun();

    monitor.runStarted("run", run);
    scheduler.runNext(); // step 0, as the run starts
    tenSecondsPass(25);
    proc.netDev(1, 102_000_000, 50_500_000, 0, 0);
    jvm.processCpuNanos = 5_000_000_000L; // 5 s of 20 s: 25 %
    jvm.gcTimeMillis = 82;
    jvm.gcCount = 9;
    scheduler.runNext(); // step 1
    tenSecondsPass();
    scheduler.runNext(); // step 2

    List<String> keys = new ArrayList<>(CPU_MEMORY_DISK_NETWORK_JVM);
    keys.addAll(GPU_0);
    List<String> withoutCpuShares = new ArrayList<>(keys);
    withoutCpuShares.removeAll(List.of("system/cpu_utilization_percentage",
        "system/process_cpu_utilization_percentage"));
    assertThat(run.step(0)).containsOnlyKeys(withoutCpuShares);
    assertThat(run.step(0)).contains(
        entry("system/network_receive_megabytes", 0.0),
        entry("system/jvm_gc_pause_ms", 0.0),
        entry("system/gpu_0_power_usage_watts", 120.88));
    assertThat(run.step(1)).containsOnlyKeys(keys);
    assertThat(run.step(1)).contains(
        entry("system/cpu_utilization_percentage", 25.0),
        entry("system/process_cpu_utilization_percentage", 25.0),
        entry("system/system_memory_usage_megabytes", 4096.0),
        entry("system/system_memory_usage_percentage", 25.0),
        entry("system/network_receive_megabytes", 2.0),
        entry("system/network_transmit_megabytes", 0.5),
        entry("system/jvm_heap_used_megabytes", 256.0),
        entry("system/jvm_heap_committed_megabytes", 512.0),
        entry("system/jvm_gc_pause_ms", 12.0),
        entry("system/jvm_gc_count", 9.0),
        entry("system/jvm_threads", 12.0),
        entry("system/gpu_0_utilization_percentage", 0.0),
        entry("system/gpu_0_memory_usage_megabytes", 0.0),
        entry("system/gpu_0_memory_usage_percentage", 0.0),
        entry("system/gpu_0_power_usage_watts", 120.88),
        entry("system/gpu_0_power_usage_percentage", 17.3));
    assertThat(run.step(2)).containsEntry("system/jvm_gc_pause_ms", 0.0)
        .containsEntry("system/cpu_utilization_percentage", 0.0)
        .containsEntry("system/process_cpu_utilization_percentage", 0.0);
    assertThat(run.points).filteredOn(p -> p.step() == 2)
        .allSatisfy(p -> assertThat(p.timestamp()).isEqualTo(1_700_000_020_000L));
    assertThat(run.tags).containsExactly(entry("tracker.gpu.0.name", "NVIDIA H100 80GB HBM3"));
    assertThat(run.tagCalls).hasSize(1);
    assertThat(scheduler.delays()).containsExactly(Duration.ZERO, Duration.ofSeconds(10),
        Duration.ofSeconds(10), Duration.ofSeconds(10));
  }

  @Test
  void withoutNvidiaSmiThereAreNoGpuMetricsAndNoWarning() {
    SystemMonitor monitor = monitor(true, false, Duration.ofSeconds(10), Runnable::run);
    RecordingRun run = new RecordingRun();

    monitor.runStarted("run", run);
    scheduler.runNext();
    tenSecondsPass();
    scheduler.runNext();

    assertThat(run.step(1)).containsOnlyKeys(CPU_MEMORY_DISK_NETWORK_JVM);
    assertThat(monitor.warnings().warned("gpu")).isFalse();
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aHangingNvidiaSmiTimesOutAndSamplingGoesOnWithoutIt() throws IOException {
    Scripts.hanging(bin, "nvidia-smi");
    SystemMonitor monitor = monitor(true, false, Duration.ofMillis(300), Runnable::run);
    RecordingRun run = new RecordingRun();

    monitor.runStarted("run", run);
    for (int i = 0; i < 5; i++) {
      scheduler.runNext();
      tenSecondsPass();
    }

    assertThat(run.steps()).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(run.step(4)).containsOnlyKeys(CPU_MEMORY_DISK_NETWORK_JVM);
    assertThat(monitor.warnings().warned("gpu")).isTrue();
    assertThat(monitor.nvidiaSmi().givenUp()).isTrue();
    assertThat(Scripts.lines(Scripts.calls(bin, "nvidia-smi")))
        .isEqualTo(NvidiaSmi.MAX_CONSECUTIVE_FAILURES);
    assertThat(scheduler.pending()).isEqualTo(1);
  }

  @Test
  void runEndedStopsItsSamplerAndCloseStopsTheRest() {
    SystemMonitor monitor = monitor(true, false, Duration.ofSeconds(10), Runnable::run);
    RecordingRun first = new RecordingRun();
    RecordingRun second = new RecordingRun();
    monitor.runStarted("first", first);
    monitor.runStarted("second", second);
    assertThat(monitor.activeSamplers()).isEqualTo(2);

    monitor.stopSampler("first");
    assertThat(monitor.activeSamplers()).isEqualTo(1);
    while (scheduler.runNext()) {
      if (second.steps().size() == 2) {
        break;
      }
    }
    monitor.close();

    assertThat(first.points).isEmpty();
    assertThat(second.steps()).containsExactly(0L, 1L);
    assertThat(monitor.activeSamplers()).isZero();
    assertThat(scheduler.isShutdown()).isTrue();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void metricsOffMeansNoSampler() {
    SystemMonitor monitor = monitor(false, true, Duration.ofSeconds(10), Runnable::run);

    monitor.runStarted("run", new RecordingRun());

    assertThat(monitor.activeSamplers()).isZero();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void contextTagsJoinTheStandardTagsWhichWin() {
    SystemMonitor monitor = monitor(false, true, Duration.ofSeconds(10), Runnable::run);

    Map<String, String> tags = monitor.withContextTags(Map.of("mlflow.user", "ada",
        "tracker.host.name", "given"));

    assertThat(tags).containsEntry("mlflow.user", "ada")
        .containsEntry("tracker.host.name", "given")
        .containsEntry("tracker.cpu.count", "2");
  }

  @Test
  void contextOffAddsNothing() {
    SystemMonitor monitor = monitor(false, false, Duration.ofSeconds(10), Runnable::run);

    assertThat(monitor.withContextTags(Map.of("a", "b"))).containsExactly(entry("a", "b"));
    RecordingRun run = new RecordingRun();
    monitor.runStarted("run", run);
    assertThat(run.tags).isEmpty();
    assertThat(run.texts).isEmpty();
  }

  @Test
  void aTopLevelRunGetsTheDependenciesArtifactAndAChildRunDoesNot() {
    SystemMonitor monitor = monitor(false, true, Duration.ofSeconds(10), Runnable::run);
    RecordingRun parent = new RecordingRun();
    RecordingRun child = new RecordingRun();
    child.topLevel = false;

    monitor.runStarted("parent", parent);
    monitor.runStarted("child", child);

    assertThat(parent.texts).containsOnlyKeys("tracker.dependencies.txt");
    assertThat(child.texts).isEmpty();
  }

  @Test
  void contextNotReadyAtStartIsRecordedWhenReadyWhileTheRunRuns() throws IOException {
    GitContextTest.repo(dir.resolve("repo"), "");
    List<Runnable> held = new ArrayList<>();
    SystemMonitor.Platform platform = new SystemMonitor.Platform(proc.procFs(), jvm,
        Map.<String, String>of()::get, nanos::get, clock, dir.resolve("repo"), Optional::empty,
        List::of, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(1));
    SystemMonitor monitor = new SystemMonitor(false, Duration.ofSeconds(10), true, platform,
        scheduler, held::add);
    RecordingRun running = new RecordingRun();
    RecordingRun ended = new RecordingRun();

    monitor.runStarted("running", running);
    monitor.runStarted("ended", ended);
    assertThat(running.tags).isEmpty();
    ended.active = false;
    held.forEach(Runnable::run);

    assertThat(running.tags).containsEntry("mlflow.source.git.dirty", "unknown");
    assertThat(running.texts).containsOnlyKeys("tracker.dependencies.txt");
    assertThat(ended.tags).isEmpty();
    assertThat(ended.texts).isEmpty();
  }
}
