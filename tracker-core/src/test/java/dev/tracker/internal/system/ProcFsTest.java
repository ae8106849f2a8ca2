package dev.tracker.internal.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFsTest {
  @TempDir
  Path dir;

  @Test
  void cpuTimesCountIdleAndIowaitAsNotBusy() throws IOException {
    FakeProc proc = new FakeProc(dir).stat(100, 10, 50, 800, 40, 5, 5, 0);

    ProcFs.CpuTimes t = proc.procFs().cpuTimes();

    assertThat(t.total()).isEqualTo(1010);
    assertThat(t.busy()).isEqualTo(170);
  }

  @Test
  void cpuTimesWithoutACpuLineNameTheFile() {
    new FakeProc(dir).write("stat", "intr 1\n");

    assertThatThrownBy(() -> new ProcFs(dir).cpuTimes()).isInstanceOf(IOException.class)
        .hasMessage(dir.resolve("stat") + " has no 'cpu' line");
  }

  @Test
  void aTruncatedCpuLineIsAnErrorNotAnIdleFreeMachine() {
    new FakeProc(dir).write("stat", "cpu  4705 150 1120\n");

    assertThatThrownBy(() -> new ProcFs(dir).cpuTimes()).isInstanceOf(IOException.class)
        .hasMessage(dir.resolve("stat") + " has a 'cpu' line with 3 numbers; expected at least 4");
  }

  @Test
  void memInfoWithMoreAvailableThanTotalIsAnError() {
    new FakeProc(dir).meminfo(1_000_000, 500_000, 2_000_000L);

    assertThatThrownBy(() -> new ProcFs(dir).memInfo()).isInstanceOf(IOException.class)
        .hasMessage(dir.resolve("meminfo") + " has more memory available (2048000000 bytes) than"
            + " in total (1024000000 bytes)");
  }

  @Test
  void memInfoReadsTotalAndAvailableInBytes() throws IOException {
    ProcFs.MemInfo m = new FakeProc(dir).meminfo(16_000_000, 1_000_000, 12_000_000L).procFs()
        .memInfo();

    assertThat(m.total()).isEqualTo(16_000_000L * 1024);
    assertThat(m.available()).isEqualTo(12_000_000L * 1024);
  }

  @Test
  void memInfoOfOldKernelsCountsFreeBuffersAndCachedAsAvailable() throws IOException {
    ProcFs.MemInfo m = new FakeProc(dir).meminfo(16_000_000, 1_000_000, null).procFs().memInfo();

    assertThat(m.available()).isEqualTo((1_000_000L + 1000 + 2000) * 1024);
  }

  @Test
  void netInterfacesAreEveryInterfaceButLoopback() throws IOException {
    assertThat(new FakeProc(dir).netDev(999_999, 1_000, 2_000, 30_000, 40_000).procFs()
        .netInterfaces()).containsExactly(
            entry("eth0", new ProcFs.NetTotals(1_000, 2_000)),
            entry("wlan0", new ProcFs.NetTotals(30_000, 40_000)));
  }

  @Test
  void hasTellsWhetherAFileIsThere() {
    FakeProc proc = new FakeProc(dir).stat(1, 0, 0, 1, 0, 0, 0, 0);

    assertThat(proc.procFs().has("stat")).isTrue();
    assertThat(proc.procFs().has("meminfo")).isFalse();
    assertThat(proc.procFs().has("net")).isFalse();
  }
}
