package dev.tracker.internal.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Linux's {@code /proc} files, under a root that tests point at a directory of their own.
 * Parsing follows proc(5); what a file does not have reads as absent, never as zero.
 */
final class ProcFs {
  static final Path DEFAULT_ROOT = Path.of("/proc");

  private final Path root;

  ProcFs(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** True when {@code relative} (e.g. "stat", "net/dev") is a readable file. */
  boolean has(String relative) {
    Path p = root.resolve(relative);
    return Files.isRegularFile(p) && Files.isReadable(p);
  }

  /**
   * The machine's CPU time in clock ticks from the first ("cpu") line of {@code stat}: busy and
   * total, as psutil counts them (idle and iowait are not busy; guest time is inside user time and
   * not counted twice).
   */
  CpuTimes cpuTimes() throws IOException {
    for (String line : read("stat")) {
      if (line.startsWith("cpu ")) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 5) {
          // without idle the machine would look busy all the time
          throw new IOException(root.resolve("stat") + " has a 'cpu' line with " + (f.length - 1)
              + " numbers; expected at least 4");
        }
        long[] v = new long[8]; // user nice system idle iowait irq softirq steal
        for (int i = 0; i < v.length && i + 1 < f.length; i++) {
          v[i] = Long.parseLong(f[i + 1]);
        }
        long total = 0;
        for (long x : v) {
          total += x;
        }
        long idle = v[3] + v[4];
        return new CpuTimes(total - idle, total);
      }
    }
    throw new IOException(root.resolve("stat") + " has no 'cpu' line");
  }

  /** Total and available memory in bytes from {@code meminfo}. */
  MemInfo memInfo() throws IOException {
    long total = -1;
    long available = -1;
    long free = -1;
    long buffers = 0;
    long cached = 0;
    for (String line : read("meminfo")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon);
      switch (name) {
        case "MemTotal" -> total = kilobytes(line, colon);
        case "MemAvailable" -> available = kilobytes(line, colon);
        case "MemFree" -> free = kilobytes(line, colon);
        case "Buffers" -> buffers = kilobytes(line, colon);
        case "Cached" -> cached = kilobytes(line, colon);
        default -> { }
      }
    }
    if (total < 0) {
      throw new IOException(root.resolve("meminfo") + " has no MemTotal");
    }
    if (available < 0) {
      // kernels before 3.14 have no MemAvailable; this is what free(1) used then
      if (free < 0) {
        throw new IOException(root.resolve("meminfo") + " has neither MemAvailable nor MemFree");
      }
      available = free + buffers + cached;
    }
    if (available > total) {
      throw new IOException(root.resolve("meminfo") + " has more memory available (" + available
          + " bytes) than in total (" + total + " bytes)");
    }
    return new MemInfo(total, available);
  }

  /**
   * Bytes received and sent since boot (or since the interface's counters were last reset) by
   * each interface but loopback, from {@code net/dev}.
   */
  Map<String, NetTotals> netInterfaces() throws IOException {
    Map<String, NetTotals> interfaces = new LinkedHashMap<>();
    for (String line : read("net/dev")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue; // the two header lines
      }
      String name = line.substring(0, colon).trim();
      if (name.equals("lo")) {
        continue;
      }
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (f.length < 9) {
        continue;
      }
      interfaces.put(name, new NetTotals(Long.parseLong(f[0]), Long.parseLong(f[8])));
    }
    return interfaces;
  }

  /** The first line of a file, trimmed, or null when it cannot be read. */
  String firstLine(String relative) {
    try {
      List<String> lines = read(relative);
      return lines.isEmpty() ? null : lines.get(0).trim();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private List<String> read(String relative) throws IOException {
    return Files.readAllLines(root.resolve(relative), StandardCharsets.ISO_8859_1);
  }

  private static long kilobytes(String line, int colon) {
    String[] f = line.substring(colon + 1).trim().split("\\s+");
    long v = Long.parseLong(f[0]);
    return f.length > 1 && f[1].equalsIgnoreCase("kB") ? v * 1024 : v;
  }

  /** CPU time in clock ticks. */
  record CpuTimes(long busy, long total) {}

  /** Memory in bytes. */
  record MemInfo(long total, long available) {}

  /** Network bytes since boot or a reset. */
  record NetTotals(long received, long sent) {}
}
