package dev.tracker.internal.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A {@code /proc} of the test's own: stat, meminfo and net/dev with numbers the test sets. */
final class FakeProc {
  final Path root;

  FakeProc(Path root) {
    this.root = root;
    try {
      Files.createDirectories(root.resolve("net"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The "cpu" line: user nice system idle iowait irq softirq steal guest guest_nice. */
  FakeProc stat(long user, long nice, long system, long idle, long iowait, long irq,
      long softirq, long steal) {
    return write("stat", "cpu  " + user + " " + nice + " " + system + " " + idle + " " + iowait
        + " " + irq + " " + softirq + " " + steal + " 0 0\n"
        + "cpu0 1 2 3 4 5 6 7 8 0 0\n"
        + "intr 12345\nctxt 678\nbtime 1700000000\n");
  }

  FakeProc meminfo(long totalKb, long freeKb, Long availableKb) {
    return write("meminfo", "MemTotal:       " + totalKb + " kB\n"
        + "MemFree:        " + freeKb + " kB\n"
        + (availableKb == null ? "" : "MemAvailable:   " + availableKb + " kB\n")
        + "Buffers:          1000 kB\n"
        + "Cached:           2000 kB\n"
        + "SwapTotal:              0 kB\n");
  }

  /** net/dev with loopback and two interfaces; the bytes given are per interface. */
  FakeProc netDev(long loBytes, long eth0Rx, long eth0Tx, long wlanRx, long wlanTx) {
    return write("net/dev",
        "Inter-|   Receive                                                |  Transmit\n"
        + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets"
        + " errs drop fifo colls carrier compressed\n"
        + "    lo: " + loBytes + "    100    0    0    0     0          0         0 " + loBytes
        + "    100    0    0    0     0       0          0\n"
        + "  eth0: " + eth0Rx + "  2000    0    0    0     0          0         0 " + eth0Tx
        + "   1500    0    0    0     0       0          0\n"
        + "wlan0: " + wlanRx + "  2000    0    0    0     0          0         0 " + wlanTx
        + "   1500    0    0    0     0       0          0\n");
  }

  FakeProc hostname(String name) {
    return write("sys/kernel/hostname", name + "\n");
  }

  FakeProc write(String relative, String content) {
    try {
      Path p = root.resolve(relative);
      Files.createDirectories(p.getParent());
      Files.writeString(p, content);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ProcFs procFs() {
    return new ProcFs(root);
  }
}
