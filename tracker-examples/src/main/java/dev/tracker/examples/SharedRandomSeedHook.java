package dev.tracker.examples;

import dev.tracker.Seeds;
import dev.tracker.spi.SeedHook;

/**
 * Seeds {@link SharedRandom} with {@code seeds.derive("jdk-random")} when a run starts. Registered
 * in {@code META-INF/services/dev.tracker.spi.SeedHook}; a framework integration (DJL, ND4J)
 * would look the same, with {@link #isAvailable()} checking that the framework is on the class
 * path.
 */
public final class SharedRandomSeedHook implements SeedHook {
  @Override
  public String name() {
    return "jdk-random";
  }

  @Override
  public void seed(Seeds seeds) {
    SharedRandom.get().setSeed(seeds.derive(name()));
  }
}
