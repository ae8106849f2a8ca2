package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Key characters as MLflow's server checks them: {@code ^[/\w.\- :]*$} in Python, whose {@code
 * \w} on a str is a letter or number of any script ({@code str.isalnum()}) or '_', and no
 * combining mark.
 */
class KeyCharactersTest {
  private final RecordingBackend backend = new RecordingBackend();

  private Tracker tracker() {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).build();
  }

  /** Keys MLflow refuses: each holds a combining mark, a connector or a joiner. */
  @ParameterizedTest
  @ValueSource(strings = {
      "हिन्दी",               // Devanagari vowel sign and virama (Mc, Mn)
      "ความแม่นยำ",           // a Thai tone mark (Mn)
      "cafe\u0301",           // é decomposed (NFD, as macOS file names are)
      "a\u203Fb",             // a connector punctuation other than '_'
      "a\u200Db"})            // a zero-width joiner
  void aKeyMlflowRefusesIsRefusedAtTheCall(String key) {
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment("e").startRun("r");
      assertThatThrownBy(() -> run.logMetric(key, 1.0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("metric key must match [\\w./ :-]{1,250} but was '" + key + "'");
      assertThatThrownBy(() -> run.logParam(key, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("param key must match [\\w./ :-]{1,250} but was '" + key + "'");
    }
  }

  /** Keys MLflow takes: numbers that are not digits count for Python's {@code \w}. */
  @ParameterizedTest
  @ValueSource(strings = {"area_m²", "½", "Ⅻ", "précision/ü", "日本語 score", "x:y-z.w"})
  void aKeyMlflowTakesIsLogged(String key) {
    Tracker tracker = tracker();
    Run run = tracker.experiment("e").startRun("r");
    run.logMetric(key, 1.0, 3);
    run.setTag(key, "v");
    tracker.close();

    assertThat(backend.metrics(run.id())).extracting(Metric::key).containsExactly(key);
    assertThat(backend.tags(run.id())).containsEntry(key, "v");
  }
}
