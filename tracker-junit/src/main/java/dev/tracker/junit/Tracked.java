package dev.tracker.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Registers the {@link TrackerExtension}: every test of the class becomes a tracked run.
 * Equivalent to {@code @ExtendWith(TrackerExtension.class)}, and names the experiment.
 *
 * <pre>{@code
 * @Tracked(experiment = "iris-quality")
 * class IrisModelTest {
 *   @Test
 *   void accuracyIsAtLeastNinetyPercent(Run run, Random random) {
 *     double accuracy = IrisModel.train(random).accuracy();
 *     run.logMetric("accuracy", accuracy);
 *     assertThat(accuracy).isGreaterThanOrEqualTo(0.9);
 *   }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TrackerExtension.class)
public @interface Tracked {
  /**
   * The experiment of the class's runs. Empty (the default) means: the configuration parameter
   * {@code tracker.experiment}, then the environment ({@code TRACKER_EXPERIMENT}, {@code
   * MLFLOW_EXPERIMENT_NAME}), then the class's name.
   */
  String experiment() default "";
}
