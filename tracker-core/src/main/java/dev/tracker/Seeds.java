package dev.tracker;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Random;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The seeds of a run: one root seed, recorded as the run's param {@code seed}, and seeds derived
 * from it by name, so that each component of a job (data loader, weight initialisation, dropout)
 * gets its own stream and adding a component never shifts another's seed.
 *
 * <pre>{@code
 * Seeds seeds = run.seeds();
 * Random shuffle = seeds.random("shuffle");          // java.util.Random, seeded by derive("shuffle")
 * RandomGenerator init = seeds.generator("init");    // L64X128MixRandom, seeded by derive("init")
 * long torchSeed = seeds.derive("torch");
 * }</pre>
 *
 * <h2>The derivation function</h2>
 *
 * <p>{@code derive(name)} is fixed for all versions and JDKs (golden-value tests pin it):
 *
 * <pre>
 *   h = FNV-1a 64-bit hash of the UTF-8 bytes of name
 *       (offset basis 0xcbf29ce484222325, prime 0x100000001b3)
 *   derive(name) = mix64(root ^ mix64(h))
 *   mix64(z): z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9;
 *             z = (z ^ (z >>> 27)) * 0x94d049bb133111eb;
 *             return z ^ (z >>> 31)                      (SplitMix64's finaliser)
 * </pre>
 *
 * <p>{@link Random} and {@code L64X128MixRandom} are both specified exactly by the JDK, so the
 * sequences they give for a seed are the same on every JDK 17 or later.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Seeds {
  /** The algorithm of {@link #generator(String)}, recorded as the tag {@value #GENERATOR_TAG}. */
  public static final String GENERATOR_ALGORITHM = "L64X128MixRandom";

  /** The tag that records {@link #GENERATOR_ALGORITHM}. */
  public static final String GENERATOR_TAG = "tracker.seed.generator";

  /** The param under which every run records its root seed. */
  public static final String SEED_PARAM = "seed";

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private final long root;

  private Seeds(long root) {
    this.root = root;
  }

  /** The seeds derived from a root seed. */
  public static Seeds of(long root) {
    return new Seeds(root);
  }

  /** The root seed. */
  public long root() {
    return root;
  }

  /**
   * A seed that depends only on the root seed and {@code name} (see the class javadoc for the
   * function).
   *
   * @throws IllegalArgumentException when name is null
   */
  public long derive(String name) {
    if (name == null) {
      throw new IllegalArgumentException("seed name must not be null");
    }
    long h = FNV_OFFSET;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= FNV_PRIME;
    }
    return mix64(root ^ mix64(h));
  }

  /** The seeds of a component: a new {@code Seeds} whose root is {@link #derive(String) derive(name)}. */
  public Seeds child(String name) {
    return new Seeds(derive(name));
  }

  /** A new {@link Random} seeded with {@link #derive(String) derive(name)}. */
  public Random random(String name) {
    return new Random(derive(name));
  }

  /**
   * A new {@link RandomGenerator} of the pinned algorithm {@value #GENERATOR_ALGORITHM}, seeded
   * with {@link #derive(String) derive(name)}. Never the JDK's default algorithm, which may change.
   */
  public RandomGenerator generator(String name) {
    return RandomGeneratorFactory.<RandomGenerator>of(GENERATOR_ALGORITHM).create(derive(name));
  }

  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Seeds other && other.root == root;
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(root);
  }

  @Override
  public String toString() {
    return "Seeds{root=" + root + "}";
  }
}
