package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code --format json} output read back by another parser: Python's json module, which
 * rejects anything that is not JSON (trailing commas, bare NaN, bad escapes). Skipped where
 * python3 is not installed.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JsonParsesBackTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  private final Harness harness = new Harness(Fixtures.threeRuns());

  @BeforeEach
  void needsPython() {
    assumeTrue(Files.isExecutable(PYTHON), "JSON read-back check skipped: /usr/bin/python3 is"
        + " not installed");
  }

  /** Runs {@code script} with the JSON on stdin as {@code d}; returns what it prints. */
  private static String python(String json, String script) throws IOException,
      InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), "-c",
        "import json, sys\nd = json.load(sys.stdin, parse_constant=lambda c: 1 / 0)\n" + script)
        .redirectErrorStream(true);
    pb.environment().put("PYTHONIOENCODING", "utf-8");
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(json.getBytes(StandardCharsets.UTF_8));
    }
    String out;
    try (InputStream o = p.getInputStream()) {
      out = new String(o.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("python3 said: %s", out).isZero();
    return out;
  }

  @Test
  void runsJsonParses() throws Exception {
    String json = harness.run("runs", "--format", "json").out();

    assertThat(python(json, "print(len(d), [r['name'] for r in d], d[1]['metrics'],"
        + " d[0]['metrics']['loss'], d[2]['params']['lr'], d[0]['duration_ms'])"))
        .isEqualTo("3 ['lr-0.5', 'lr-0.1', 'lr-0.01'] {'loss': 0.3, 'accuracy':"
            + " 0.9666666666666667} NaN 0.01 1000\n");
  }

  @Test
  void showJsonParses() throws Exception {
    String json = harness.run("show", "lr-0.1", "--format", "json").out();

    assertThat(python(json, "print(d['id'], d['metrics']['accuracy'], d['tags']['stage'],"
        + " d['parent_run_id'], d['artifacts'])"))
        .isEqualTo("b2c3d4e5f60718293a4b5c6d7e8f90a1 {'last': 0.9666666666666667, 'step': 2,"
            + " 'min': 0.6, 'max': 0.9666666666666667, 'count': 3} test None []\n");
  }

  @Test
  void compareJsonParses() throws Exception {
    String json = harness.run("compare", "lr-0.01", "lr-0.1", "--format", "json").out();

    assertThat(python(json, "print([r['id'][:8] for r in d['runs']],"
        + " [(p['key'], p['differs']) for p in d['params']], d['metrics'][1])"))
        .isEqualTo("['a1b2c3d4', 'b2c3d4e5'] [('lr', True), ('epochs', False), ('model', False)]"
            + " {'key': 'accuracy', 'values': [0.9, 0.9666666666666667], 'changes': [None,"
            + " 0.06666666666666665]}\n");
  }

  @Test
  void awkwardTextSurvives() throws Exception {
    var b = new dev.tracker.testing.RecordingBackend();
    Fixtures.run(b, "x", Fixtures.A, "quote\" back\\slash\ttab é ✓", Fixtures.T0, 1000,
        dev.tracker.RunStatus.FINISHED, java.util.Map.of("p", "line1\nline2"),
        java.util.Map.of("loss", new double[] {Double.POSITIVE_INFINITY}));
    String json = new Harness(b).run("runs", "--format", "json").out();

    assertThat(python(json, "print(repr(d[0]['name']), repr(d[0]['params']['p']),"
        + " d[0]['metrics']['loss'])"))
        .isEqualTo("'quote\" back\\\\slash\\ttab é ✓' 'line1\\nline2' Infinity\n");
  }
}
