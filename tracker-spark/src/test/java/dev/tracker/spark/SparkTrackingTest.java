package dev.tracker.spark;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Tracker;
import dev.tracker.testing.RecordingBackend;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SparkTrackingTest {
  private final RecordingBackend backend = new RecordingBackend();

  @Test
  void aBlankExperimentIsRefused() {
    try (Tracker tracker = TestSpark.tracker(backend)) {
      assertThatThrownBy(() -> SparkTracking.builder(TestSpark.session(), tracker)
          .experiment(" ").build())
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("experiment name must not be blank but was ' '");
    }
  }

  @Test
  void aNegativeCloseTimeoutIsRefused() {
    try (Tracker tracker = TestSpark.tracker(backend)) {
      assertThatThrownBy(() -> SparkTracking.builder(TestSpark.session(), tracker)
          .closeTimeout(Duration.ofSeconds(-1)).build())
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("close timeout must be at least 0 but was PT-1S");
    }
  }

  @Test
  void aFitAfterCloseIsRefusedAndCloseTwiceDoesNothing() {
    try (Tracker tracker = TestSpark.tracker(backend)) {
      SparkTracking tracking = SparkTracking.autolog(TestSpark.session(), tracker);
      tracking.close();
      tracking.close();
      assertThatThrownBy(() -> tracking.fit(TestSpark.logisticRegression(), TestSpark.iris()))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("Spark tracking is closed; cannot track the fit of LogisticRegression");
    }
  }
}
