package dev.tracker.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Fixes the root seed of a test method, or of every test in a class (and its {@code @Nested}
 * classes). The annotation on the method wins over the one on the class; both win over the
 * configuration parameter {@code tracker.seed}.
 *
 * <p>Each test's own seed is still derived from this root seed and the test's unique id, so two
 * tests of a class annotated {@code @Seed(42)} get different, fixed seeds:
 *
 * <pre>{@code
 * @Tracked
 * @Seed(42)
 * class ShuffleTest {
 *   @Test
 *   void shuffleKeepsEveryElement(Random random) { ... }   // the same sequence on every run
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface Seed {
  /** The root seed. */
  long value();
}
