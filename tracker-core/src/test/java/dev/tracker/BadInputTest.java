package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad inputs, one per row: each must throw the given exception with the given message on the
 * caller's thread, and what was logged before and after must arrive intact.
 */
class BadInputTest {
  static final String K251 = "k".repeat(251);
  static final String V6001 = "v".repeat(6001);
  static final String V8001 = "v".repeat(8001);

  @TempDir static Path dir;

  static Stream<Arguments> cases() throws IOException {
    Path someDir = Files.createDirectories(dir.resolve("somedir"));
    Path file = Files.writeString(dir.resolve("model.bin"), "weights");
    Path hashed = Files.writeString(dir.resolve("report #1.txt"), "r");
    Map<String, Object> withNull = new HashMap<>();
    withNull.put("ok", 1);
    withNull.put("nullValue", null);
    return Stream.of(
        row("null metric key", (t, r) -> r.logMetric(null, 1.0, 0),
            IllegalArgumentException.class, "metric key must not be null"),
        row("empty metric key", (t, r) -> r.logMetric("", 1.0, 0),
            IllegalArgumentException.class, "metric key must match [\\w./ :-]{1,250} but was empty"),
        row("blank tag key", (t, r) -> r.setTag("   ", "x"),
            IllegalArgumentException.class, "tag key must not be blank but was '   '"),
        row("timestamp before the epoch", (t, r) -> r.logMetric("m", 3.0, 2, -1),
            IllegalArgumentException.class, "metric 'm' timestamp must be at least 0"
                + " (milliseconds since the epoch) but was -1"),
        row("251-character key", (t, r) -> r.logMetric(K251, 1.0, 0),
            IllegalArgumentException.class, "metric key must be at most 250 characters but was 251"
                + " characters ('kkkkkkkkkkkkkkkkkkkk…')"),
        row("dollar in key", (t, r) -> r.logMetric("lo$$", 1.0, 0),
            IllegalArgumentException.class, "metric key must match [\\w./ :-]{1,250} but was 'lo$$'"),
        row("doubled slash", (t, r) -> r.logMetric("a//b", 1.0, 0),
            IllegalArgumentException.class,
            "metric key must be a normalized relative path (no doubled '/') but was 'a//b'"),
        row("dot-dot segment", (t, r) -> r.logMetric("a/../b", 1.0, 0),
            IllegalArgumentException.class,
            "metric key must be a normalized relative path (no '..' segment) but was 'a/../b'"),
        row("leading slash", (t, r) -> r.logParam("/lr", 1),
            IllegalArgumentException.class,
            "param key must be a normalized relative path (no leading '/') but was '/lr'"),
        row("trailing slash", (t, r) -> r.setTag("team/", "x"),
            IllegalArgumentException.class,
            "tag key must be a normalized relative path (no trailing '/') but was 'team/'"),
        row("control character", (t, r) -> r.logMetric("lo\nss", 1.0, 0),
            IllegalArgumentException.class,
            "metric key must match [\\w./ :-]{1,250} but was 'lo\\u000ass'"),
        row("emoji key", (t, r) -> r.logMetric("loss🔥", 1.0, 0),
            IllegalArgumentException.class,
            "metric key must match [\\w./ :-]{1,250} but was 'loss🔥'"),
        row("accent written apart (NFD), which MLflow's \\w refuses",
            (t, r) -> r.logParam("cafe\u0301", 1), IllegalArgumentException.class,
            "param key must match [\\w./ :-]{1,250} but was 'cafe\u0301' (U+0301 COMBINING ACUTE"
                + " ACCENT at index 4 is a combining mark, which is not a word character to"
                + " MLflow)"),
        row("Devanagari vowel sign", (t, r) -> r.setTag("\u0915\u093f", "x"),
            IllegalArgumentException.class, "tag key must match [\\w./ :-]{1,250} but was"
                + " '\u0915\u093f' (U+093F DEVANAGARI VOWEL SIGN I at index 1 is a combining"
                + " mark, which is not a word character to MLflow)"),
        row("connector punctuation", (t, r) -> r.logMetric("a\u203fb", 1.0, 0),
            IllegalArgumentException.class,
            "metric key must match [\\w./ :-]{1,250} but was 'a\u203fb'"),
        row("null param value", (t, r) -> r.logParam("lr", null),
            IllegalArgumentException.class, "param 'lr' value must not be null"),
        row("over-long param value", (t, r) -> r.logParam("notes", V6001),
            IllegalArgumentException.class,
            "param 'notes' value must be at most 6000 characters but was 6001 characters"),
        row("over-long tag value", (t, r) -> r.setTag("notes", V8001),
            IllegalArgumentException.class,
            "tag 'notes' value must be at most 8000 characters but was 8001 characters"),
        row("null tag value", (t, r) -> r.setTag("team", null),
            IllegalArgumentException.class, "tag 'team' value must not be null"),
        row("param overwritten with another value", (t, r) -> r.logParam("before", "other"),
            IllegalArgumentException.class, "param 'before' was already logged with value 'b'"
                + " and cannot be changed to 'other' (params are write-once)"),
        row("seed param overwritten", (t, r) -> r.logParam("seed", -5),
            IllegalArgumentException.class, "param 'seed' was already logged with value '7'"
                + " and cannot be changed to '-5' (params are write-once)"),
        row("one null among several params", (t, r) -> r.logParams(withNull),
            IllegalArgumentException.class, "param 'nullValue' value must not be null"),
        row("missing artifact file", (t, r) -> r.logArtifact(dir.resolve("nope.bin")),
            IllegalArgumentException.class,
            "artifact file must exist but '" + dir.resolve("nope.bin") + "' does not"),
        row("artifact path escaping the run", (t, r) -> r.logArtifact(file, "../outside"),
            IllegalArgumentException.class, "artifact path must be a relative path inside the"
                + " run's artifacts (no '..' segment) but was '../outside'"),
        row("absolute artifact path", (t, r) -> r.logArtifact(file, "/etc"),
            IllegalArgumentException.class, "artifact path must be a relative path inside the"
                + " run's artifacts (no leading '/') but was '/etc'"),
        row("text artifact escaping the run", (t, r) -> r.logText("x", "a/../../b.txt"),
            IllegalArgumentException.class, "artifact file must be a relative path inside the"
                + " run's artifacts (no '..' segment) but was 'a/../../b.txt'"),
        row("null text", (t, r) -> r.logText(null, "notes.txt"),
            IllegalArgumentException.class, "text of artifact 'notes.txt' must not be null"),
        row("end with RUNNING", (t, r) -> r.end(RunStatus.RUNNING),
            IllegalArgumentException.class,
            "end status must be FINISHED, FAILED or KILLED but was RUNNING"),
        row("null metric map value", (t, r) -> r.logMetrics(nullValueMetric(), 3),
            IllegalArgumentException.class, "metric 'acc' value must not be null"),
        row("blank run name", (t, r) -> r.experiment().startRun(" "),
            IllegalArgumentException.class, "run name must not be blank"),
        row("experiment name of 501 characters", (t, r) -> t.experiment("e".repeat(501)),
            IllegalArgumentException.class,
            "experiment name must be at most 500 characters but was 501 characters"),
        row("experiment name with a lone surrogate", (t, r) -> t.experiment("exp\ud83d"),
            IllegalArgumentException.class, "experiment name must be well-formed UTF-16 but has"
                + " a lone surrogate \\ud83d at index 3 (half of a character such as an emoji,"
                + " cut in two)"),
        row("param value with a lone surrogate", (t, r) -> r.logParam("note", "cut \ud83d"),
            IllegalArgumentException.class, "param 'note' value must be well-formed UTF-16 but"
                + " has a lone surrogate \\ud83d at index 4 (half of a character such as an"
                + " emoji, cut in two)"),
        row("tag value with a lone low surrogate", (t, r) -> r.setTag("t", "\ude00x"),
            IllegalArgumentException.class, "tag 't' value must be well-formed UTF-16 but has a"
                + " lone surrogate \\ude00 at index 0 (half of a character such as an emoji,"
                + " cut in two)"),
        row("run name with a lone surrogate", (t, r) -> r.experiment().startRun("run\ud83d"),
            IllegalArgumentException.class, "tag 'mlflow.runName' value must be well-formed"
                + " UTF-16 but has a lone surrogate \\ud83d at index 3 (half of a character"
                + " such as an emoji, cut in two)"),
        row("artifact path '.'", (t, r) -> r.logArtifact(someDir, "."),
            IllegalArgumentException.class, "artifact path must be a relative path inside the"
                + " run's artifacts (no '.' segment) but was '.'"),
        row("artifact file named with '#'", (t, r) -> r.logArtifact(hashed, "reports"),
            IllegalArgumentException.class, "artifact file name must be a name an MLflow server"
                + " stores as it is (no '#', which it refuses) but was 'report #1.txt'"),
        row("percent-encoded traversal", (t, r) -> r.logArtifact(file, "%2e%2e/x"),
            IllegalArgumentException.class, "artifact path must be a name an MLflow server"
                + " stores as it is (no percent-escape such as '%2e', which it decodes) but was"
                + " '%2e%2e/x'"),
        row("text artifact ending in '?'", (t, r) -> r.logText("x", "notes/what?"),
            IllegalArgumentException.class, "artifact file must be a name an MLflow server"
                + " stores as it is (no trailing '?' or ';', which it drops) but was"
                + " 'notes/what?'"));
  }

  private static Map<String, Double> nullValueMetric() {
    Map<String, Double> m = new HashMap<>();
    m.put("acc", null);
    return m;
  }

  /** One bad call, given the tracker and a run that has logged a param, a metric and a tag. */
  interface BadCall {
    void apply(Tracker tracker, Run run);
  }

  private static Arguments row(String name, BadCall call, Class<?> type, String message) {
    return Arguments.of(name, call, type, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputThrowsOnTheCallersThreadAndLosesNothing(
      String name, BadCall call, Class<? extends Throwable> type, String message) {
    RecordingBackend backend = new RecordingBackend();
    try (Tracker tracker = Tracker.builder().backend(backend).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).build()) {
      Run run = tracker.experiment("e").newRun("r").seed(7).start();
      run.logParam("before", "b");
      run.logMetric("m", 1.0, 0);
      run.setTag("t", "before");

      assertThatThrownBy(() -> call.apply(tracker, run)).isInstanceOf(type).hasMessageStartingWith(message);

      run.logMetric("m", 2.0, 1);
      run.logParam("after", "a");
      run.setTag("t", "after");
      tracker.flush();
      assertThat(backend.metrics(run.id())).extracting(Metric::value).containsExactly(1.0, 2.0);
      assertThat(backend.params(run.id()))
          .containsExactlyInAnyOrderEntriesOf(Map.of("seed", "7", "before", "b", "after", "a"));
      assertThat(backend.tags(run.id())).containsEntry("t", "after");
    }
  }
}
