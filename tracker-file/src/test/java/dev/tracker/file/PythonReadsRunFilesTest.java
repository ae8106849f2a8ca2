package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracker.Run;
import dev.tracker.Seeds;
import dev.tracker.Tracker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
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
    String out = python(SCRIPT, root.resolve("iris").resolve(id).toString());
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

  /** Prints each param, tag and the run name as: kind, key (hex of UTF-8), type, value (hex). */
  private static final String HARD_SCRIPT = String.join("\n",
      "import sys, yaml",
      "run = sys.argv[1]",
      "def show(kind, k, v):",
      "    print(kind, str(k).encode('utf-8').hex(), type(k).__name__, type(v).__name__,",
      "          v.encode('utf-8').hex() if isinstance(v, str) else repr(v))",
      "with open(run + '/params.yaml', encoding='utf-8') as f:",
      "    for k, v in yaml.safe_load(f).items():",
      "        show('param', k, v)",
      "with open(run + '/run.yaml', encoding='utf-8') as f:",
      "    r = yaml.safe_load(f)",
      "show('name', 'name', r['name'])",
      "for k, v in r['tags'].items():",
      "    show('tag', k, v)",
      "");

  @Test
  void pythonsYamlModuleReadsBackEveryStringExactly() throws Exception {
    assumeTrue(pythonWithYaml(), "python3 with the yaml module (PyYAML) is not installed;"
        + " the Python readability check is skipped");
    Map<String, String> strings = HardStrings.asParams();
    String name = "\u001b[31mred\u001b[0m \0 NaN";
    String id;
    try (Tracker tracker = Tracker.builder().uri(root.toUri().toString()).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null).seed(7).build();
        Run run = tracker.experiment("hard").startRun(name)) {
      id = run.id();
      strings.forEach(run::logParam);
      run.setTags(strings);
    }
    String out = python(HARD_SCRIPT, root.resolve("hard").resolve(id).toString());
    List<String> expected = new ArrayList<>();
    expected.add(line("param", "seed", "int", "7"));
    // a number or boolean logged as its canonical text stays a number or boolean
    strings.forEach((k, v) -> {
      Object typed = RunYaml.typedParam(v);
      expected.add(typed instanceof Boolean b ? line("param", k, "bool", b ? "True" : "False")
          : typed instanceof Long l ? line("param", k, "int", l.toString())
          : typed instanceof Double d ? line("param", k, "float", d.toString())
          : line("param", k, "str", hex(v)));
    });
    expected.add(line("name", "name", "str", hex(name)));
    Map<String, String> tags = new java.util.TreeMap<>(strings);
    tags.put("mlflow.runName", name);
    tags.put(Seeds.GENERATOR_TAG, Seeds.GENERATOR_ALGORITHM);
    tags.forEach((k, v) -> expected.add(line("tag", k, "str", hex(v))));
    assertThat(out.lines()).containsExactlyInAnyOrderElementsOf(expected);
  }

  /** Reads metrics.csv with pandas where installed, else with csv, converting every field. */
  private static final String METRICS_SCRIPT = String.join("\n",
      "import csv, sys",
      "path = sys.argv[1]",
      "try:",
      "    import pandas as pd",
      "except ImportError:",
      "    pd = None",
      "if pd is not None:",
      "    df = pd.read_csv(path)",
      "    print('columns', ' '.join(df.columns))",
      "    print('types', df['Value'].dtype, df['Timestamp'].dtype, df['Step'].dtype)",
      "    rows = [(n, float(v), int(t), int(s)) for n, v, t, s in df.itertuples(index=False)]",
      "else:",
      "    with open(path, newline='', encoding='utf-8') as f:",
      "        reader = csv.DictReader(f)",
      "        print('columns', ' '.join(reader.fieldnames))",
      "        print('types', 'float64', 'int64', 'int64')",
      "        rows = []",
      "        for r in reader:",
      "            assert None not in r and None not in r.values(), r",
      "            rows.append((r['Name'], float(r['Value']), int(r['Timestamp']), int(r['Step'])))",
      "for n, v, t, s in rows:",
      "    print('row', n, repr(v), t, s)",
      "");

  @Test
  void afterACrashAndAResumeMetricsCsvReadsAsCleanTypedColumns() throws Exception {
    assumeTrue(pythonWithYaml(), "python3 with the yaml module (PyYAML) is not installed;"
        + " the Python readability check is skipped");
    String id;
    try (Tracker tracker = builder().build(); Run run = tracker.experiment("crash").startRun("r")) {
      id = run.id();
      run.logMetric("loss", 0.5, 0);
      run.logMetric("loss", Double.NaN, 1);
    }
    Path csv = root.resolve("crash").resolve(id).resolve(FileBackend.METRICS_FILE);
    // what a process killed in the middle of a write leaves: a row cut inside its timestamp
    Files.writeString(csv, "\"loss\",0.25,17000", StandardOpenOption.APPEND);
    try (Tracker tracker = builder().resumeRun(id).build();
        Run run = tracker.experiment("crash").startRun("r")) {
      run.logMetric("loss", Double.POSITIVE_INFINITY, 2);
      run.logMetric("acc", 0.75, 3);
    }
    String out = python(METRICS_SCRIPT, csv.toString());
    assertThat(out.lines()).containsExactly(
        "columns Name Value Timestamp Step",
        "types float64 int64 int64",
        "row loss 0.5 1700000000000 0",
        "row loss nan 1700000000000 1",
        "row loss inf 1700000000000 2",
        "row acc 0.75 1700000000000 3");
  }

  private Tracker.Builder builder() {
    return Tracker.builder().uri(root.toUri().toString()).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null)
        .clock(() -> Instant.ofEpochMilli(1_700_000_000_000L)).seed(7);
  }

  private static String line(String kind, String key, String type, String value) {
    return kind + " " + hex(key) + " str " + type + " " + value;
  }

  private static String hex(String s) {
    return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Runs a Python script with one argument; its output, after checking that it succeeded. */
  private static String python(String script, String arg) throws Exception {
    Process python = new ProcessBuilder("python3", "-c", script, arg).redirectErrorStream(true)
        .start();
    String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(python.exitValue()).as(out).isZero();
    return out;
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
