package dev.tracker.examples;

import java.util.Random;

/**
 * An application-wide {@link Random}, the way ML frameworks keep a global generator (ND4J's
 * {@code Nd4j.getRandom()}, DJL's {@code RandomUtils}). {@link SharedRandomSeedHook} seeds it
 * from each run's seeds when the run starts.
 */
public final class SharedRandom {
  private static final Random RANDOM = new Random();

  private SharedRandom() {}

  /** The shared generator. */
  public static Random get() {
    return RANDOM;
  }
}
