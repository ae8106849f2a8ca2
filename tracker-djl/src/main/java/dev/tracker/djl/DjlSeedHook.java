package dev.tracker.djl;

import ai.djl.engine.Engine;
import dev.tracker.Seeds;
import dev.tracker.spi.SeedHook;

/**
 * Seeds DJL when a run starts: {@code Engine.getInstance().setRandomSeed(seed)} with {@link
 * #engineSeed(Seeds)}, which seeds both DJL's own random numbers (dataset shuffling, {@code
 * RandomUtils}) and the engine's (weight initialisation, dropout). Registered in {@code
 * META-INF/services/dev.tracker.spi.SeedHook}, so adding tracker-djl to the class path is enough;
 * the run's tag {@code tracker.seed.hooks} then names {@value #NAME}.
 *
 * <p>The default engine is seeded; it is loaded (its native library too) when the first run
 * starts. The seed is global: when several runs start at once in one JVM, the last start wins.
 */
public final class DjlSeedHook implements SeedHook {
  /** The hook's name, and the name the engine's seed is derived with. */
  public static final String NAME = "djl";

  /** Made by {@link java.util.ServiceLoader}. */
  public DjlSeedHook() {}

  /**
   * The engine's seed of a run: the upper 31 bits of {@code seeds.derive("djl")}, a
   * non-negative {@code int} as DJL takes it.
   */
  public static int engineSeed(Seeds seeds) {
    return (int) (seeds.derive(NAME) >>> 33);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** True when DJL's API and at least one engine are on the class path. */
  @Override
  public boolean isAvailable() {
    try {
      return !Engine.getAllEngines().isEmpty();
    } catch (LinkageError e) { // DJL's API is not on the class path: Engine cannot be loaded
      return false;
    }
  }

  @Override
  public void seed(Seeds seeds) {
    Engine.getInstance().setRandomSeed(engineSeed(seeds));
  }
}
