package dev.tracker.internal.system;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.util.List;

/** The running JVM's management beans. */
final class PlatformJvmProbe implements JvmProbe {
  private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
  private final List<GarbageCollectorMXBean> collectors =
      ManagementFactory.getGarbageCollectorMXBeans();
  private final SunOs sunOs = sunOs(os);

  private static SunOs sunOs(OperatingSystemMXBean os) {
    try {
      return SunOs.of(os);
    } catch (LinkageError noJdkManagement) {
      return null;
    }
  }

  @Override
  public int availableProcessors() {
    return Runtime.getRuntime().availableProcessors();
  }

  @Override
  public long processCpuNanos() {
    return sunOs == null ? -1 : sunOs.processCpuNanos();
  }

  @Override
  public double machineCpuLoad() {
    return sunOs == null ? -1 : sunOs.cpuLoad();
  }

  @Override
  public long totalMemoryBytes() {
    return sunOs == null ? -1 : sunOs.totalMemory();
  }

  @Override
  public long freeMemoryBytes() {
    return sunOs == null ? -1 : sunOs.freeMemory();
  }

  @Override
  public long heapUsedBytes() {
    return memory.getHeapMemoryUsage().getUsed();
  }

  @Override
  public long heapCommittedBytes() {
    return memory.getHeapMemoryUsage().getCommitted();
  }

  @Override
  public long maxHeapBytes() {
    long max = Runtime.getRuntime().maxMemory();
    return max == Long.MAX_VALUE ? -1 : max;
  }

  @Override
  public long gcCount() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : collectors) {
      sum += Math.max(0, gc.getCollectionCount());
    }
    return sum;
  }

  @Override
  public long gcTimeMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : collectors) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }

  @Override
  public int threadCount() {
    return threads.getThreadCount();
  }

  @Override
  public List<String> inputArguments() {
    return runtime.getInputArguments();
  }

  /**
   * The {@code com.sun.management} extension (module jdk.management), which a trimmed runtime may
   * lack: only touched through this class, so that its absence costs the values, not the sampler.
   */
  private static final class SunOs {
    private final com.sun.management.OperatingSystemMXBean bean;

    private SunOs(com.sun.management.OperatingSystemMXBean bean) {
      this.bean = bean;
    }

    static SunOs of(OperatingSystemMXBean os) {
      return os instanceof com.sun.management.OperatingSystemMXBean b ? new SunOs(b) : null;
    }

    long processCpuNanos() {
      return bean.getProcessCpuTime();
    }

    double cpuLoad() {
      return bean.getCpuLoad();
    }

    long totalMemory() {
      return bean.getTotalMemorySize();
    }

    long freeMemory() {
      return bean.getFreeMemorySize();
    }
  }
}
