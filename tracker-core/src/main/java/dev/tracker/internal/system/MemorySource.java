package dev.tracker.internal.system;

/**
 * {@code system_memory_usage_megabytes} and {@code system_memory_usage_percentage}: memory in use,
 * counted as total minus available ({@code MemAvailable} of {@code /proc/meminfo}, as free(1) and
 * psutil count it), else as the JVM sees the machine (total minus free). More available than in
 * total cannot be true: such a sample is left out, never recorded as negative use.
 */
final class MemorySource implements MetricSource {
  private final ProcFs proc;
  private final JvmProbe jvm;
  private boolean useProc;

  MemorySource(ProcFs proc, JvmProbe jvm) {
    this.proc = proc;
    this.jvm = jvm;
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public boolean start() {
    useProc = proc.has("meminfo");
    return useProc || jvm.totalMemoryBytes() > 0;
  }

  @Override
  public void sample(Sample sample) throws Exception {
    long total;
    long used;
    if (useProc) {
      ProcFs.MemInfo m = proc.memInfo();
      total = m.total();
      used = m.total() - m.available();
    } else {
      total = jvm.totalMemoryBytes();
      long free = jvm.freeMemoryBytes();
      if (total <= 0 || free < 0 || free > total) {
        return;
      }
      used = total - free;
    }
    sample.metric("system_memory_usage_megabytes", Sample.megabytes(used));
    sample.metric("system_memory_usage_percentage", Sample.percent(used, total));
  }
}
