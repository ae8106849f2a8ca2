package dev.tracker.internal.system;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Asks {@code nvidia-smi} (found on the PATH) about the GPUs, bounded by a timeout. Shared by the
 * runs of a tracker: after {@value #MAX_CONSECUTIVE_FAILURES} failures in a row (a hang, a driver
 * that does not answer) it is not asked again, so a broken GPU costs a few bounded waits at most.
 */
final class NvidiaSmi {
  static final List<String> QUERY = List.of(
      "--query-gpu=index,name,utilization.gpu,memory.used,memory.total,power.draw,power.limit",
      "--format=csv,noheader,nounits");
  static final int MAX_CONSECUTIVE_FAILURES = 3;
  /** nvidia-smi writes numbers in the user's locale: "120,88" would shift the CSV's fields. */
  static final Map<String, String> C_LOCALE = Map.of("LC_ALL", "C");

  private final Supplier<String> path;
  private final Duration timeout;
  private final Warnings warnings;
  private final AtomicInteger failures = new AtomicInteger();
  private volatile Optional<Path> executable; // null until looked up

  /**
   * @param path the PATH to search, read when first needed
   * @param timeout the longest one query may take
   */
  NvidiaSmi(Supplier<String> path, Duration timeout, Warnings warnings) {
    this.path = path;
    this.timeout = timeout;
    this.warnings = warnings;
  }

  /** The program, looked up once; empty when it is not on the PATH. */
  Optional<Path> executable() {
    Optional<Path> e = executable;
    if (e == null) {
      e = Commands.findOnPath("nvidia-smi", path.get());
      executable = e;
    }
    return e;
  }

  /** True once it failed too often in a row to be asked again. */
  boolean givenUp() {
    return failures.get() >= MAX_CONSECUTIVE_FAILURES;
  }

  /**
   * One query; no GPU when the program is absent or was given up on. Failures are logged (once a
   * tracker at WARN) and counted, never thrown.
   */
  List<Gpu> readings() {
    if (givenUp() || executable().isEmpty()) {
      return List.of();
    }
    try {
      List<Gpu> gpus = query();
      failures.set(0);
      return gpus;
    } catch (InterruptedIOException closing) {
      return List.of(); // the tracker is closing: not the GPU's fault
    } catch (IOException e) {
      int n = failures.incrementAndGet();
      warnings.warn("gpu", "system metrics: GPU metrics skipped for this sample ({} failures in"
          + " a row turn them off for this tracker): {}", MAX_CONSECUTIVE_FAILURES, e.getMessage());
      if (n == MAX_CONSECUTIVE_FAILURES) {
        // the same cause: at DEBUG, as the WARN above said it would come to this
        warnings.warn("gpu", "system metrics: nvidia-smi failed {} times in a row; GPU metrics"
            + " are off for this tracker", n);
      }
      return List.of();
    }
  }

  /**
   * Runs the query once. When it exits with an error but still reports some GPUs (one GPU of
   * several is lost), those are the answer and the error is warned about once.
   *
   * @throws Commands.TimeoutException when it did not answer within the timeout (it was killed)
   * @throws IOException when it could not run or exited with an error and reported no GPU
   */
  List<Gpu> query() throws IOException {
    Path exe = executable().orElseThrow(() -> new IOException("nvidia-smi is not on the PATH"));
    List<String> command = new ArrayList<>();
    command.add(exe.toString());
    command.addAll(QUERY);
    Commands.Result r = Commands.run(command, null, timeout, C_LOCALE);
    List<Gpu> gpus = parse(r.stdout());
    if (r.exitCode() != 0) {
      // the reason: the first line that is not a GPU's, from stdout, else from stderr
      String first = (r.stdout() + "\n" + r.stderr()).lines().map(String::strip)
          .filter(l -> !l.isEmpty() && parse(l).isEmpty()).findFirst().orElse("");
      String message = "nvidia-smi exited with code " + r.exitCode()
          + (first.isEmpty() ? "" : ": " + abbreviate(first));
      if (gpus.isEmpty()) {
        throw new IOException(message);
      }
      warnings.warn("gpu-partial", "system metrics: some GPUs are left out: {}", message);
    }
    return gpus;
  }

  /**
   * Parses {@code --format=csv,noheader,nounits} lines: index, name, utilization (%), memory used
   * and total (MiB), power draw and limit (W). A field nvidia-smi cannot tell ({@code [N/A]},
   * {@code [Not Supported]}, …) is null, and so is one that cannot be true (a negative value, a
   * utilization over 100 %, more memory used than in total); a line without a numeric index (or
   * with a negative one) is skipped.
   */
  static List<Gpu> parse(String csv) {
    List<Gpu> gpus = new ArrayList<>();
    for (String line : csv.split("\\R")) {
      String[] f = line.split(",");
      if (f.length < 7) {
        continue;
      }
      int index;
      try {
        index = Integer.parseInt(f[0].trim());
      } catch (NumberFormatException e) {
        continue;
      }
      if (index < 0) {
        continue;
      }
      int n = f.length;
      // a name with commas in it spreads over several fields: the numbers are the last five
      String name = String.join(",", List.of(f).subList(1, n - 5)).trim();
      Double utilization = number(f[n - 5]);
      Double used = number(f[n - 4]);
      Double total = number(f[n - 3]);
      gpus.add(new Gpu(index, name, utilization != null && utilization > 100 ? null : utilization,
          used != null && total != null && used > total ? null : used, total, number(f[n - 2]),
          number(f[n - 1])));
    }
    return gpus;
  }

  private static Double number(String field) {
    String s = field.trim();
    try {
      double v = Double.parseDouble(s);
      return Double.isFinite(v) && v >= 0 ? v : null;
    } catch (NumberFormatException notANumber) {
      return null; // [N/A], [Not Supported], [Unknown Error], ERR!
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }

  /**
   * One GPU as nvidia-smi reports it; null where it could not tell.
   *
   * @param utilization percent
   * @param memoryUsed MiB
   * @param memoryTotal MiB
   * @param powerDraw watts
   * @param powerLimit watts
   */
  record Gpu(int index, String name, Double utilization, Double memoryUsed, Double memoryTotal,
      Double powerDraw, Double powerLimit) {}
}
