package dev.tracker.internal.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class NvidiaSmiTest {
  @TempDir
  Path dir;

  private final Warnings warnings = new Warnings();

  private NvidiaSmi smi(Path bin, Duration timeout) {
    return new NvidiaSmi(bin::toString, timeout, warnings);
  }

  @Test
  void parsesTheH100Fixture() throws IOException {
    List<NvidiaSmi.Gpu> gpus = NvidiaSmi.parse(Files.readString(Scripts.h100Fixture()));

    assertThat(gpus).containsExactly(new NvidiaSmi.Gpu(0, "NVIDIA H100 80GB HBM3", 0.0, 0.0,
        81559.0, 120.88, 700.0));
  }

  @Test
  void fieldsNvidiaSmiCannotTellAreNullAndOtherGpusStay() {
    String csv = "0, Tesla T4, 37, 1024, 15360, [N/A], [N/A]\r\n"
        + "1, GeForce GTX 1080, [Not Supported], 2048, 8192, 55.5, [Not Supported]\n"
        + "\n"
        + "No devices were found\n";

    assertThat(NvidiaSmi.parse(csv)).containsExactly(
        new NvidiaSmi.Gpu(0, "Tesla T4", 37.0, 1024.0, 15360.0, null, null),
        new NvidiaSmi.Gpu(1, "GeForce GTX 1080", null, 2048.0, 8192.0, 55.5, null));
  }

  @Test
  void aNameWithCommasKeepsTheNumbersInPlace() {
    assertThat(NvidiaSmi.parse("3, Odd, Name, 1, 2, 3, 4, 5\n")).containsExactly(
        new NvidiaSmi.Gpu(3, "Odd, Name", 1.0, 2.0, 3.0, 4.0, 5.0));
  }

  @Test
  void absentNvidiaSmiMeansNoGpuAndNoProcess() {
    NvidiaSmi smi = smi(dir.resolve("empty-bin"), Duration.ofSeconds(5));

    assertThat(smi.executable()).isEmpty();
    assertThat(smi.readings()).isEmpty();
    assertThat(warnings.warned("gpu")).isFalse();
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void queriesTheFakeNvidiaSmiOnThePathWithTheDocumentedArguments() throws IOException {
    Path bin = dir.resolve("bin");
    Scripts.nvidiaSmi(bin, Scripts.h100Fixture());
    NvidiaSmi smi = new NvidiaSmi(() -> dir.resolve("nothing-here") + java.io.File.pathSeparator
        + bin, Duration.ofSeconds(10), warnings);

    assertThat(smi.executable()).isEqualTo(Optional.of(bin.resolve("nvidia-smi")));
    assertThat(smi.readings()).extracting(NvidiaSmi.Gpu::powerDraw).containsExactly(120.88);
    assertThat(Files.readAllLines(Scripts.calls(bin, "nvidia-smi")))
        .containsExactly(Scripts.NVIDIA_SMI_ARGS);
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void aFailingNvidiaSmiIsReportedWithItsExitCodeAndFirstLine() throws IOException {
    Path bin = dir.resolve("bin");
    Scripts.write(bin, "nvidia-smi", "echo 'NVIDIA-SMI has failed because it could not"
        + " communicate with the NVIDIA driver.'\nexit 9");

    assertThatThrownBy(() -> smi(bin, Duration.ofSeconds(10)).query())
        .isInstanceOf(IOException.class)
        .hasMessage("nvidia-smi exited with code 9: NVIDIA-SMI has failed because it could not"
            + " communicate with the NVIDIA driver.");
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void aNvidiaSmiThatFailsOnStderrIsReportedWithItsFirstLine() throws IOException {
    Path bin = dir.resolve("bin");
    Scripts.write(bin, "nvidia-smi", "echo 'Failed to initialize NVML: Driver/library version"
        + " mismatch' >&2\necho 'NVML library version: 535.154' >&2\nexit 18");

    assertThatThrownBy(() -> smi(bin, Duration.ofSeconds(10)).query())
        .isInstanceOf(IOException.class)
        .hasMessage("nvidia-smi exited with code 18: Failed to initialize NVML: Driver/library"
            + " version mismatch");
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aHangingNvidiaSmiIsKilledAtTheTimeoutWithItsChildren() throws Exception {
    Path bin = dir.resolve("bin");
    Scripts.hanging(bin, "nvidia-smi");
    NvidiaSmi smi = smi(bin, Duration.ofMillis(1500));

    long start = System.nanoTime();
    assertThatThrownBy(smi::query).isInstanceOf(Commands.TimeoutException.class)
        .hasMessage("nvidia-smi did not finish within 1500 ms and was killed");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));

    for (String pidFile : List.of("nvidia-smi.pid", "nvidia-smi.child")) {
      long pid = Long.parseLong(Files.readString(bin.resolve(pidFile)).trim());
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      if (p.isPresent()) {
        p.get().onExit().get(20, TimeUnit.SECONDS); // throws TimeoutException when still alive
      }
    }
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void afterThreeFailuresInARowNvidiaSmiIsNotAskedAgain() throws IOException {
    Path bin = dir.resolve("bin");
    Scripts.hanging(bin, "nvidia-smi");
    NvidiaSmi smi = smi(bin, Duration.ofMillis(200));

    for (int i = 0; i < 5; i++) {
      assertThat(smi.readings()).isEmpty();
    }

    assertThat(Scripts.lines(Scripts.calls(bin, "nvidia-smi")))
        .isEqualTo(NvidiaSmi.MAX_CONSECUTIVE_FAILURES);
    assertThat(smi.givenUp()).isTrue();
    assertThat(warnings.warned("gpu")).isTrue();
    assertThat(warnings.count()).isEqualTo(1); // one cause, one WARN
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void aSuccessResetsTheFailureCount() throws IOException {
    Path bin = dir.resolve("bin");
    Path flag = dir.resolve("fail");
    Files.writeString(flag, "");
    Scripts.write(bin, "nvidia-smi", "if [ -e '" + flag + "' ]; then exit 1; fi\ncat '"
        + Scripts.h100Fixture() + "'");
    NvidiaSmi smi = smi(bin, Duration.ofSeconds(10));

    smi.readings();
    smi.readings();
    Files.delete(flag);
    assertThat(smi.readings()).hasSize(1);
    Files.writeString(flag, "");
    smi.readings();
    smi.readings();

    assertThat(smi.givenUp()).isFalse();
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void gpuSourceReportsMlflowKeysAndUnitsFromTheFixture() throws Exception {
    Path bin = dir.resolve("bin");
    Scripts.nvidiaSmi(bin, Scripts.h100Fixture());
    Sample sample = new Sample();

    new GpuSource(smi(bin, Duration.ofSeconds(10))).sample(sample);

    assertThat(sample.metrics()).containsExactly(
        entry("gpu_0_utilization_percentage", 0.0),
        entry("gpu_0_memory_usage_megabytes", 0.0),
        entry("gpu_0_memory_usage_percentage", 0.0),
        entry("gpu_0_power_usage_watts", 120.88),
        entry("gpu_0_power_usage_percentage", 17.3));
    assertThat(sample.tags()).containsExactly(entry("tracker.gpu.0.name", "NVIDIA H100 80GB HBM3"));
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void gpuSourceConvertsMibToMegabytesAndLeavesOutWhatIsNotKnown() throws Exception {
    Path bin = dir.resolve("bin");
    Path csv = Files.writeString(dir.resolve("t4.csv"),
        "0, Tesla T4, 37, 1024, 15360, [N/A], [N/A]\n"
        + "1, GeForce GTX 1080, [Not Supported], 2048, 8192, 55.5, [Not Supported]\n");
    Scripts.nvidiaSmi(bin, csv);
    Sample sample = new Sample();

    new GpuSource(smi(bin, Duration.ofSeconds(10))).sample(sample);

    assertThat(sample.metrics()).containsExactly(
        entry("gpu_0_utilization_percentage", 37.0),
        entry("gpu_0_memory_usage_megabytes", 1073.7), // 1024 MiB
        entry("gpu_0_memory_usage_percentage", 6.7),
        entry("gpu_1_memory_usage_megabytes", 2147.5),
        entry("gpu_1_memory_usage_percentage", 25.0),
        entry("gpu_1_power_usage_watts", 55.5));
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void aLostGpuAmongEightLeavesTheOtherSevenMeasured() throws IOException {
    Path bin = dir.resolve("bin");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      out.append(i == 3
          ? "Unable to determine the device handle for GPU0000:3B:00.0: GPU is lost. Reboot the"
              + " system to recover this GPU\n"
          : i + ", NVIDIA H100 80GB HBM3, 50, 1024, 81559, 300.00, 700.00\n");
    }
    Path csv = Files.writeString(dir.resolve("eight.csv"), out);
    Scripts.write(bin, "nvidia-smi", "cat '" + csv + "'\nexit 15");
    NvidiaSmi smi = smi(bin, Duration.ofSeconds(10));

    for (int i = 0; i < NvidiaSmi.MAX_CONSECUTIVE_FAILURES + 1; i++) {
      assertThat(smi.readings()).extracting(NvidiaSmi.Gpu::index)
          .containsExactly(0, 1, 2, 4, 5, 6, 7);
    }
    assertThat(smi.givenUp()).isFalse();
    assertThat(warnings.warned("gpu-partial")).isTrue();
  }

  @Test
  void negativeValuesAndUtilizationOver100AreLeftOutAsNotKnown() {
    String csv = "0, Broken, -5, -1, 81559, -3.5, 700.00\n"
        + "1, Broken, 250, 100, -81559, 120.5, -700\n";

    assertThat(NvidiaSmi.parse(csv)).containsExactly(
        new NvidiaSmi.Gpu(0, "Broken", null, null, 81559.0, null, 700.0),
        new NvidiaSmi.Gpu(1, "Broken", null, 100.0, null, 120.5, null));
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void nvidiaSmiRunsInTheCLocaleSoADecimalCommaCannotShiftTheFields() throws IOException {
    Path bin = dir.resolve("bin");
    // like nvidia-smi under LC_NUMERIC=de_DE: decimal commas unless the C locale is asked for
    Scripts.write(bin, "nvidia-smi", "if [ \"$LC_ALL\" = C ]; then\n"
        + "  echo '0, NVIDIA H100 80GB HBM3, 0, 0, 81559, 120.88, 700.00'\n"
        + "else\n"
        + "  echo '0, NVIDIA H100 80GB HBM3, 0, 0, 81559, 120,88, 700,00'\n"
        + "fi");

    assertThat(smi(bin, Duration.ofSeconds(10)).readings()).containsExactly(
        new NvidiaSmi.Gpu(0, "NVIDIA H100 80GB HBM3", 0.0, 0.0, 81559.0, 120.88, 700.0));
  }

  @Test
  void memoryUsedBeyondTheTotalAndANegativeIndexAreNotBelieved() {
    String csv = "0, Broken, 10, 99999999999999999999, 81559, 100, 700\n"
        + "-1, Broken, 10, 1024, 81559, 100, 700\n";

    assertThat(NvidiaSmi.parse(csv)).containsExactly(
        new NvidiaSmi.Gpu(0, "Broken", 10.0, null, 81559.0, 100.0, 700.0));
  }
}
