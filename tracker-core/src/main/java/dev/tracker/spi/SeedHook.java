package dev.tracker.spi;

import dev.tracker.Seeds;

/**
 * Seeds a framework's global random state (DJL, ND4J, …) from a run's seeds when the run starts.
 * Registered in {@code META-INF/services/dev.tracker.spi.SeedHook} and found with
 * {@link java.util.ServiceLoader}; the names of the hooks that ran are recorded in the tag
 * {@code tracker.seed.hooks}.
 *
 * <p>Global state is shared: when several runs start at once in one JVM, the last start wins.
 */
public interface SeedHook {
  /** A short name, recorded in the run's tags, e.g. "nd4j". */
  String name();

  /** True when the framework is on the class path; checked once. The default says true. */
  default boolean isAvailable() {
    return true;
  }

  /**
   * Seeds the framework. Use {@code seeds.derive(name())} rather than the root seed, so that
   * frameworks do not share a stream.
   */
  void seed(Seeds seeds);
}
