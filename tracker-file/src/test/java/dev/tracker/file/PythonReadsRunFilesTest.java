package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracker.Run;
import dev.tracker.Tracker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Python's csv and yaml modules read what the file backend writes, as DAGsHub users do. */
class PythonReadsRunFilesTest {
  private static final String SCRIPT = String.join("\n",
      "import csv, sys, yaml",
      "run = sys.argv[1]",
      "with open(run + '/params.yaml', encoding='utf-8') as f:",
      "    for k, v in yaml.safe_load(f).items():",
      "        print('param', k, type(v).__name__, repr(v))",
      "with open(run + '/run.yaml', encoding='utf-8') as f:",
      "    r = yaml.safe_load(f)",
      "print('run', r['name'], r['experiment'], r['status'], r['start_time'], r['end_time'],"
          + " r['parent'], r['tags']['mlflow.runName'])",
      "with open(run + '/metrics.csv', newline='', encoding='utf-8') as f:",
      "    for row in csv.DictReader(f):",
      "        print('row', row['Name'], repr(float(row['Value'])), int(row['Timestamp']),"
          + " int(row['Step']))",
      "");

  @TempDir Path root;

  @Test
  void pythonsCsvAndYamlModulesReadARun() throws Exception {
    assumeTrue(pythonWithYaml(), "python3 with the yaml module (PyYAML) is not installed;"
        + " the Python readability check is skipped");
    String id;
    try (Tracker tracker = Tracker.builder().uri(root.toUri().toString()).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null)
        .clock(() -> Instant.ofEpochMilli(1_700_000_000_000L)).seed(7).build();
        Run run = tracker.experiment("iris").startRun("lr-0.1")) {
      id = run.id();
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("lr", 0.1);
      params.put("epochs", 50);
      params.put("big", 1e10);
      params.put("nesterov", true);
      params.put("padded", "0.10");
      params.put("name", "ünï: \"x\"");
      run.logParams(params);
      run.logMetric("loss", 0.6931471805599453, 0);
      run.logMetric("loss", Double.NaN, 1);
      run.logMetric("val acc/top:1", Double.POSITIVE_INFINITY, 2);
      run.logMetric("ünï", Double.NEGATIVE_INFINITY, 3);
      run.logMetric("small", 1.0e-7, 4);
    }
    Process python = new ProcessBuilder("python3", "-c", SCRIPT,
        root.resolve("iris").resolve(id).toString()).redirectErrorStream(true).start();
    String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(python.exitValue()).as(out).isZero();
    assertThat(out.lines()).containsExactly(
        "param seed int 7",
        "param lr float 0.1",
        "param epochs int 50",
        "param big float 10000000000.0",
        "param nesterov bool True",
        "param padded str '0.10'",
        "param name str 'ünï: \"x\"'",
        "run lr-0.1 iris FINISHED 1700000000000 1700000000000 None lr-0.1",
        "row loss 0.6931471805599453 1700000000000 0",
        "row loss nan 1700000000000 1",
        "row val acc/top:1 inf 1700000000000 2",
        "row ünï -inf 1700000000000 3",
        "row small 1e-07 1700000000000 4");
  }

  private static boolean pythonWithYaml() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import csv, yaml")
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException notInstalled) {
      return false;
    }
  }

}
