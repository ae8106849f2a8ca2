package dev.tracker.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.Seeds;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

class SeedTest {
  private static final String ENGINE = "[engine:junit-jupiter]";

  private static List<Double> values(List<Metric> metrics, String key) {
    return metrics.stream().filter(m -> m.key().equals(key)).map(Metric::value).toList();
  }

  /** Logs five draws of each injected generator as metrics, so tests can compare sequences. */
  @ExtendWith(TrackerExtension.class)
  static class DrawsTestCase {
    static void draws(Run run, Random random, RandomGenerator generator) {
      for (int i = 0; i < 5; i++) {
        run.logMetric("random", random.nextInt(1_000_000), i);
        run.logMetric("generator", generator.nextInt(1_000_000), i);
      }
    }

    @Test
    void first(Run run, Random random, RandomGenerator generator) {
      draws(run, random, generator);
    }

    @Test
    void second(Run run, Random random, RandomGenerator generator) {
      draws(run, random, generator);
    }
  }

  private static final String FIRST = "first(Run, Random, RandomGenerator)";
  private static final String SECOND = "second(Run, Random, RandomGenerator)";
  private static final String PARAMETER_TYPES =
      "dev.tracker.Run, java.util.Random, java.util.random.RandomGenerator";

  private static Kit withSeed(String seed) {
    return new Kit().parameter(TrackerExtension.SEED_KEY, seed);
  }

  private static List<Double> draws(Kit kit, String runName, String key) {
    return values(kit.backend.metrics(kit.runId(runName)), key);
  }

  @Test
  void theSameTestRunTwiceWithTheSameRootSeedReceivesTheSameRandomSequence() {
    Kit once = withSeed("123");
    Kit twice = withSeed("123");
    Kit other = withSeed("124");
    once.run(DrawsTestCase.class);
    twice.run(DrawsTestCase.class);
    other.run(DrawsTestCase.class);

    assertThat(draws(once, FIRST, "random")).hasSize(5)
        .isEqualTo(draws(twice, FIRST, "random"))
        .isNotEqualTo(draws(other, FIRST, "random"))
        .isNotEqualTo(draws(once, SECOND, "random"));
    assertThat(draws(once, FIRST, "generator")).hasSize(5)
        .isEqualTo(draws(twice, FIRST, "generator"))
        .isNotEqualTo(draws(other, FIRST, "generator"));
  }

  @Test
  void seedIsDerivedFromTheRootSeedAndTheUniqueIdAndSeedsTheInjectedGenerators() {
    Kit kit = withSeed("123");
    kit.run(DrawsTestCase.class);

    String uniqueId = ENGINE + "/[class:" + DrawsTestCase.class.getName() + "]/[method:first("
        + PARAMETER_TYPES + ")]";
    long seed = Seeds.of(123).derive(uniqueId);
    String id = kit.runId(FIRST);
    assertThat(kit.backend.params(id)).containsEntry("seed", String.valueOf(seed))
        .containsEntry(TrackerExtension.ROOT_SEED_PARAM, "123");
    Random random = new Random(seed);
    RandomGenerator generator = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    assertThat(draws(kit, FIRST, "random"))
        .isEqualTo(IntStream.range(0, 5).mapToObj(i -> (double) random.nextInt(1_000_000)).toList());
    assertThat(draws(kit, FIRST, "generator")).isEqualTo(
        IntStream.range(0, 5).mapToObj(i -> (double) generator.nextInt(1_000_000)).toList());
  }

  @Test
  void aTestRunAloneGetsTheSeedItGetsWithTheOthers() {
    Kit all = withSeed("7");
    Kit alone = withSeed("7");
    all.run(DrawsTestCase.class);
    alone.run(selectMethod(DrawsTestCase.class, "second", PARAMETER_TYPES));

    assertThat(alone.runIds()).hasSize(1);
    assertThat(alone.backend.params(alone.runId(SECOND)))
        .isEqualTo(all.backend.params(all.runId(SECOND)));
    assertThat(draws(alone, SECOND, "random")).isEqualTo(draws(all, SECOND, "random"));
  }

  @Test
  void withoutConfigurationTheRootSeedIsDrawnOncePerTestPlanAndRecorded() {
    Kit kit = new Kit();
    kit.run(DrawsTestCase.class);

    List<String> ids = kit.runIds();
    assertThat(ids).hasSize(2);
    String root = kit.backend.params(ids.get(0)).get(TrackerExtension.ROOT_SEED_PARAM);
    assertThat(root).isNotNull();
    assertThat(ids).allSatisfy(id -> {
      assertThat(kit.backend.params(id)).containsEntry(TrackerExtension.ROOT_SEED_PARAM, root)
          .containsEntry("seed", String.valueOf(Seeds.of(Long.parseLong(root))
              .derive(kit.backend.tags(id).get(TrackerExtension.UNIQUE_ID_TAG))));
      assertThat(kit.backend.tags(id)).containsEntry(TrackerExtension.SEED_SOURCE_TAG, "random");
    });
  }

  // ------------------------------------------------------------------------------- rerun

  @ExtendWith(TrackerExtension.class)
  static class FlakyTestCase {
    @Test
    void flaky(Run run, Random random) {
      int draw = random.nextInt(1_000_000);
      run.logMetric("draw", draw);
      fail("unlucky draw " + draw);
    }
  }

  @Test
  void rerunningWithTheSeedFromTheFailureReproducesTheTest() {
    Kit first = new Kit();
    EngineExecutionResults failed = first.run(FlakyTestCase.class);
    Throwable failure = Kit.throwable(failed.testEvents().failed().list().get(0));
    String hint = failure.getSuppressed()[0].getMessage();
    Matcher m = Pattern.compile("-Dtracker\\.seed=(-?\\d+)$").matcher(hint);
    assertThat(m.find()).as(hint).isTrue();

    Kit rerun = withSeed(m.group(1));
    EngineExecutionResults again = rerun.run(FlakyTestCase.class);

    assertThat(Kit.throwable(again.testEvents().failed().list().get(0)))
        .hasMessage(failure.getMessage());
    assertThat(rerun.backend.params(rerun.runId("flaky(Run, Random)")))
        .isEqualTo(first.backend.params(first.runId("flaky(Run, Random)")));
  }

  // ------------------------------------------------------------------------------- @Seed

  @ExtendWith(TrackerExtension.class)
  @Seed(42)
  static class AnnotatedTestCase {
    @Test
    void fromClass() {}

    @Test
    @Seed(7)
    void fromMethod() {
      fail("fails with a fixed seed");
    }

    @Nested
    class Inner {
      @Test
      void fromEnclosingClass() {}
    }
  }

  @Test
  void seedOnTheMethodWinsOverTheClassAndBothOverTheConfiguration() {
    Kit kit = withSeed("123");
    EngineExecutionResults results = kit.run(AnnotatedTestCase.class);

    Map<String, String> roots = Map.of("fromClass()", "42", "fromMethod()", "7",
        "fromEnclosingClass()", "42");
    roots.forEach((name, root) -> {
      String id = kit.runId(name);
      assertThat(kit.backend.params(id)).containsEntry(TrackerExtension.ROOT_SEED_PARAM, root)
          .containsEntry("seed", String.valueOf(Seeds.of(Long.parseLong(root))
              .derive(kit.backend.tags(id).get(TrackerExtension.UNIQUE_ID_TAG))));
      assertThat(kit.backend.tags(id)).containsEntry(TrackerExtension.SEED_SOURCE_TAG, "@Seed");
    });
    String id = kit.runId("fromMethod()");
    assertThat(Kit.throwable(results.testEvents().failed().list().get(0)).getSuppressed())
        .singleElement(InstanceOfAssertFactories.THROWABLE)
        .hasMessage("tracked run " + id + " (experiment '" + AnnotatedTestCase.class.getName()
            + "'), seed " + kit.backend.params(id).get("seed")
            + " from root seed 7: fixed by @Seed(7), a rerun uses the same seed");
  }

  // ------------------------------------------------------------------------------- injection

  @ExtendWith(TrackerExtension.class)
  static class SameObjectsTestCase {
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp(Run run, Seeds seeds, Random random, RandomGenerator generator) {
      SEEN.put("before.run", run);
      SEEN.put("before.seeds", seeds);
      SEEN.put("before.random", random);
      SEEN.put("before.generator", generator);
    }

    @Test
    void test(Run run, Seeds seeds, Random random, RandomGenerator generator) {
      SEEN.put("test.run", run);
      SEEN.put("test.seeds", seeds);
      SEEN.put("test.random", random);
      SEEN.put("test.generator", generator);
    }
  }

  @Test
  void beforeEachAndTheTestReceiveTheSameRunSeedsAndGenerators() {
    SameObjectsTestCase.SEEN.clear();
    Kit kit = withSeed("5");
    kit.run(SameObjectsTestCase.class);

    Map<String, Object> seen = SameObjectsTestCase.SEEN;
    for (String kind : List.of("run", "seeds", "random", "generator")) {
      assertThat(seen.get("test." + kind)).as(kind).isNotNull()
          .isSameAs(seen.get("before." + kind));
    }
    Run run = (Run) seen.get("test.run");
    assertThat(run.id()).isEqualTo(kit.runId("test(Run, Seeds, Random, RandomGenerator)"));
    assertThat(((Seeds) seen.get("test.seeds")).root())
        .isEqualTo(Long.parseLong(kit.backend.params(run.id()).get("seed")));
  }

  @ExtendWith(TrackerExtension.class)
  static class BeforeAllTestCase {
    @BeforeAll
    static void setUp(Run run) {}

    @Test
    void test() {}
  }

  @Test
  void runForABeforeAllMethodIsRefusedWithAClearMessage() throws Exception {
    Kit kit = withSeed("5");
    EngineExecutionResults results = kit.run(BeforeAllTestCase.class);

    Throwable failure = Kit.throwable(results.containerEvents().failed().list().get(0));
    assertThat(failure).isExactlyInstanceOf(ParameterResolutionException.class)
        .hasMessage("a Run is given to @Test, @BeforeEach and @AfterEach methods only, since each"
            + " test has its own run, but "
            + BeforeAllTestCase.class.getDeclaredMethod("setUp", Run.class)
            + " runs outside a test");
    assertThat(kit.runIds()).isEmpty();
  }

  @Test
  void seedNameStartsAtTheLastEngineSegment() {
    String jupiter = ENGINE + "/[class:a.B]/[method:c()]";
    assertThat(TrackerExtension.seedName(jupiter)).isEqualTo(jupiter);
    assertThat(TrackerExtension.seedName(
        "[engine:junit-platform-suite]/[suite:a.Suite]/" + jupiter)).isEqualTo(jupiter);
  }
}
