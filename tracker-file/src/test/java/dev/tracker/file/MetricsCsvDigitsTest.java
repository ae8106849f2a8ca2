package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Digits are written two at a time; the text must not change. */
class MetricsCsvDigitsTest {
  private final byte[] buf = new byte[64];

  @Test
  void longsReadAsLongToStringWritesThem() {
    long[] edges = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, -1, -9, -10, -99, -100,
        1_700_000_000_123L, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L,
        Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1};
    for (long v : edges) {
      assertThat(text(MetricsCsvWriter.putLong(buf, 0, v))).isEqualTo(Long.toString(v));
    }
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      long v = r.nextLong() >> r.nextInt(64);
      assertThat(text(MetricsCsvWriter.putLong(buf, 0, v))).isEqualTo(Long.toString(v));
    }
  }

  @Test
  void doublesReadBackExactly() {
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < 100_000; i++) {
      double v = r.nextDouble() * Math.pow(10, r.nextInt(12) - 4) * (r.nextBoolean() ? 1 : -1);
      assertThat(Double.parseDouble(text(MetricsCsvWriter.putDouble(buf, 0, v)))).isEqualTo(v);
    }
  }

  private String text(int end) {
    return new String(buf, 0, end, StandardCharsets.US_ASCII);
  }
}
