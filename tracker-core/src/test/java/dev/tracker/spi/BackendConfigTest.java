package dev.tracker.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendConfigTest {
  private static BackendConfig config(Map<String, String> env) {
    return BackendConfig.builder().uri(URI.create("http://h")).environment(env)
        .systemProperties(Map.of()).build();
  }

  @Test
  void aFlagIsWhatMlflowAccepts() {
    assertThat(BackendConfig.parseFlag("true", "x")).isTrue();
    assertThat(BackendConfig.parseFlag(" TRUE ", "x")).isTrue();
    assertThat(BackendConfig.parseFlag("1", "x")).isTrue();
    assertThat(BackendConfig.parseFlag("False", "x")).isFalse();
    assertThat(BackendConfig.parseFlag("0", "x")).isFalse();
    assertThat(config(Map.of("F", "1")).flag("F")).contains(true);
    assertThat(config(Map.of()).flag("F")).isEmpty();
  }

  @Test
  void aFlagRejectsAnythingElseNamingTheSetting() {
    assertThatThrownBy(() -> config(Map.of("F", "yes")).flag("F"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("F must be one of true, false, 1, 0 but was 'yes'");
  }

  @Test
  void secondsAreADecimalNumberPositiveOrAlsoZeroWhereAllowed() {
    assertThat(config(Map.of("S", "0.25")).seconds("S", false)).contains(Duration.ofMillis(250));
    assertThat(config(Map.of("S", "0")).seconds("S", true)).contains(Duration.ZERO);
    assertThat(config(Map.of()).seconds("S", true)).isEmpty();
    assertThatThrownBy(() -> config(Map.of("S", "0")).seconds("S", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("S must be a positive number of seconds but was '0'");
    assertThatThrownBy(() -> config(Map.of("S", "-1")).seconds("S", true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("S must be a non-negative number of seconds but was '-1'");
    assertThatThrownBy(() -> config(Map.of("S", "Infinity")).seconds("S", true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("S must be a non-negative number of seconds but was 'Infinity'");
  }

  @Test
  void secondsAreADecimalNumberOnlyNotJavasFloatLiterals() {
    // Double.parseDouble reads these as 10 and 16: "10d" would be 10 seconds, not 10 days
    for (String v : new String[] {"10d", "10f", "0x1p4", "NaN", "1_0"}) {
      assertThatThrownBy(() -> config(Map.of("S", v)).seconds("S", false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("S must be a positive number of seconds but was '" + v + "'");
    }
    assertThat(config(Map.of("S", "1e3")).seconds("S", false)).contains(Duration.ofSeconds(1000));
    assertThat(config(Map.of("S", "1e300")).seconds("S", false))
        .contains(Duration.ofNanos(Long.MAX_VALUE));
  }

  @Test
  void aCountIsANonNegativeInteger() {
    assertThat(config(Map.of("N", "0")).count("N")).contains(0);
    assertThat(config(Map.of("N", "7")).count("N")).contains(7);
    assertThatThrownBy(() -> config(Map.of("N", "1.5")).count("N"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("N must be a non-negative integer but was '1.5'");
  }
}
