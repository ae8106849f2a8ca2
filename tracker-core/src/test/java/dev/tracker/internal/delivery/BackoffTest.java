package dev.tracker.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.spi.RemoteDelivery;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Exponential back-off with jitter, and the server's Retry-After when it asks for longer. */
class BackoffTest {
  private final RemoteDelivery policy = new RemoteDelivery(Path.of("j"), "s",
      Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(1));

  @Test
  void theWaitDoublesUpToTheCapPlusJitter() {
    Backoff b = new Backoff(policy, () -> 0.5);
    assertThat(b.delay(1, null)).isEqualTo(Duration.ofMillis(2500));
    assertThat(b.delay(2, null)).isEqualTo(Duration.ofMillis(4500));
    assertThat(b.delay(10, null)).isEqualTo(Duration.ofMillis(60_500));
  }

  @Test
  void aLongerRetryAfterWinsCappedByTheLongestBackoff() {
    Backoff b = new Backoff(policy, () -> 0);
    assertThat(b.delay(1, Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
    assertThat(b.delay(1, Duration.ofMillis(10))).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.delay(1, Duration.ofHours(1))).isEqualTo(Duration.ofSeconds(60));
  }
}
