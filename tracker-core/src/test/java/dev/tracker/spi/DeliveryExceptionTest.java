package dev.tracker.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeliveryExceptionTest {
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

  @Test
  void retryAfterIsSecondsOrAnHttpDateNeverNegative() {
    assertThat(DeliveryException.retryAfter("7", NOW)).isEqualTo(Duration.ofSeconds(7));
    assertThat(DeliveryException.retryAfter(" -3 ", NOW)).isEqualTo(Duration.ZERO);
    assertThat(DeliveryException.retryAfter("Fri, 02 Jan 2026 03:04:35 GMT", NOW))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(DeliveryException.retryAfter("Fri, 02 Jan 2026 03:00:00 GMT", NOW))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void anAbsentOrUnreadableRetryAfterIsNull() {
    assertThat(DeliveryException.retryAfter(null, NOW)).isNull();
    assertThat(DeliveryException.retryAfter(" ", NOW)).isNull();
    assertThat(DeliveryException.retryAfter("soon", NOW)).isNull();
  }
}
