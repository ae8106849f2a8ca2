package dev.tracker.internal.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesTest {
  @TempDir
  Path dir;

  private final FakeJvm jvm = new FakeJvm();
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private static Sample sample(MetricSource source) throws Exception {
    Sample s = new Sample();
    source.sample(s);
    return s;
  }

  @Test
  void cpuUtilizationIsTheBusyShareOfTicksSinceThePreviousSample() throws Exception {
    FakeProc proc = new FakeProc(dir).stat(100, 0, 100, 800, 0, 0, 0, 0);
    CpuSource cpu = new CpuSource(proc.procFs(), jvm, nanos::get);
    assertThat(cpu.start()).isTrue();

    nanos.addAndGet(10_000_000_000L);
    proc.stat(100 + 250, 0, 100 + 50, 800 + 650, 50, 0, 0, 0); // 300 busy of 1000
    assertThat(sample(cpu).metrics()).containsEntry("cpu_utilization_percentage", 30.0);

    nanos.addAndGet(10_000_000_000L);
    proc.stat(350 + 1, 0, 150, 1450 + 2, 50, 0, 0, 0); // 1 busy of 3
    assertThat(sample(cpu).metrics()).containsEntry("cpu_utilization_percentage", 33.3);
  }

  @Test
  void cpuUtilizationComesFromTheJvmWithoutProcStat() throws Exception {
    jvm.machineCpuLoad = 0.256;
    CpuSource cpu = new CpuSource(new ProcFs(dir.resolve("none")), jvm, nanos::get);
    cpu.start();
    nanos.addAndGet(10_000_000_000L);

    assertThat(sample(cpu).metrics()).containsEntry("cpu_utilization_percentage", 25.6);
  }

  @Test
  void cpuUtilizationIsLeftOutWhenNothingKnowsIt() throws Exception {
    jvm.machineCpuLoad = -1;
    jvm.processCpuNanos = -1;
    CpuSource cpu = new CpuSource(new ProcFs(dir.resolve("none")), jvm, nanos::get);
    cpu.start();
    nanos.addAndGet(1_000_000_000L);

    assertThat(sample(cpu).metrics()).isEmpty();
  }

  @Test
  void cpuSharesNeedAWindowOfAtLeast100MillisecondsWhichCarriesOver() throws Exception {
    FakeProc proc = new FakeProc(dir).stat(0, 0, 0, 0, 0, 0, 0, 0);
    jvm.processors = 1;
    CpuSource cpu = new CpuSource(proc.procFs(), jvm, nanos::get);
    cpu.start();

    nanos.addAndGet(50_000_000L);
    jvm.processCpuNanos = 50_000_000L;
    proc.stat(5, 0, 0, 0, 0, 0, 0, 0);
    assertThat(sample(cpu).metrics()).isEmpty(); // the sample as the run starts

    nanos.addAndGet(150_000_000L); // 200 ms since the start, half of it busy in this JVM
    jvm.processCpuNanos = 100_000_000L;
    proc.stat(10, 0, 0, 10, 0, 0, 0, 0);
    assertThat(sample(cpu).metrics()).containsExactly(
        entry("cpu_utilization_percentage", 50.0),
        entry("process_cpu_utilization_percentage", 50.0));
  }

  @Test
  void processCpuIsThisJvmsShareOfAllProcessorsSinceThePreviousSample() throws Exception {
    jvm.processors = 4;
    jvm.processCpuNanos = 5_000_000_000L;
    CpuSource cpu = new CpuSource(new ProcFs(dir.resolve("none")), jvm, nanos::get);
    cpu.start();

    nanos.addAndGet(10_000_000_000L); // 10 s of 4 processors: 40 s of CPU
    jvm.processCpuNanos += 6_000_000_000L; // 6 s used: 15 %
    assertThat(sample(cpu).metrics()).containsEntry("process_cpu_utilization_percentage", 15.0);

    nanos.addAndGet(1_000_000_000L);
    jvm.processCpuNanos += 4_000_000_000L; // all four processors busy
    assertThat(sample(cpu).metrics()).containsEntry("process_cpu_utilization_percentage", 100.0);
  }

  @Test
  void memoryUsedIsTotalMinusAvailableInMegabytesAndPercent() throws Exception {
    FakeProc proc = new FakeProc(dir).meminfo(8_000_000, 1_000_000, 6_000_000L);
    MemorySource memory = new MemorySource(proc.procFs(), jvm);
    assertThat(memory.start()).isTrue();

    // 2,000,000 kB = 2,048,000,000 bytes used of 8,192,000,000
    assertThat(sample(memory).metrics()).containsExactly(
        entry("system_memory_usage_megabytes", 2048.0),
        entry("system_memory_usage_percentage", 25.0));
  }

  @Test
  void memoryComesFromTheJvmWithoutProcMeminfo() throws Exception {
    jvm.totalMemory = 4_000_000_000L;
    jvm.freeMemory = 3_000_000_000L;
    MemorySource memory = new MemorySource(new ProcFs(dir.resolve("none")), jvm);
    assertThat(memory.start()).isTrue();

    assertThat(sample(memory).metrics()).containsExactly(
        entry("system_memory_usage_megabytes", 1000.0),
        entry("system_memory_usage_percentage", 25.0));
  }

  @Test
  void memoryIsLeftOutWhenTheJvmSeesMoreFreeThanTotal() throws Exception {
    jvm.totalMemory = 4_000_000_000L;
    jvm.freeMemory = 5_000_000_000L;
    MemorySource memory = new MemorySource(new ProcFs(dir.resolve("none")), jvm);
    assertThat(memory.start()).isTrue();

    assertThat(sample(memory).metrics()).isEmpty();
  }

  @Test
  void networkCountsMegabytesSinceSamplingStartedWithoutLoopback() throws Exception {
    FakeProc proc = new FakeProc(dir).netDev(5_000_000, 10_000_000, 1_000_000, 0, 0);
    NetworkSource network = new NetworkSource(proc.procFs());
    assertThat(network.start()).isTrue();

    proc.netDev(900_000_000, 12_500_000, 1_250_000, 1_000_000, 0);
    assertThat(sample(network).metrics()).containsExactly(
        entry("network_receive_megabytes", 3.5),
        entry("network_transmit_megabytes", 0.3));
  }

  @Test
  void networkNeverGoesBackWhenACounterIsResetOrAnInterfaceGoesAway() throws Exception {
    FakeProc proc = new FakeProc(dir).netDev(0, 5_000_000, 1_000_000, 2_000_000, 0);
    NetworkSource network = new NetworkSource(proc.procFs());
    assertThat(network.start()).isTrue();

    proc.netDev(0, 9_000_000, 1_500_000, 3_000_000, 0); // +4 MB, +1 MB on wlan0
    assertThat(sample(network).metrics()).containsEntry("network_receive_megabytes", 5.0);
    proc.netDev(0, 1_000_000, 100_000, 3_000_000, 0); // eth0 reset: 1 MB since then
    assertThat(sample(network).metrics()).containsExactly(
        entry("network_receive_megabytes", 6.0),
        entry("network_transmit_megabytes", 0.6));
    proc.write("net/dev", "Inter-|   Receive\n face |bytes\n"
        + "  eth0: 2000000 1 0 0 0 0 0 0 200000 1 0 0 0 0 0 0\n"); // wlan0 gone, eth0 +1 MB
    assertThat(sample(network).metrics()).containsExactly(
        entry("network_receive_megabytes", 7.0),
        entry("network_transmit_megabytes", 0.7));
  }

  @Test
  void networkIsNotAvailableWithoutProcNetDev() throws Exception {
    assertThat(new NetworkSource(new ProcFs(dir)).start()).isFalse();
  }

  @Test
  void jvmReportsHeapGcPauseOfTheIntervalGcCountAndThreads() throws Exception {
    jvm.gcTimeMillis = 1_000;
    jvm.gcCount = 40;
    JvmSource source = new JvmSource(jvm);
    source.start();

    jvm.heapUsed = 123_456_789;
    jvm.heapCommitted = 512_000_000;
    jvm.gcTimeMillis = 1_035;
    jvm.gcCount = 43;
    jvm.threads = 17;
    assertThat(sample(source).metrics()).containsExactly(
        entry("jvm_heap_used_megabytes", 123.5),
        entry("jvm_heap_committed_megabytes", 512.0),
        entry("jvm_gc_pause_ms", 35.0),
        entry("jvm_gc_count", 43.0),
        entry("jvm_threads", 17.0));

    jvm.gcTimeMillis = 1_036;
    assertThat(sample(source).metrics()).containsEntry("jvm_gc_pause_ms", 1.0)
        .containsEntry("jvm_gc_count", 43.0);
  }

  @Test
  void diskReportsTheFileSystemOfTheRunFolderAsDfCountsIt() throws Exception {
    Path runFolder = dir.resolve("runs/exp/0123"); // not created yet: its ancestor is measured
    DiskSource disk = new DiskSource(() -> runFolder);
    assertThat(disk.start()).isTrue();

    Sample s = sample(disk);

    FileStore store = Files.getFileStore(dir);
    assertThat(s.metrics()).containsOnlyKeys("disk_usage_percentage", "disk_usage_megabytes",
        "disk_available_megabytes");
    double used = s.metrics().get("disk_usage_megabytes");
    double available = s.metrics().get("disk_available_megabytes");
    assertThat(used + available).isCloseTo(
        (store.getTotalSpace() - store.getUnallocatedSpace() + store.getUsableSpace()) / 1e6,
        org.assertj.core.data.Offset.offset(1_000.0)); // other writers may change it meanwhile
    assertThat(s.metrics().get("disk_usage_percentage"))
        .isCloseTo(used / (used + available) * 100, org.assertj.core.data.Offset.offset(0.2));
  }

  @Test
  void existingAncestorIsTheNearestFolderThatExists() {
    assertThat(DiskSource.existingAncestor(dir.resolve("a/b/c"))).isEqualTo(dir.toAbsolutePath());
  }
}
