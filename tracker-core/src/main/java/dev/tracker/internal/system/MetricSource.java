package dev.tracker.internal.system;

/**
 * One kind of system metric (CPU, memory, disk, network, JVM, GPU). A source belongs to one run's
 * sampler and is only called from the sampling thread, so it may keep state between samples
 * (counters of the previous sample, for values per interval).
 */
interface MetricSource {
  /** A short name for log messages ("cpu", "gpu"). */
  String name();

  /**
   * Takes the starting point of values measured as differences. Called once, on the sampling
   * thread, before the first {@link #sample}.
   *
   * @return false when this source has nothing to measure here (no {@code /proc/net/dev}): it is
   *     then left out of the run quietly
   * @throws Exception when the source fails; it is then left out of the run with a warning
   */
  default boolean start() throws Exception {
    return true;
  }

  /** Adds this source's current values to the sample. */
  void sample(Sample sample) throws Exception;
}
