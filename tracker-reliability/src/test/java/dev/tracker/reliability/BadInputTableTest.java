package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.tracker.Dataset;
import dev.tracker.DatasetInput;
import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.file.FileBackend;
import dev.tracker.file.MetricsCsv;
import dev.tracker.http.MlflowBackend;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import dev.tracker.spi.JournalReplay;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.ByteString;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input, one row per case, against the file backend, the HTTP backend (a fake MLflow server)
 * or both ("any": the core refuses it before any backend sees it).
 *
 * <p>Every row runs the same story: a run logs a param, a metric and a tag and flushes; the bad
 * input comes; the run logs a metric, a param and a tag more and closes. The row says what the bad
 * input gives and where it is reported:
 *
 * <ul>
 *   <li>{@link AtCall}: an exception on the caller's thread, with this exact message (validation
 *       in the core; nothing is queued);
 *   <li>{@link AtFlush}: the call returns, the backend refuses the record, and {@code flush()}
 *       throws a {@link TrackerException} whose message contains this text; the run goes on;
 *   <li>{@link Accepted}: stored and read back through the backend exactly;
 *   <li>{@link OnRead} and {@link ReadReports}: a file of the finished run is changed by someone
 *       else; reading the run refuses it with this exact {@link IOException}, or reads the rest
 *       and reports the bad line.
 * </ul>
 *
 * <p>Then the run is read back through a fresh backend: the metric points before and after are
 * there, and (unless someone else replaced {@code params.yaml}) so are the params and the tag; the
 * HTTP backend has nothing left in its spool. RELIABILITY.md lists this table.
 */
class BadInputTableTest {
  private static final String EXPERIMENT = "bad-input";
  private static final long T0 = 1_700_000_000_000L;
  private static final String KEY_RULE = "[\\w./ :-]{1,250}";
  private static final String K250 = "k".repeat(250);
  private static final String K251 = "k".repeat(251);
  private static final String V6000 = "v".repeat(6000);
  private static final String V8000 = "v".repeat(8000);
  private static final String SCRIPT_ENGINE = "lr: !!javax.script.ScriptEngineManager"
      + " [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x\"]]]]\n";

  private static final List<String> YAML_TYPED = List.of("=", "<<", "~", "yes", "Off", "0x1f",
      "1:20", "1_000", ".nan", "NaN", "2001-12-14", "null", "");
  private static final String CONTROL = "a\0b \u001b[31m \u007f \u0085";
  private static final List<String> MLFLOW_NAMES = List.of("/Users/me/exp", "x".repeat(300),
      "🔥".repeat(100));

  @TempDir Path tmp;

  // ------------------------------------------------------------------------------ the table

  static List<Case> table() {
    List<Case> t = new ArrayList<>();
    // keys: MLflow's rule [\w./ :-]{1,250}, as a normalized relative path, not only spaces
    t.add(call(Where.ANY, "null metric key", c -> c.run.logMetric(null, 1.0, 0),
        IllegalArgumentException.class, "metric key must not be null"));
    t.add(call(Where.ANY, "empty param key", c -> c.run.logParam("", 1),
        IllegalArgumentException.class, "param key must match " + KEY_RULE + " but was empty"));
    t.add(call(Where.ANY, "blank tag key '   '", c -> c.run.setTag("   ", "x"),
        IllegalArgumentException.class, "tag key must not be blank but was '   '"));
    t.add(call(Where.ANY, "251-character metric key", c -> c.run.logMetric(K251, 1.0, 0),
        IllegalArgumentException.class, "metric key must be at most 250 characters but was 251"
            + " characters ('kkkkkkkkkkkkkkkkkkkk…')"));
    t.add(accepted(Where.ANY, "250-character metric key", c -> c.run.logMetric(K250, 0.5, 3),
        (c, d) -> assertThat(d.history(K250)).containsExactly(new Metric(K250, 0.5, T0, 3))));
    t.add(call(Where.ANY, "metric key '..'", c -> c.run.logMetric("..", 1.0, 0),
        IllegalArgumentException.class, "metric key must be a normalized relative path"
            + " (no '..' segment) but was '..'"));
    t.add(call(Where.ANY, "param key '/a'", c -> c.run.logParam("/a", 1),
        IllegalArgumentException.class, "param key must be a normalized relative path"
            + " (no leading '/') but was '/a'"));
    t.add(call(Where.ANY, "metric key 'a//b'", c -> c.run.logMetric("a//b", 1.0, 0),
        IllegalArgumentException.class, "metric key must be a normalized relative path"
            + " (no doubled '/') but was 'a//b'"));
    t.add(call(Where.ANY, "tag key 'a/'", c -> c.run.setTag("a/", "x"),
        IllegalArgumentException.class, "tag key must be a normalized relative path"
            + " (no trailing '/') but was 'a/'"));
    t.add(call(Where.ANY, "metric key 'a/./b'", c -> c.run.logMetric("a/./b", 1.0, 0),
        IllegalArgumentException.class, "metric key must be a normalized relative path"
            + " (no '.' segment) but was 'a/./b'"));
    t.add(call(Where.ANY, "newline in a metric key", c -> c.run.logMetric("lo\nss", 1.0, 0),
        IllegalArgumentException.class, "metric key must match " + KEY_RULE
            + " but was 'lo\\u000ass'"));
    t.add(call(Where.ANY, "terminal escape in a tag key",
        c -> c.run.setTag("\u001b[31mred", "x"), IllegalArgumentException.class,
        "tag key must match " + KEY_RULE + " but was '\\u001b[31mred'"));
    t.add(call(Where.ANY, "NUL in a param key", c -> c.run.logParam("lr\u0000", 1),
        IllegalArgumentException.class, "param key must match " + KEY_RULE
            + " but was 'lr\\u0000'"));
    t.add(call(Where.ANY, "'$' in a metric key", c -> c.run.logMetric("lo$$", 1.0, 0),
        IllegalArgumentException.class, "metric key must match " + KEY_RULE
            + " but was 'lo$$'"));
    t.add(call(Where.ANY, "emoji in a metric key", c -> c.run.logMetric("loss🔥", 1.0, 0),
        IllegalArgumentException.class, "metric key must match " + KEY_RULE
            + " but was 'loss🔥'"));
    t.add(accepted(Where.ANY, "non-ASCII letters in a key ('précision/ü')",
        c -> c.run.logMetric("précision/ü", 0.25, 4),
        (c, d) -> assertThat(d.history("précision/ü"))
            .containsExactly(new Metric("précision/ü", 0.25, T0, 4))));

    // params and tags
    t.add(call(Where.ANY, "param overwritten with another value",
        c -> c.run.logParam("before", "other"), IllegalArgumentException.class,
        "param 'before' was already logged with value 'b' and cannot be changed to 'other'"
            + " (params are write-once)"));
    t.add(accepted(Where.ANY, "param logged again with the same value",
        c -> c.run.logParam("before", "b"),
        (c, d) -> assertThat(d.params()).containsEntry("before", "b")));
    t.add(call(Where.ANY, "param value of 6001 characters",
        c -> c.run.logParam("notes", "v".repeat(6001)), IllegalArgumentException.class,
        "param 'notes' value must be at most 6000 characters but was 6001 characters"));
    t.add(accepted(Where.ANY, "param value of 6000 characters (MLflow's limit)",
        c -> c.run.logParam("notes", V6000),
        (c, d) -> assertThat(d.params()).containsEntry("notes", V6000)));
    t.add(call(Where.ANY, "tag value of 8001 characters",
        c -> c.run.setTag("notes", "v".repeat(8001)), IllegalArgumentException.class,
        "tag 'notes' value must be at most 8000 characters but was 8001 characters"));
    t.add(accepted(Where.ANY, "tag value of 8000 characters (MLflow's limit)",
        c -> c.run.setTag("notes", V8000),
        (c, d) -> assertThat(d.tags()).containsEntry("notes", V8000)));
    t.add(call(Where.ANY, "null param value", c -> c.run.logParam("lr", null),
        IllegalArgumentException.class, "param 'lr' value must not be null"));
    t.add(flush(Where.FILE, "param changed by another writer of the run, then logged",
        c -> {
          try (FileBackend other = FileBackend.create(c.root)) {
            other.logBatch(c.run.id(), new Batch(List.of(),
                List.of(new dev.tracker.Param("lr", "0.5")), List.of()));
          }
          c.run.logParam("lr", 0.1);
        },
        c -> "param 'lr' is '0.5' in " + c.runDir().resolve("params.yaml")
            + " and cannot be changed to '0.1' (params are write-once)",
        (c, d) -> assertThat(d.params()).containsEntry("lr", "0.5")));
    t.add(flush(Where.HTTP, "param changed on the server by another client, then logged",
        c -> {
          c.fake.putParam(c.serverRunId(), "lr", "0.5");
          c.run.logParam("lr", 0.1);
        },
        c -> "param 'lr': INVALID_PARAMETER_VALUE: Changing param values is not allowed. Params"
            + " were already logged='[{'key': 'lr', 'old_value': '0.5', 'new_value': '0.1'}]'"
            + " for run ID='" + c.serverRunId() + "'.",
        (c, d) -> assertThat(d.params()).containsEntry("lr", "0.5")));

    // metric values, steps, timestamps
    t.add(accepted(Where.ANY, "NaN value", c -> c.run.logMetric("x", Double.NaN, 2),
        (c, d) -> assertThat(d.history("x")).containsExactly(new Metric("x", Double.NaN, T0, 2))));
    t.add(accepted(Where.ANY, "+Infinity value",
        c -> c.run.logMetric("x", Double.POSITIVE_INFINITY, 2),
        (c, d) -> assertThat(d.history("x"))
            .containsExactly(new Metric("x", Double.POSITIVE_INFINITY, T0, 2))));
    t.add(accepted(Where.ANY, "-Infinity value",
        c -> c.run.logMetric("x", Double.NEGATIVE_INFINITY, 2),
        (c, d) -> assertThat(d.history("x"))
            .containsExactly(new Metric("x", Double.NEGATIVE_INFINITY, T0, 2))));
    t.add(accepted(Where.ANY, "negative step -5", c -> c.run.logMetric("x", 1.5, -5),
        (c, d) -> assertThat(d.history("x")).containsExactly(new Metric("x", 1.5, T0, -5))));
    t.add(accepted(Where.ANY, "huge step Long.MAX_VALUE",
        c -> c.run.logMetric("x", 1.5, Long.MAX_VALUE),
        (c, d) -> assertThat(d.history("x"))
            .containsExactly(new Metric("x", 1.5, T0, Long.MAX_VALUE))));
    t.add(accepted(Where.ANY, "most negative step Long.MIN_VALUE",
        c -> c.run.logMetric("x", 1.5, Long.MIN_VALUE),
        (c, d) -> assertThat(d.history("x"))
            .containsExactly(new Metric("x", 1.5, T0, Long.MIN_VALUE))));
    t.add(call(Where.ANY, "timestamp before the epoch (-1 ms)",
        c -> c.run.logMetric("m", 3.0, 2, -1), IllegalArgumentException.class,
        "metric 'm' timestamp must be at least 0 (milliseconds since the epoch) but was -1"));
    t.add(accepted(Where.ANY, "timestamp 0 (the epoch itself)",
        c -> c.run.logMetric("x", 1.5, 7, 0),
        (c, d) -> assertThat(d.history("x")).containsExactly(new Metric("x", 1.5, 0, 7))));

    // artifacts
    t.add(call(Where.ANY, "artifact path '../x'",
        c -> c.run.logArtifact(c.file("model.bin"), "../x"), IllegalArgumentException.class,
        "artifact path must be a relative path inside the run's artifacts (no '..' segment)"
            + " but was '../x'"));
    t.add(call(Where.ANY, "absolute artifact path '/etc'",
        c -> c.run.logArtifact(c.file("model.bin"), "/etc"), IllegalArgumentException.class,
        "artifact path must be a relative path inside the run's artifacts (no leading '/')"
            + " but was '/etc'"));
    t.add(call(Where.ANY, "artifact path with a drive 'C:/x'",
        c -> c.run.logArtifact(c.file("model.bin"), "C:/x"), IllegalArgumentException.class,
        "artifact path must be a relative path inside the run's artifacts (no drive or NUL)"
            + " but was 'C:/x'"));
    t.add(call(Where.ANY, "text artifact 'a/../../b.txt'",
        c -> c.run.logText("x", "a/../../b.txt"), IllegalArgumentException.class,
        "artifact file must be a relative path inside the run's artifacts (no '..' segment)"
            + " but was 'a/../../b.txt'"));
    t.add(flush(Where.FILE, "artifact path through a symbolic link to outside the run",
        c -> {
          Files.createSymbolicLink(c.runDir().resolve("artifacts/link"), c.outside());
          c.run.logArtifact(c.file("model.bin"), "link");
        },
        c -> "artifact path 'link/model.bin' leads outside the run's artifacts folder through"
            + " the symbolic link " + c.runDir().toRealPath().resolve("artifacts/link") + " (to "
            + c.outside().toRealPath() + ")",
        (c, d) -> assertThat(c.outside()).isEmptyDirectory()));
    t.add(flush(Where.FILE, "artifacts folder replaced by a symbolic link to outside",
        c -> {
          Files.delete(c.runDir().resolve("artifacts"));
          Files.createSymbolicLink(c.runDir().resolve("artifacts"), c.outside());
          c.run.logArtifact(c.file("model.bin"));
        },
        c -> "the artifacts folder " + c.runDir().resolve("artifacts") + " is a symbolic link"
            + " to outside the run folder (" + c.outside().toRealPath() + ")",
        (c, d) -> assertThat(c.outside()).isEmptyDirectory()));
    t.add(call(Where.ANY, "missing artifact file",
        c -> c.run.logArtifact(c.tmp.resolve("nope.bin")), IllegalArgumentException.class,
        c -> "artifact file must exist but '" + c.tmp.resolve("nope.bin") + "' does not"));
    t.add(new Case(Where.ANY, "unreadable artifact file (mode 000)",
        c -> {
          Path f = c.file("secret.bin");
          Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
          Assumptions.assumeFalse(Files.isReadable(f), "this user reads any file (root)");
        },
        c -> c.run.logArtifact(c.tmp.resolve("secret.bin")),
        new AtCall(IllegalArgumentException.class,
            c -> "artifact file must be readable but '" + c.tmp.resolve("secret.bin")
                + "' is not"), Intact.FULL));
    t.add(flush(Where.ANY, "artifact file that fails while it is read (I/O error)",
        c -> c.run.logArtifact(Path.of("/proc/self/mem"), "dump"),
        c -> "storing artifact 'dump/mem' from /proc/self/mem of run " + c.run.id()
            + " failed on " + c.describe() + ": ",
        (c, d) -> assertThat(d.artifacts()).doesNotContain("dump/mem")));
    t.add(accepted(Where.ANY, "a directory as artifact",
        c -> {
          Path dir = Files.createDirectories(c.tmp.resolve("data/sub"));
          Files.writeString(c.tmp.resolve("data/a.txt"), "a");
          Files.writeString(dir.resolve("b.txt"), "b");
          c.run.logArtifact(c.tmp.resolve("data"), "inputs");
        },
        (c, d) -> assertThat(d.artifacts()).contains("inputs/a.txt", "inputs/sub/b.txt")));
    t.add(accepted(Where.ANY, "artifact named with '%', '+', '?', spaces and non-ASCII",
        c -> c.run.logArtifact(c.file("report 100% a+b?.txt"), "reports/ü"),
        (c, d) -> assertThat(d.artifacts()).contains("reports/ü/report 100% a+b?.txt")));
    t.add(call(Where.ANY, "artifact named with '#' (MLflow's artifact proxy refuses it)",
        c -> c.run.logArtifact(c.file("report #1.txt"), "reports"),
        IllegalArgumentException.class, "artifact file name must be a name an MLflow server"
            + " stores as it is (no '#', which it refuses) but was 'report #1.txt'"));
    t.add(call(Where.ANY, "percent-encoded traversal '%2e%2e/x'",
        c -> c.run.logArtifact(c.file("model.bin"), "%2e%2e/x"), IllegalArgumentException.class,
        "artifact path must be a name an MLflow server stores as it is (no percent-escape such"
            + " as '%2e', which it decodes) but was '%2e%2e/x'"));

    // lifecycle
    t.add(call(Where.ANY, "metric logged to an ended run",
        c -> c.ended(RunStatus.FINISHED).logMetric("m", 3.0, 2), IllegalStateException.class,
        c -> "run 'other' (" + c.other.id() + ") has ended with status FINISHED; cannot log"
            + " metric 'm'"));
    t.add(call(Where.ANY, "tag set on a run ended KILLED",
        c -> c.ended(RunStatus.KILLED).setTag("phase", "x"), IllegalStateException.class,
        c -> "run 'other' (" + c.other.id() + ") has ended with status KILLED; cannot log"
            + " tag 'phase'"));
    t.add(call(Where.ANY, "run ended with status RUNNING",
        c -> c.run.end(RunStatus.RUNNING), IllegalArgumentException.class,
        "end status must be FINISHED, FAILED or KILLED but was RUNNING"));

    // files of a run written by someone else
    t.add(onRead("params.yaml with a tag that would build a ScriptEngineManager",
        c -> Files.writeString(c.params(), SCRIPT_ENGINE),
        c -> c.params() + " was rejected: Global tag is not allowed:"
            + " tag:yaml.org,2002:javax.script.ScriptEngineManager (line 1, column 5)",
        (c, d) -> { }));
    t.add(onRead("params.yaml with a tag that would create a file (FileOutputStream)",
        c -> Files.writeString(c.params(),
            "x: !!java.io.FileOutputStream [\"" + c.tmp.resolve("pwned") + "\"]\n"),
        c -> c.params() + " was rejected: Global tag is not allowed:"
            + " tag:yaml.org,2002:java.io.FileOutputStream (line 1, column 4)",
        (c, d) -> assertThat(c.tmp.resolve("pwned")).doesNotExist()));
    t.add(onRead("params.yaml with a billion-laughs alias bomb",
        c -> Files.writeString(c.params(), aliasBomb()),
        c -> c.params() + " was rejected: Number of aliases for non-scalar nodes exceeds the"
            + " specified max=20",
        (c, d) -> { }));
    t.add(onRead("run.yaml with a class tag appended",
        c -> {
          Path runYaml = c.runDir().resolve("run.yaml");
          c.line = Files.readAllLines(runYaml).size() + 1;
          Files.writeString(runYaml, Files.readString(runYaml)
              + "evil: !!java.io.File [\"/etc/passwd\"]\n");
        },
        c -> c.runDir().resolve("run.yaml") + " was rejected: Global tag is not allowed:"
            + " tag:yaml.org,2002:java.io.File (line " + c.line + ", column 7)",
        (c, d) -> { }));
    t.add(new Case(Where.FILE, "params.yaml replaced by a class tag while the run logs",
        c -> { }, c -> {
          Files.writeString(c.params(), SCRIPT_ENGINE);
          c.run.logParam("lr", 0.1);
        },
        new AtFlush(c -> c.params() + " was rejected: Global tag is not allowed:"
            + " tag:yaml.org,2002:javax.script.ScriptEngineManager (line 1, column 5)",
            (c, d) -> assertThat(c.params()).hasContent(SCRIPT_ENGINE.strip())),
        Intact.METRICS));
    t.add(new Case(Where.FILE, "corrupt metrics.csv line in the middle", c -> { },
        c -> insertLine(c.metricsCsv(), 3, "\"m\",oops,1,1"),
        new ReadReports((c, d) -> {
          assertThat(MetricsCsv.read(c.metricsCsv()).problems()).containsExactly(
              new MetricsCsv.Problem(3, "Value must be a number, NaN, Infinity or -Infinity"
                  + " but was 'oops' in '\"m\",oops,1,1'"));
          assertThat(d.history("m")).hasSize(2);
        }), Intact.FULL));
    t.add(new Case(Where.FILE, "metrics.csv row with a timestamp before the epoch", c -> { },
        c -> insertLine(c.metricsCsv(), 3, "\"m\",3.0,-5,2"),
        new ReadReports((c, d) -> assertThat(MetricsCsv.read(c.metricsCsv()).problems())
            .containsExactly(new MetricsCsv.Problem(3, "metric 'm' timestamp must be at least 0"
                + " (milliseconds since the epoch) but was -5 in '\"m\",3.0,-5,2'"))),
        Intact.FULL));

    // what only the server refuses
    t.add(flush(Where.HTTP, "metric refused by the server for a rule the core does not know",
        c -> {
          c.refuse = body -> body.contains("\"key\":\"poison\"")
              ? FakeMlflowServer.error(400, "INVALID_PARAMETER_VALUE", "refused by policy")
              : null;
          for (int step = 0; step < 5; step++) {
            c.run.logMetric("x", step, step);
          }
          c.run.logMetric("poison", 1.0, 0);
        },
        c -> "metric 'poison': INVALID_PARAMETER_VALUE: refused by policy",
        (c, d) -> {
          assertThat(d.history("x")).extracting(Metric::step).containsExactly(0L, 1L, 2L, 3L, 4L);
          assertThat(d.history("poison")).isEmpty();
        }));
    t.add(new Case(Where.HTTP, "artifact upload refused by the server (403)", c -> { },
        c -> {
          c.refuseArtifacts = true;
          c.run.logArtifact(c.file("model.bin"));
        },
        new AtFlush(c -> "PUT artifact 'model.bin' failed with HTTP 403 PERMISSION_DENIED: no"
            + " artifact writes for this token",
            (c, d) -> assertThat(d.artifacts()).contains("model.bin")),
        Intact.FULL,
        c -> {
          // what the refusal left in the spool goes out once the server takes it (tracker sync)
          assertThat(c.journalSegments()).isPositive();
          c.refuseArtifacts = false;
          try (MlflowBackend sync = c.mlflow(c.tmp.resolve("spool"))) {
            JournalReplay.deliver(sync);
          }
        }));

    // strings and names that used to be lost or unreadable
    t.add(call(Where.ANY, "param value with a lone surrogate (half an emoji)",
        c -> c.run.logParam("note", "cut \ud83d"), IllegalArgumentException.class,
        "param 'note' value must be well-formed UTF-16 but has a lone surrogate \\ud83d at"
            + " index 4 (half of a character such as an emoji, cut in two)"));
    t.add(call(Where.ANY, "tag value with a lone surrogate",
        c -> c.run.setTag("note", "\ude00"), IllegalArgumentException.class,
        "tag 'note' value must be well-formed UTF-16 but has a lone surrogate \\ude00 at"
            + " index 0 (half of a character such as an emoji, cut in two)"));
    t.add(call(Where.ANY, "run name with a lone surrogate",
        c -> c.tracker.experiment(EXPERIMENT).startRun("run \ud83d"),
        IllegalArgumentException.class, "tag 'mlflow.runName' value must be well-formed UTF-16"
            + " but has a lone surrogate \\ud83d at index 4 (half of a character such as an"
            + " emoji, cut in two)"));
    t.add(call(Where.ANY, "experiment name of 501 characters",
        c -> c.tracker.experiment("e".repeat(501)), IllegalArgumentException.class,
        "experiment name must be at most 500 characters but was 501 characters"));
    t.add(call(Where.ANY, "experiment name with a lone surrogate",
        c -> c.tracker.experiment("exp \ud83d"), IllegalArgumentException.class,
        "experiment name must be well-formed UTF-16 but has a lone surrogate \\ud83d at index"
            + " 4 (half of a character such as an emoji, cut in two)"));
    t.add(accepted(Where.ANY, "param and tag values YAML readers would type ('=', '<<', '~',"
            + " 'yes', '0x1f', '1:20', '.nan', 'NaN', '2001-12-14')",
        c -> {
          for (int i = 0; i < YAML_TYPED.size(); i++) {
            c.run.logParam("y" + i, YAML_TYPED.get(i));
            c.run.setTag("y" + i, YAML_TYPED.get(i));
          }
        },
        (c, d) -> {
          for (int i = 0; i < YAML_TYPED.size(); i++) {
            assertThat(d.params()).containsEntry("y" + i, YAML_TYPED.get(i));
            assertThat(d.tags()).containsEntry("y" + i, YAML_TYPED.get(i));
          }
        }));
    t.add(accepted(Where.ANY, "control characters in values and a run name (NUL, ESC, DEL, NEL)",
        c -> {
          c.run.logParam("ctl", CONTROL);
          c.run.setTag("ctl", CONTROL);
          c.tracker.experiment(EXPERIMENT).startRun(CONTROL).close();
        },
        (c, d) -> {
          assertThat(d.params()).containsEntry("ctl", CONTROL);
          assertThat(d.tags()).containsEntry("ctl", CONTROL);
          try (TrackingBackend reader = c.reader()) {
            assertThat(reader.listRuns(EXPERIMENT)).extracting(RunInfo::name).contains(CONTROL);
          }
        }));
    t.add(accepted(Where.ANY, "experiment names MLflow accepts ('/Users/me/exp', 300 characters,"
            + " 100 emoji)",
        c -> {
          for (String name : MLFLOW_NAMES) {
            try (Run r = c.tracker.experiment(name).startRun("r")) {
              r.logMetric("m", 1.0, 0);
            }
          }
        },
        (c, d) -> {
          try (TrackingBackend reader = c.reader()) {
            for (String name : MLFLOW_NAMES) {
              assertThat(reader.listRuns(name)).as(name).hasSize(1);
            }
          }
        }));
    t.add(accepted(Where.ANY, "directory artifact with a symbolic link to a file outside it",
        c -> {
          Path dir = Files.createDirectories(c.tmp.resolve("linked"));
          Files.writeString(dir.resolve("a.txt"), "a");
          Files.createSymbolicLink(dir.resolve("escape"), c.file("secret.txt"));
          c.run.logArtifact(dir, "linked");
        },
        (c, d) -> assertThat(d.artifacts()).contains("linked/a.txt")
            .doesNotContain("linked/escape")));
    t.add(call(Where.FILE, "resumeRun of an id that names no run",
        c -> {
          try (Tracker other = Tracker.builder().uri("file:" + c.root).shutdownHook(false)
              .systemProperties(k -> null).environment(k -> null).resumeRun("not-an-id")
              .build()) {
            other.experiment(EXPERIMENT).startRun("r");
          }
        },
        IllegalArgumentException.class,
        c -> "resumeRun id 'not-an-id' names no run in " + c.describe() + ": no run has that id"
            + " or an id starting with it (looked in experiments '" + EXPERIMENT + "'); give"
            + " the id `tracker runs` shows, or a new 32-hex-character id to start a run with"
            + " that id"));
    t.add(call(Where.FILE, "runs folder that cannot be created (file:/proc/runs)",
        c -> Tracker.builder().uri("file:/proc/runs").shutdownHook(false)
            .systemProperties(k -> null).environment(k -> null).build().close(),
        TrackerException.class, "file:/proc/runs cannot store records: the runs folder"
            + " /proc/runs cannot be created or written: NoSuchFileException: /proc/runs"));
    t.add(call(Where.ANY, "a run filter with 'or'",
        c -> c.tracker.runs().filter("metrics.m > 0.9 or params.p = 'x'"),
        IllegalArgumentException.class, "bad filter at position 17: 'or' is not supported;"
            + " comparisons join with 'and' only"));
    t.add(call(Where.ANY, "reading a run id that names no run",
        c -> c.tracker.run("not-an-id"), IllegalArgumentException.class,
        c -> "no run 'not-an-id' in " + c.describe() + ": no run has that id or an id starting"
            + " with it"));

    // dataset inputs
    t.add(call(Where.ANY, "missing dataset file",
        c -> c.run.logInput(Dataset.of(c.tmp.resolve("nope.csv"))),
        IllegalArgumentException.class,
        c -> "dataset path must exist but '" + c.tmp.resolve("nope.csv") + "' does not"));
    t.add(call(Where.ANY, "dataset URI with credentials",
        c -> c.run.logInput(Dataset.ofUri("https://me:s3cret@host/d.csv")),
        IllegalArgumentException.class, "dataset URI must not hold credentials (user info"
            + " before '@'): it is recorded and shown as it is"));
    t.add(call(Where.ANY, "blank dataset name",
        c -> c.run.logInput(Dataset.of(c.file("d.csv")).name(" ")),
        IllegalArgumentException.class, "dataset name must not be blank but was ' '"));
    t.add(flush(Where.ANY, "dataset file that fails while its digest is read (I/O error)",
        c -> c.run.logInput(Dataset.of(Path.of("/proc/self/mem"))),
        c -> "recording input Dataset{name=mem, source=/proc/self/mem, context=training} of run "
            + c.run.id() + " failed on " + c.describe() + ": ",
        (c, d) -> assertThat(d.inputs()).isEmpty()));
    t.add(accepted(Where.ANY, "a folder as dataset",
        c -> {
          Files.createDirectories(c.tmp.resolve("set/sub"));
          Files.writeString(c.tmp.resolve("set/a.txt"), "a");
          Files.writeString(c.tmp.resolve("set/sub/b.txt"), "b");
          c.run.logInput(Dataset.of(c.tmp.resolve("set")));
        },
        (c, d) -> assertThat(d.inputs()).extracting(DatasetInput::name, DatasetInput::fileCount,
            DatasetInput::size).containsExactly(tuple("set", 2L, 2L))));

    // names and resumed runs
    t.add(call(Where.ANY, "run name and tag mlflow.runName that differ",
        c -> c.tracker.experiment(EXPERIMENT).newRun("x").tag("mlflow.runName", "y").start(),
        IllegalArgumentException.class, "run name 'x' and tag 'mlflow.runName' 'y' must be the"
            + " same; give the name once"));
    t.add(call(Where.FILE, "a resumed run logs another value for a param it recorded",
        c -> {
          try (Tracker other = Tracker.builder().uri("file:" + c.root).shutdownHook(false)
              .systemProperties(k -> null).environment(k -> null).resumeRun(c.run.id())
              .build()) {
            other.experiment(EXPERIMENT).startRun("bad-input").logParam("before", "other");
          }
        },
        IllegalArgumentException.class, "param 'before' was already logged with value 'b' and"
            + " cannot be changed to 'other' (params are write-once)"));
    return t;
  }

  // ------------------------------------------------------------------------------ the story

  static Stream<Arguments> rows() {
    List<Case> table = table();
    List<Arguments> out = new ArrayList<>();
    for (int i = 0; i < table.size(); i++) {
      Case c = table.get(i);
      for (String backend : c.where().backends()) {
        out.add(Arguments.of(String.format("#%02d [%s] %s", i + 1, backend, c.input()), c,
            backend));
      }
    }
    return out.stream();
  }

  @Test
  void theTableHasAtLeast36CasesWithDistinctNames() {
    List<Case> table = table();
    Set<String> names = new HashSet<>();
    table.forEach(c -> names.add(c.input()));
    assertThat(table).hasSizeGreaterThanOrEqualTo(36);
    assertThat(names).hasSameSizeAs(table);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void badInputIsReportedClearlyAndTheRestOfTheRunIsKept(String name, Case row, String backend)
      throws Exception {
    try (Ctx c = new Ctx(tmp, backend)) {
      Run run = c.tracker.experiment(EXPERIMENT).newRun("bad-input").seed(7).start();
      c.run = run;
      run.logParam("before", "b");
      run.logMetric("m", 1.0, 0);
      run.setTag("t", "before");
      c.tracker.flush();
      row.setup().apply(c);

      Expect expect = row.expect();
      if (expect instanceof AtCall a) {
        assertThatThrownBy(() -> row.action().apply(c))
            .isExactlyInstanceOf(a.type())
            .hasMessage(a.message().of(c));
      } else if (expect instanceof AtFlush f) {
        row.action().apply(c);
        String fragment = f.fragment().of(c);
        assertThatThrownBy(c.tracker::flush)
            .isInstanceOf(TrackerException.class)
            .hasMessageContaining(fragment);
      } else if (expect instanceof Accepted) {
        row.action().apply(c);
      }

      run.logMetric("m", 2.0, 1);
      if (row.intact() == Intact.FULL) {
        run.logParam("after", "a");
        run.setTag("t", "after");
      }
      c.tracker.close(); // the failure was reported by flush: closing finds nothing more
      if (expect instanceof OnRead || expect instanceof ReadReports) {
        row.action().apply(c);
      }
      row.afterClose().apply(c);

      try (TrackingBackend reader = c.reader()) {
        assertThat(reader.metricHistory(run.id(), "m"))
            .extracting(Metric::value, Metric::step, Metric::timestamp)
            .containsExactly(tuple(1.0, 0L, T0), tuple(2.0, 1L, T0));
        if (expect instanceof OnRead o) {
          assertThatThrownBy(() -> reader.readRun(run.id()))
              .isExactlyInstanceOf(IOException.class)
              .hasMessage(o.message().of(c));
          o.check().verify(c, null);
        } else if (row.intact() == Intact.METRICS) {
          ((AtFlush) expect).check().verify(c, null);
        } else {
          RunData data = reader.readRun(run.id()).orElseThrow();
          assertThat(data.info().status()).isEqualTo(RunStatus.FINISHED);
          if (row.intact() == Intact.FULL) {
            assertThat(data.params()).containsEntry("seed", "7").containsEntry("before", "b")
                .containsEntry("after", "a");
            assertThat(data.tags()).containsEntry("t", "after");
          }
          if (expect instanceof Accepted a) {
            a.check().verify(c, data);
          } else if (expect instanceof AtFlush f) {
            f.check().verify(c, data);
          } else if (expect instanceof ReadReports r) {
            r.check().verify(c, data);
          }
        }
      }
      if (c.writer != null) {
        assertThat(c.journalSegments()).as("journal segments left behind").isZero();
      }
    }
  }

  // ------------------------------------------------------------------------------ rows

  enum Where {
    FILE("file"), HTTP("http"), ANY("file", "http");

    private final List<String> backends;

    Where(String... backends) {
      this.backends = List.of(backends);
    }

    List<String> backends() {
      return backends;
    }
  }

  /** What must be read back besides the metric points: FULL adds params and the tag. */
  enum Intact { FULL, METRICS }

  interface Action {
    void apply(Ctx c) throws Exception;
  }

  interface Check {
    void verify(Ctx c, RunData data) throws Exception;
  }

  interface Text {
    String of(Ctx c) throws IOException;
  }

  sealed interface Expect permits AtCall, AtFlush, Accepted, OnRead, ReadReports {}

  record AtCall(Class<? extends Throwable> type, Text message) implements Expect {}

  record AtFlush(Text fragment, Check check) implements Expect {}

  record Accepted(Check check) implements Expect {}

  record OnRead(Text message, Check check) implements Expect {}

  record ReadReports(Check check) implements Expect {}

  record Case(Where where, String input, Action setup, Action action, Expect expect,
      Intact intact, Action afterClose) {
    Case(Where where, String input, Action setup, Action action, Expect expect, Intact intact) {
      this(where, input, setup, action, expect, intact, c -> { });
    }

    @Override
    public String toString() {
      return input;
    }
  }

  private static Case call(Where where, String input, Action action,
      Class<? extends Throwable> type, String message) {
    return call(where, input, action, type, c -> message);
  }

  private static Case call(Where where, String input, Action action,
      Class<? extends Throwable> type, Text message) {
    return new Case(where, input, c -> { }, action, new AtCall(type, message), Intact.FULL);
  }

  private static Case flush(Where where, String input, Action action, Text fragment,
      Check check) {
    return new Case(where, input, c -> { }, action, new AtFlush(fragment, check), Intact.FULL);
  }

  private static Case accepted(Where where, String input, Action action, Check check) {
    return new Case(where, input, c -> { }, action, new Accepted(check), Intact.FULL);
  }

  private static Case onRead(String input, Action action, Text message, Check check) {
    return new Case(Where.FILE, input, c -> { }, action, new OnRead(message, check),
        Intact.METRICS);
  }

  private static String aliasBomb() {
    StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    char prev = 'a';
    for (char c = 'b'; c <= 'j'; c++) {
      bomb.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        bomb.append(i == 0 ? "" : ",").append('*').append(prev);
      }
      bomb.append("]\n");
      prev = c;
    }
    return bomb.toString();
  }

  private static void insertLine(Path file, int lineNumber, String line) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.add(lineNumber - 1, line);
    Files.writeString(file, String.join("\n", lines) + "\n");
  }

  // ------------------------------------------------------------------------------ context

  /** One row's world: a tracker on a fresh file root or a fresh fake MLflow server. */
  static final class Ctx implements AutoCloseable {
    final Path tmp;
    final String backend;
    final Path root;
    final Tracker tracker;
    FakeMlflowServer fake;
    MockWebServer server;
    MlflowBackend writer;
    Run run;
    Run other;
    int line;
    volatile Function<String, MockResponse> refuse = body -> null;
    volatile boolean refuseArtifacts;

    Ctx(Path tmp, String backend) throws IOException {
      this.tmp = tmp;
      this.backend = backend;
      this.root = tmp.resolve("runs");
      TrackingBackend b;
      if (backend.equals("file")) {
        b = FileBackend.create(root);
      } else {
        fake = new FakeMlflowServer();
        server = FakeMlflowServer.newServer();
        server.setDispatcher(new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            if (refuseArtifacts && request.getUrl().encodedPath()
                .startsWith("/api/2.0/mlflow-artifacts/")) {
              return FakeMlflowServer.error(403, "PERMISSION_DENIED",
                  "no artifact writes for this token");
            }
            ByteString body = request.getBody();
            MockResponse refused = body == null ? null : refuse.apply(body.utf8());
            return refused != null ? refused : fake.dispatch(request);
          }
        });
        server.start();
        writer = mlflow(tmp.resolve("spool"));
        b = writer;
      }
      tracker = Tracker.builder().backend(b).shutdownHook(false).standardTags(false)
          .systemProperties(k -> null).environment(k -> null)
          .clock(() -> Instant.ofEpochMilli(T0)).closeTimeout(Duration.ofSeconds(3)).build();
    }

    private MlflowBackend mlflow(Path spool) {
      return MlflowBackend.builder().uri(server.url("/").toString()).spoolDir(spool)
          .backoffFactor(0.01).backoffJitter(0).maxBackoff(Duration.ofMillis(50)).build();
    }

    /** The journal segments left under the writer's journal directory. */
    long journalSegments() throws IOException {
      Path dir = writer.remoteDelivery().orElseThrow().journalDirectory();
      if (!Files.isDirectory(dir)) {
        return 0;
      }
      try (Stream<Path> s = Files.list(dir)) {
        return s.filter(Files::isDirectory).count();
      }
    }

    /** A fresh backend on the same files or server, as another process would read the run. */
    TrackingBackend reader() {
      return backend.equals("file") ? FileBackend.create(root) : mlflow(tmp.resolve("reader"));
    }

    Path runDir() {
      return root.resolve(EXPERIMENT).resolve(run.id());
    }

    Path params() {
      return runDir().resolve(FileBackend.PARAMS_FILE);
    }

    Path metricsCsv() {
      return runDir().resolve(FileBackend.METRICS_FILE);
    }

    String describe() {
      return backend.equals("file") ? "file:" + root : server.url("/").toString()
          .replaceAll("/$", "");
    }

    String serverRunId() {
      return writer.serverRunId(run.id()).orElseThrow();
    }

    /** A small file under the temporary folder. */
    Path file(String name) throws IOException {
      return Files.writeString(tmp.resolve(name), "weights of " + name, StandardCharsets.UTF_8);
    }

    /** An empty folder outside the run, where nothing may be written. */
    Path outside() throws IOException {
      return Files.createDirectories(tmp.resolve("outside"));
    }

    /** Another run of the experiment, ended with the status. */
    Run ended(RunStatus status) {
      other = tracker.experiment(EXPERIMENT).startRun("other");
      other.end(status);
      return other;
    }

    @Override
    public void close() throws IOException {
      try {
        tracker.close();
      } finally {
        if (server != null) {
          server.close();
        }
      }
    }
  }
}
