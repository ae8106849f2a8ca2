package dev.tracker.junit;

import dev.tracker.Run;
import dev.tracker.Seeds;
import dev.tracker.spi.TrackingBackend;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JUnit Jupiter extension that makes every test a tracked, reproducible run.
 *
 * <pre>{@code
 * @ExtendWith(TrackerExtension.class)          // or @Tracked, or @RegisterExtension with builder()
 * class IrisModelTest {
 *   @Test
 *   void accuracyIsAtLeastNinetyPercent(Run run, Random random) {
 *     double accuracy = IrisModel.train(random).accuracy();   // random: seeded from the run's seed
 *     run.logMetric("accuracy", accuracy);
 *     assertThat(accuracy).isGreaterThanOrEqualTo(0.9);
 *   }
 * }
 * }</pre>
 *
 * <h2>Runs</h2>
 *
 * <ul>
 *   <li>Each test class is an experiment: {@link Builder#experiment(String)}, else {@link
 *       Tracked#experiment()}, else the configuration parameter {@value #EXPERIMENT_KEY}, else the
 *       environment ({@code TRACKER_EXPERIMENT}, {@code MLFLOW_EXPERIMENT_NAME}), else the class's
 *       name. A {@code @Nested} class belongs to the experiment of its outermost class.
 *   <li>Each test method, and each invocation of a parameterized or repeated test, is a run named
 *       by its display name. A parameterized or repeated test is a parent run with one child run
 *       per invocation ({@code mlflow.parentRunId}).
 *   <li>The run ends {@code FINISHED} when the test passes, {@code FAILED} when it fails (the tag
 *       {@value #FAILURE_TAG} holds the failure's class and message), {@code KILLED} when it is
 *       aborted (an assumption failed; the tag {@value #ABORTED_TAG} says why). A skipped test
 *       creates no run. The metric {@value #DURATION_METRIC} is the test's duration, {@code
 *       @BeforeEach} and {@code @AfterEach} included. A test that ends its run itself keeps the
 *       status it chose. A {@code @TestFactory} is one run: its dynamic tests are not runs of
 *       their own; it ends {@code FAILED} when one of them fails ({@value #FAILURE_TAG} says how
 *       many), and each failed one carries the rerun hint.
 *   <li>Tags at start: {@value #CLASS_TAG} and {@value #SOURCE_NAME_TAG} (both the test
 *       class), {@value #METHOD_TAG}, {@value #DISPLAY_NAME_TAG},
 *       {@value #UNIQUE_ID_TAG}, {@value #TAGS_TAG} (the test's {@code @Tag}s, sorted, comma
 *       separated; absent when none) and {@value #SEED_SOURCE_TAG}.
 *   <li>A test method, {@code @BeforeEach} or {@code @AfterEach} method may declare parameters of
 *       type {@link Run}, {@link Seeds}, {@link Random} ({@code new Random(seed)}) and {@link
 *       RandomGenerator} ({@value Seeds#GENERATOR_ALGORITHM} seeded with {@code seed}); within one
 *       test they receive the same objects.
 * </ul>
 *
 * <h2>Seeds</h2>
 *
 * The root seed comes from {@link Seed @Seed} on the method, else on the class (or an enclosing
 * class of a {@code @Nested} one), else the configuration parameter {@value #SEED_KEY}, else the
 * environment variable {@code TRACKER_SEED}, else it is drawn at random once per test plan (and
 * logged). Each test's seed is {@code Seeds.of(root).derive(uniqueId)}, where {@code uniqueId} is
 * the test's unique id from its {@code [engine:junit-jupiter]} segment on: running a test alone,
 * in another order or in parallel gives it the same seed. Each run records its seed as the param
 * {@code seed}, the root seed as the param {@value #ROOT_SEED_PARAM}. The failure of a failed test
 * carries a suppressed exception that names the run and how to rerun with its seed, e.g. {@code
 * tracked run 5f0c… (experiment 'IrisModelTest'), seed 80211… from root seed 123456: rerun with
 * -Dtracker.seed=123456}.
 *
 * <h2>Configuration</h2>
 *
 * Through JUnit configuration parameters ({@code junit-platform.properties}, {@code -D} system
 * properties, the launcher), falling back to the core's environment variables:
 *
 * <table>
 *   <caption>Configuration parameters</caption>
 *   <tr><th>parameter</th><th>meaning</th><th>fallback</th></tr>
 *   <tr><td>{@value #URI_KEY}</td><td>where runs are recorded</td>
 *       <td>{@code TRACKER_URI}, {@code MLFLOW_TRACKING_URI}, {@code file:./runs}</td></tr>
 *   <tr><td>{@value #EXPERIMENT_KEY}</td><td>the experiment of every test class</td>
 *       <td>{@code TRACKER_EXPERIMENT}, {@code MLFLOW_EXPERIMENT_NAME}, the class's name</td></tr>
 *   <tr><td>{@value #SEED_KEY}</td><td>the root seed</td>
 *       <td>{@code TRACKER_SEED}, drawn at random</td></tr>
 *   <tr><td>{@value #FAIL_ON_ERROR_KEY}</td><td>{@code true}: a tracking failure fails the test
 *       </td><td>{@code false}</td></tr>
 * </table>
 *
 * <p>Every other setting the core or a backend reads from system properties can be given as a
 * configuration parameter too. {@code MLFLOW_RUN_ID} and {@code tracker.runId} are ignored: the
 * runs of a test plan are always new runs.
 *
 * <h2>One tracker per test plan</h2>
 *
 * The {@link dev.tracker.Tracker} is kept in the root {@link ExtensionContext.Store} and closed
 * (flushed) when the test plan ends; each run is ended by a resource in its test's store, which
 * reads the test's outcome from {@link ExtensionContext#getExecutionException()}. The extension is
 * safe in parallel test execution. Registered twice for a test (say {@code @Tracked} and a {@code
 * @RegisterExtension} field), the registration JUnit asks first tracks it and the other stays out.
 *
 * <h2>Tracking failures</h2>
 *
 * A tracking failure (no backend for the URI, the backend down, a name the backend refuses) never
 * fails a test unless {@value #FAIL_ON_ERROR_KEY} is {@code true}: it is logged (WARN), published
 * as a report entry {@value #REPORT_KEY} of the test (or of the test plan, for failures found when
 * the runs are flushed at its end), and the test receives an untracked {@link Run} with the same
 * seeds. With {@value #FAIL_ON_ERROR_KEY}{@code =true} each test waits at its end until the backend
 * has its run, and fails with a {@link dev.tracker.TrackerException} when the tracker reports a
 * failure (in parallel execution, the test whose end sees the failure first). An invalid {@value
 * #SEED_KEY} or {@value #FAIL_ON_ERROR_KEY} value is a configuration mistake and fails every test
 * with an {@link org.junit.jupiter.api.extension.ExtensionConfigurationException}.
 */
public final class TrackerExtension implements BeforeEachCallback, ParameterResolver,
    InvocationInterceptor {
  /** The configuration parameter naming where runs are recorded. */
  public static final String URI_KEY = "tracker.uri";
  /** The configuration parameter naming the experiment of every test class. */
  public static final String EXPERIMENT_KEY = "tracker.experiment";
  /** The configuration parameter giving the root seed. */
  public static final String SEED_KEY = "tracker.seed";
  /** The configuration parameter that makes tracking failures fail tests ({@code true}). */
  public static final String FAIL_ON_ERROR_KEY = "tracker.failOnError";

  /** The tag holding the test class's binary name. */
  public static final String CLASS_TAG = "junit.class";
  /** MLflow's source tag, set to the test class's binary name (not the test runner's jar). */
  public static final String SOURCE_NAME_TAG = "mlflow.source.name";
  /** The tag holding the test method's name. */
  public static final String METHOD_TAG = "junit.method";
  /** The tag holding the test's display name. */
  public static final String DISPLAY_NAME_TAG = "junit.display_name";
  /** The tag holding the test's unique id. */
  public static final String UNIQUE_ID_TAG = "junit.unique_id";
  /** The tag holding the test's {@code @Tag}s, sorted and comma separated. */
  public static final String TAGS_TAG = "junit.tags";
  /** The tag holding a failed test's failure: its class name and message. */
  public static final String FAILURE_TAG = "junit.failure";
  /** The tag holding why an aborted test was aborted. */
  public static final String ABORTED_TAG = "junit.aborted";
  /** The tag saying where the root seed came from: {@code @Seed}, {@code tracker.seed}, … */
  public static final String SEED_SOURCE_TAG = "junit.seed_source";
  /** The param holding the root seed the run's seed was derived from. */
  public static final String ROOT_SEED_PARAM = "junit.root_seed";
  /** The metric holding the test's duration in milliseconds. */
  public static final String DURATION_METRIC = "junit.duration_ms";
  /** The metric of a parent run holding how many invocations ran. */
  public static final String INVOCATIONS_METRIC = "junit.invocations";
  /** The key of the report entries that say why a test was not tracked. */
  public static final String REPORT_KEY = "tracker";

  private static final Logger log = LoggerFactory.getLogger(TrackerExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(TrackerExtension.class);
  private static final Object ROOT_SEED_KEY = new Key("root-seed", "");
  private static final int MAX_TAG_VALUE = 8000;

  private final String uri;
  private final TrackingBackend backend;
  private final String experiment;
  private final Boolean failOnError;

  /**
   * The extension configured by configuration parameters only; what {@code
   * @ExtendWith(TrackerExtension.class)} and {@link Tracked @Tracked} create.
   */
  public TrackerExtension() {
    this(new Builder());
  }

  private TrackerExtension(Builder b) {
    this.uri = b.uri;
    this.backend = b.backend;
    this.experiment = b.experiment;
    this.failOnError = b.failOnError;
  }

  /**
   * A builder for an extension registered with {@code @RegisterExtension}; what it sets wins over
   * configuration parameters.
   *
   * <pre>{@code
   * @RegisterExtension
   * static TrackerExtension tracker = TrackerExtension.builder()
   *     .experiment("iris-quality").failOnError(true).build();
   * }</pre>
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts the test's run (before the test's {@code @BeforeEach} methods). */
  @Override
  public void beforeEach(ExtensionContext context) {
    if (serves(context)) {
      testRun(context).failIfAsked();
    }
  }

  /**
   * Counts a {@code @TestFactory}'s dynamic test in the factory's run: a failed one makes that
   * run end {@code FAILED} and carries the rerun hint.
   */
  @Override
  public void interceptDynamicTest(Invocation<Void> invocation,
      DynamicTestInvocationContext invocationContext, ExtensionContext context) throws Throwable {
    if (!serves(context)) {
      invocation.proceed();
      return;
    }
    TestRun factory = null;
    for (Optional<ExtensionContext> c = context.getParent(); c.isPresent() && factory == null;
        c = c.get().getParent()) {
      factory = c.get().getStore(NAMESPACE).get(new Key("test", c.get().getUniqueId()),
          TestRun.class);
    }
    try {
      invocation.proceed();
    } catch (Throwable t) {
      if (factory != null) {
        factory.dynamicTestFinished(t);
      }
      throw t;
    }
    if (factory != null) {
      factory.dynamicTestFinished(null);
    }
  }

  /**
   * True for parameters of type {@link Run} and {@link Seeds}, and of type {@link Random} and
   * {@link RandomGenerator} of methods that run as part of a test.
   */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (!serves(context)) {
      return false;
    }
    if (type == Run.class || type == Seeds.class) {
      return true;
    }
    return (type == Random.class || type == RandomGenerator.class) && isTest(context);
  }

  /**
   * The test's run, seeds, {@code Random} or {@code RandomGenerator}.
   *
   * @throws ParameterResolutionException when the method does not run as part of a test (a
   *     {@code @BeforeAll} method, a constructor)
   */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (!isTest(context)) {
      throw new ParameterResolutionException("a " + type.getSimpleName()
          + " is given to @Test, @BeforeEach and @AfterEach methods only, since each test has its"
          + " own run, but " + parameter.getDeclaringExecutable() + " runs outside a test");
    }
    TestRun run = testRun(context);
    if (type == Run.class) {
      return run.run();
    } else if (type == Seeds.class) {
      return run.seeds();
    } else if (type == Random.class) {
      return run.random();
    }
    return run.generator();
  }

  @Override
  public String toString() {
    return "TrackerExtension{" + (uri != null ? "uri=" + dev.tracker.spi.Secrets.redact(uri)
        : backend != null ? "backend=" + backend.describe() : "configured") + "}";
  }

  // ------------------------------------------------------------------------------- internals

  /**
   * True when this registration serves the context: the first to be asked there. Registered
   * twice (say {@code @Tracked} and a {@code @RegisterExtension} field), a test still has one
   * run and its parameters one resolver; the other registration stays out, with a WARN.
   */
  @SuppressWarnings("deprecation") // getOrComputeIfAbsent: deprecated in JUnit 6, needed for 5.x
  private boolean serves(ExtensionContext context) {
    Object first = context.getStore(NAMESPACE).getOrComputeIfAbsent(
        new Key("extension", context.getUniqueId()), k -> this);
    if (first == this) {
      return true;
    }
    context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(new Key("twice", ""), k -> {
      log.warn("tracker-junit: TrackerExtension is registered more than once for '{}': {} tracks"
          + " the tests, {} is left out; register it once", context.getDisplayName(), first, this);
      return Boolean.TRUE;
    });
    return false;
  }

  private static boolean isTest(ExtensionContext context) {
    return context.getTestMethod().isPresent();
  }

  /** The test's run, started on first use (by beforeEach, or by an earlier parameter). */
  @SuppressWarnings("deprecation") // getOrComputeIfAbsent: deprecated in JUnit 6, needed for 5.x
  private TestRun testRun(ExtensionContext context) {
    Settings settings = Settings.of(context);
    RootSeed rootSeed = rootSeed(context, settings);
    boolean fail = failOnError != null ? failOnError : settings.failOnError();
    PlanState plan = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(
        new PlanKey(uri, backend, fail),
        k -> PlanState.start(context.getRoot(), settings, uri, backend, fail), PlanState.class);
    return context.getStore(NAMESPACE).getOrComputeIfAbsent(
        new Key("test", context.getUniqueId()),
        k -> startTestRun(context, settings, plan, rootSeed), TestRun.class);
  }

  private TestRun startTestRun(ExtensionContext context, Settings settings, PlanState plan,
      RootSeed rootSeed) {
    String experimentName = experimentName(context, settings);
    TemplateRun template = template(context, settings, plan, rootSeed, experimentName);
    long seed = seedOf(rootSeed, context);
    PlanState.Started started = plan.start(context, experimentName,
        truncate(context.getDisplayName()), seed, tags(context, rootSeed), rootSeed.value(),
        template == null ? null : template.parent());
    return new TestRun(context, plan, started, rootSeed, seed, template);
  }

  /** The parent run when the test is an invocation of a test template, else null. */
  @SuppressWarnings("deprecation") // getOrComputeIfAbsent: deprecated in JUnit 6, needed for 5.x
  private static TemplateRun template(ExtensionContext context, Settings settings, PlanState plan,
      RootSeed rootSeed, String experimentName) {
    Optional<ExtensionContext> parent = context.getParent();
    if (parent.isEmpty() || parent.get().getTestMethod().isEmpty()) {
      return null; // a plain test method: its parent is its class
    }
    ExtensionContext t = parent.get();
    return t.getStore(NAMESPACE).getOrComputeIfAbsent(new Key("template", t.getUniqueId()),
        k -> new TemplateRun(t, plan, plan.start(t, experimentName, truncate(t.getDisplayName()),
            seedOf(rootSeed, t), tags(t, rootSeed), rootSeed.value(), null)),
        TemplateRun.class);
  }

  @SuppressWarnings("deprecation") // getOrComputeIfAbsent: deprecated in JUnit 6, needed for 5.x
  private static RootSeed rootSeed(ExtensionContext context, Settings settings) {
    Optional<Seed> annotated = context.getTestMethod()
        .flatMap(m -> AnnotationSupport.findAnnotation(m, Seed.class))
        .or(() -> findOnClasses(context.getRequiredTestClass(), Seed.class));
    if (annotated.isPresent()) {
      return new RootSeed(annotated.get().value(), RootSeed.Source.ANNOTATION);
    }
    Optional<RootSeed> configured = settings.seed();
    return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(ROOT_SEED_KEY, k -> {
      RootSeed s = configured.orElseGet(() -> new RootSeed(
          ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, RootSeed.Source.RANDOM));
      log.info("tracker-junit: root seed {} ({}); rerun with -D{}={}", s.value(),
          s.source().label(), SEED_KEY, s.value());
      return s;
    }, RootSeed.class);
  }

  /** The test's own seed: derived from the root seed and its unique id. */
  static long seedOf(RootSeed rootSeed, ExtensionContext context) {
    return Seeds.of(rootSeed.value()).derive(seedName(context.getUniqueId()));
  }

  /**
   * The unique id from the last engine segment on, so that a test run through the suite engine
   * (or any engine that nests Jupiter) gets the seed it gets when run directly.
   */
  static String seedName(String uniqueId) {
    int engine = uniqueId.lastIndexOf("[engine:");
    return engine <= 0 ? uniqueId : uniqueId.substring(engine);
  }

  private String experimentName(ExtensionContext context, Settings settings) {
    if (experiment != null) {
      return experiment;
    }
    Class<?> testClass = context.getRequiredTestClass();
    Optional<String> annotated = findOnClasses(testClass, Tracked.class)
        .map(Tracked::experiment).filter(s -> !s.isEmpty());
    return annotated.or(settings::experiment).orElseGet(() -> outermost(testClass).getName());
  }

  /** The annotation on the class, else on the classes a {@code @Nested} class is nested in. */
  private static <A extends java.lang.annotation.Annotation> Optional<A> findOnClasses(
      Class<?> testClass, Class<A> type) {
    for (Class<?> c = testClass; c != null; c = enclosing(c)) {
      Optional<A> found = AnnotationSupport.findAnnotation(c, type);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static Class<?> outermost(Class<?> testClass) {
    Class<?> c = testClass;
    while (enclosing(c) != null) {
      c = enclosing(c);
    }
    return c;
  }

  /** The enclosing class of an inner ({@code @Nested}) class; null for a static or top class. */
  private static Class<?> enclosing(Class<?> c) {
    return c.isMemberClass() && !Modifier.isStatic(c.getModifiers()) ? c.getEnclosingClass() : null;
  }

  private static Map<String, String> tags(ExtensionContext context, RootSeed rootSeed) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(CLASS_TAG, context.getRequiredTestClass().getName());
    // the test class is the source of a test's run, not the test runner's jar
    tags.put(SOURCE_NAME_TAG, context.getRequiredTestClass().getName());
    context.getTestMethod().map(Method::getName).ifPresent(m -> tags.put(METHOD_TAG, m));
    tags.put(DISPLAY_NAME_TAG, truncate(context.getDisplayName()));
    tags.put(UNIQUE_ID_TAG, truncate(context.getUniqueId()));
    Set<String> junitTags = new TreeSet<>(context.getTags());
    if (!junitTags.isEmpty()) {
      tags.put(TAGS_TAG, truncate(String.join(",", junitTags)));
    }
    tags.put(SEED_SOURCE_TAG, rootSeed.source().label());
    return tags;
  }

  /** "class: message", or the class alone, cut to a tag value's length. */
  static String describe(Throwable t) {
    String m = t.getMessage();
    return truncate(t.getClass().getName() + (m == null || m.isEmpty() ? "" : ": " + m));
  }

  private static String truncate(String text) {
    String s = wellFormed(text);
    if (s.length() <= MAX_TAG_VALUE) {
      return s;
    }
    // never between the halves of a character such as an emoji: a tag refuses a lone half
    int end = Character.isHighSurrogate(s.charAt(MAX_TAG_VALUE - 2)) ? MAX_TAG_VALUE - 2
        : MAX_TAG_VALUE - 1;
    return s.substring(0, end) + "…";
  }

  /**
   * The text with each lone surrogate (half a character such as an emoji: a parameterized
   * test's argument, a failure's message) made U+FFFD, which a run name or tag may hold.
   */
  static String wellFormed(String s) {
    // a lone surrogate is a code point of its own, of type SURROGATE; a pair is one code point
    return s.codePoints().map(cp -> Character.getType(cp) == Character.SURROGATE ? 0xFFFD : cp)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }

  /** Keys in the extension's namespace: what a value is, for which context. */
  private record Key(String kind, String uniqueId) {}

  /** The tracker of a test plan per configuration (extensions built differently get their own). */
  private record PlanKey(String uri, TrackingBackend backend, boolean failOnError) {}

  /**
   * Builds a {@link TrackerExtension} for {@code @RegisterExtension}. What is not set is read from
   * the configuration, as for {@code @ExtendWith(TrackerExtension.class)}.
   */
  public static final class Builder {
    private String uri;
    private TrackingBackend backend;
    private String experiment;
    private Boolean failOnError;

    private Builder() {}

    /**
     * Where to record, instead of the configuration parameter {@value TrackerExtension#URI_KEY}.
     */
    public Builder uri(String uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /**
     * A backend to record to, instead of one found for the URI (for tests of your own code, or a
     * backend configured in code). It is closed when the test plan ends.
     */
    public Builder backend(TrackingBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /** The experiment of every test class using this extension. */
    public Builder experiment(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("experiment name must not be blank but was "
            + (name == null ? "null" : "'" + name + "'"));
      }
      this.experiment = name;
      return this;
    }

    /**
     * Whether a tracking failure fails the test, instead of {@value
     * TrackerExtension#FAIL_ON_ERROR_KEY}.
     */
    public Builder failOnError(boolean failOnError) {
      this.failOnError = failOnError;
      return this;
    }

    /** A builder with this builder's settings. */
    public Builder toBuilder() {
      Builder b = new Builder();
      b.uri = uri;
      b.backend = backend;
      b.experiment = experiment;
      b.failOnError = failOnError;
      return b;
    }

    /** The extension. */
    public TrackerExtension build() {
      return new TrackerExtension(this);
    }
  }
}
