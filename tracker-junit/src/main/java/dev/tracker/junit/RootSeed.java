package dev.tracker.junit;

/**
 * The root seed a test's seed is derived from, and where it came from (recorded as the tag
 * {@value TrackerExtension#SEED_SOURCE_TAG}, and used to word the rerun hint).
 */
record RootSeed(long value, Source source) {

  enum Source {
    /** {@code @Seed} on the test method or its class. */
    ANNOTATION("@Seed"),
    /** The configuration parameter or system property {@code tracker.seed}. */
    PROPERTY(TrackerExtension.SEED_KEY),
    /** The environment variable {@code TRACKER_SEED}. */
    ENVIRONMENT(Settings.ENV_SEED),
    /** Drawn at random once per test plan. */
    RANDOM("random");

    private final String label;

    Source(String label) {
      this.label = label;
    }

    /** The value of the tag {@value TrackerExtension#SEED_SOURCE_TAG}. */
    String label() {
      return label;
    }
  }
}
