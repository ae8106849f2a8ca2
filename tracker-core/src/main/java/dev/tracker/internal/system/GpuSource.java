package dev.tracker.internal.system;

/**
 * Per GPU {@code i}: {@code gpu_<i>_utilization_percentage}, {@code gpu_<i>_memory_usage_megabytes}
 * (nvidia-smi's MiB as megabytes of 10^6 bytes, like the other megabytes), {@code
 * gpu_<i>_memory_usage_percentage}, {@code gpu_<i>_power_usage_watts} and {@code
 * gpu_<i>_power_usage_percentage} (of the power limit); the GPU's name as the tag {@code
 * tracker.gpu.<i>.name}. Nothing when nvidia-smi is absent; a value nvidia-smi cannot tell is left
 * out.
 */
final class GpuSource implements MetricSource {
  private static final double BYTES_PER_MIB = 1024.0 * 1024.0;

  private final NvidiaSmi smi;

  GpuSource(NvidiaSmi smi) {
    this.smi = smi;
  }

  @Override
  public String name() {
    return "gpu";
  }

  @Override
  public void sample(Sample sample) {
    for (NvidiaSmi.Gpu gpu : smi.readings()) {
      String p = "gpu_" + gpu.index() + "_";
      if (gpu.utilization() != null) {
        sample.metric(p + "utilization_percentage", gpu.utilization());
      }
      if (gpu.memoryUsed() != null) {
        sample.metric(p + "memory_usage_megabytes",
            Sample.megabytes(gpu.memoryUsed() * BYTES_PER_MIB));
        if (gpu.memoryTotal() != null) {
          sample.metric(p + "memory_usage_percentage",
              Sample.percent(gpu.memoryUsed(), gpu.memoryTotal()));
        }
      }
      if (gpu.powerDraw() != null) {
        sample.metric(p + "power_usage_watts", gpu.powerDraw());
        if (gpu.powerLimit() != null) {
          sample.metric(p + "power_usage_percentage",
              Sample.percent(gpu.powerDraw(), gpu.powerLimit()));
        }
      }
      sample.tag("tracker.gpu." + gpu.index() + ".name", gpu.name());
    }
  }
}
