package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import org.junit.jupiter.api.Test;

/**
 * MLflow's length limits count characters as Python's {@code len()} does: an emoji (two UTF-16
 * halves in Java) is one character.
 */
class LengthLimitsTest {
  private static final String EMOJI = "\uD83D\uDD25"; // 🔥
  private static final String MATH_X = "\uD835\uDC65"; // 𝑥, a letter outside the BMP

  private final RecordingBackend backend = new RecordingBackend();

  private Tracker tracker() {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).build();
  }

  @Test
  void valuesAndKeysAtTheLimitInCharactersAreLoggedWhateverTheirUtf16Length() {
    Tracker tracker = tracker();
    Run run = tracker.experiment("e").startRun("r");
    String key = MATH_X.repeat(250);
    run.logParam("notes", EMOJI.repeat(6000));
    run.setTag("notes", EMOJI.repeat(8000));
    run.logMetric(key, 1.0);
    tracker.close();

    assertThat(backend.params(run.id())).containsEntry("notes", EMOJI.repeat(6000));
    assertThat(backend.tags(run.id())).containsEntry("notes", EMOJI.repeat(8000));
    assertThat(backend.metrics(run.id())).extracting(Metric::key).containsExactly(key);
  }

  @Test
  void oneCharacterOverTheLimitIsRefusedCountingCharacters() {
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment("e").startRun("r");
      assertThatThrownBy(() -> run.logParam("notes", EMOJI.repeat(6001)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("param 'notes' value must be at most 6000 characters but was 6001"
              + " characters");
      assertThatThrownBy(() -> run.setTag("notes", EMOJI.repeat(8001)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tag 'notes' value must be at most 8000 characters but was 8001 characters");
      assertThatThrownBy(() -> run.logMetric(MATH_X.repeat(251), 1.0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("metric key must be at most 250 characters but was 251 characters ('"
              + MATH_X.repeat(10) + "…')");
    }
  }
}
