package dev.tracker.internal.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SystemSettingsTest {
  @Test
  void intervalIsSecondsOrAnIsoDuration() {
    assertThat(SystemSettings.parseInterval("10", "x")).isEqualTo(Duration.ofSeconds(10));
    assertThat(SystemSettings.parseInterval("0.5", "x")).isEqualTo(Duration.ofMillis(500));
    assertThat(SystemSettings.parseInterval("PT1M", "x")).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void intervalRejectsTextAndTooShortValues() {
    assertThatThrownBy(() -> SystemSettings.parseInterval("ten", "TRACKER_SYSTEM_METRICS_INTERVAL"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TRACKER_SYSTEM_METRICS_INTERVAL must be a number of seconds (10, 0.5) or an"
            + " ISO-8601 duration (PT10S) but was 'ten'");
    assertThatThrownBy(() -> SystemSettings.parseInterval("0.01", "TRACKER_SYSTEM_METRICS_INTERVAL"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TRACKER_SYSTEM_METRICS_INTERVAL must be at least 100 ms but was 10 ms");
    assertThatThrownBy(() -> SystemSettings.checkInterval(null, "systemMetricsInterval"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("systemMetricsInterval must be at least 100 ms but was null");
  }
}
