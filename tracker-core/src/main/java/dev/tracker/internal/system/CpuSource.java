package dev.tracker.internal.system;

import java.util.function.LongSupplier;

/**
 * {@code cpu_utilization_percentage}: the machine's CPU use since the previous sample, from {@code
 * /proc/stat} on Linux, else from the JVM's view of the machine's load; and {@code
 * process_cpu_utilization_percentage}: this JVM's CPU time since the previous sample as a share of
 * all the machine's processors (so both are 0 to 100). A share needs a window: both are left out
 * of a sample less than {@link #MIN_WINDOW_NANOS} after the previous reading (the sample taken as
 * the run starts), whose window then goes on to the next sample.
 */
final class CpuSource implements MetricSource {
  /** The shortest window a CPU share is computed over (/proc/stat counts in 10 ms ticks). */
  static final long MIN_WINDOW_NANOS = 100_000_000L;

  private final ProcFs proc;
  private final JvmProbe jvm;
  private final LongSupplier nanoTime;

  private boolean useProc;
  private ProcFs.CpuTimes lastTimes;
  private long lastProcessCpu;
  private long lastNanos;

  CpuSource(ProcFs proc, JvmProbe jvm, LongSupplier nanoTime) {
    this.proc = proc;
    this.jvm = jvm;
    this.nanoTime = nanoTime;
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public boolean start() throws Exception {
    useProc = proc.has("stat");
    if (useProc) {
      lastTimes = proc.cpuTimes();
    }
    lastProcessCpu = jvm.processCpuNanos();
    lastNanos = nanoTime.getAsLong();
    return true;
  }

  @Override
  public void sample(Sample sample) throws Exception {
    long nanos = nanoTime.getAsLong();
    long wall = nanos - lastNanos;
    if (wall < MIN_WINDOW_NANOS) {
      return;
    }
    if (useProc) {
      ProcFs.CpuTimes now = proc.cpuTimes();
      long total = now.total() - lastTimes.total();
      long busy = now.busy() - lastTimes.busy();
      lastTimes = now;
      if (total > 0) {
        sample.metric("cpu_utilization_percentage", clampPercent(Sample.percent(busy, total)));
      }
    } else {
      double load = jvm.machineCpuLoad();
      if (load >= 0) {
        sample.metric("cpu_utilization_percentage", clampPercent(Sample.round1(load * 100)));
      }
    }
    long cpu = jvm.processCpuNanos();
    int processors = Math.max(1, jvm.availableProcessors());
    if (cpu >= 0 && lastProcessCpu >= 0 && wall > 0) {
      double share = (double) (cpu - lastProcessCpu) / ((double) wall * processors);
      sample.metric("process_cpu_utilization_percentage", clampPercent(Sample.round1(share * 100)));
    }
    lastProcessCpu = cpu;
    lastNanos = nanos;
  }

  private static double clampPercent(double v) {
    return Math.max(0, Math.min(100, v));
  }
}
