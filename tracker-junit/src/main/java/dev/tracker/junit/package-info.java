/**
 * The JUnit Jupiter extension: every test a tracked, reproducible run.
 *
 * <p>Register {@link dev.tracker.junit.TrackerExtension} with {@code @ExtendWith}, {@link
 * dev.tracker.junit.Tracked @Tracked} or {@code @RegisterExtension}; fix seeds with {@link
 * dev.tracker.junit.Seed @Seed}. {@code junit-jupiter-api} is not a dependency of this jar: the
 * test class path brings it (JUnit Jupiter 5.10 or later, or 6.x).
 */
package dev.tracker.junit;
