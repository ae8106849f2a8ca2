package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunQuery;
import dev.tracker.RunStatus;
import dev.tracker.RunSummary;
import dev.tracker.Tag;
import dev.tracker.Tracker;
import dev.tracker.file.FileBackend;
import dev.tracker.http.MlflowBackend;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One query, two backends, the same runs in the same order: the file backend evaluates the filter
 * itself, the MLflow backend has the fake server evaluate it ({@code runs/search}, paged), over
 * 200 runs with mixed params, metrics (latest values, NaN, missing) and tags.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SearchParityTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final int RUNS = 200;
  private static final List<String> IN_RUNS = List.of("run-003", "run-050", "run-199");

  private static Path root;
  private static FakeMlflowServer fake;
  private static MockWebServer server;
  private static Tracker files;
  private static Tracker mlflow;
  /** Tracker id by run name, and the server's id by tracker id. */
  private static final Map<String, String> ids = new HashMap<>();
  private static final Map<String, String> serverIds = new HashMap<>();

  @BeforeAll
  static void twoHundredRunsInBothBackends() throws IOException {
    root = Files.createTempDirectory("search-parity");
    fake = new FakeMlflowServer().pageSize(37);
    server = fake.start();
    FileBackend file = FileBackend.create(root.resolve("runs"));
    MlflowBackend remote = MlflowBackend.builder().uri(server.url("/").toString())
        .spoolDir(root.resolve("spool")).build();
    write(file);
    write(remote);
    remote.flush();
    for (String serverId : fake.runs()) {
      serverIds.put(fake.run(serverId).tags().get(MlflowBackend.RUN_ID_TAG), serverId);
    }
    files = tracker(file);
    mlflow = tracker(remote);
  }

  private static Tracker tracker(TrackingBackend backend) {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).build();
  }

  @AfterAll
  static void close() throws IOException {
    files.close();
    mlflow.close();
    server.close();
  }

  /** The same 200 runs, drawn from one seed, written through the SPI with fixed ids. */
  private static void write(TrackingBackend b) throws IOException {
    Random random = new Random(15);
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      starts.add(i);
    }
    Collections.shuffle(starts, random);
    String[] lrs = {"0.1", "0.01", "0.001", "1e-3", "0.05"};
    String[] optimizers = {"adam", "sgd", "Adam", "rmsprop"};
    String[] stages = {"dev", "prod", "Prod", "staging"};
    String[] teams = {"vision core", "speech", "vision edge"};
    String exp = b.createExperiment("parity");
    for (int i = 0; i < RUNS; i++) {
      String name = String.format("run-%03d", i);
      String id = String.format("%08x", random.nextInt()) + String.format("%024x", i);
      ids.put(name, id);
      long start = T0 + starts.get(i) * 1000L;
      b.createRun(new RunSpec(id, exp, "parity", name, start, Map.of("mlflow.runName", name),
          null, false));
      List<Param> params = new ArrayList<>();
      if (random.nextInt(10) > 0) {
        params.add(new Param("lr", lrs[random.nextInt(lrs.length)]));
      }
      if (random.nextInt(5) > 0) {
        params.add(new Param("optimizer", optimizers[random.nextInt(optimizers.length)]));
      }
      params.add(new Param("batch size", Integer.toString(32 << random.nextInt(3))));
      if (i % 13 == 0) { // a full-width A (U+FF21) and an emoji (U+1F600, two UTF-16 units)
        params.add(new Param("glyph", i % 26 == 0 ? "\uFF21" : "\uD83D\uDE00"));
      }
      if (i % 11 == 0) { // these draw no random number: the runs above stay as they were
        params.add(new Param("owner", i % 22 == 0 ? "O'Brien" : "O\\'Brien"));
        params.add(new Param("path", i % 22 == 0 ? "C:\\data\\" : "C:\\data"));
      }
      List<Tag> tags = new ArrayList<>();
      if (random.nextInt(4) > 0) {
        tags.add(new Tag("stage", stages[random.nextInt(stages.length)]));
      }
      tags.add(new Tag("team name", teams[random.nextInt(teams.length)]));
      List<Metric> metrics = new ArrayList<>();
      int kind = random.nextInt(20);
      if (i == 0) {
        metrics.add(new Metric("acc", 0.5, start, 0));
      } else if (kind >= 3) {
        int steps = 1 + random.nextInt(3);
        for (int step = 0; step < steps; step++) {
          metrics.add(new Metric("acc", random.nextInt(100) / 100.0, start + step, step));
        }
      } else if (kind >= 1) {
        metrics.add(new Metric("acc", 0.2, start, 0));
        metrics.add(new Metric("acc", Double.NaN, start + 1, 1));
      }
      if (random.nextInt(5) > 0) {
        metrics.add(new Metric("val loss", random.nextInt(1000) / 1000.0, start, 0));
      }
      // points at one step and time: MLflow keeps the greatest value, NaN counting as 0
      if (i % 10 == 3) {
        metrics.add(new Metric("tie", 0.9, start, 1));
        metrics.add(new Metric("tie", 0.2, start, 1));
      } else if (i % 10 == 4) {
        metrics.add(new Metric("tie", -0.5, start, 1));
        metrics.add(new Metric("tie", Double.NaN, start, 1));
      } else if (i % 10 == 5) {
        metrics.add(new Metric("tie", 0.4, start, 1));
      }
      b.logBatch(id, new Batch(metrics, params, tags));
      int s = random.nextInt(20);
      RunStatus status = s == 0 ? RunStatus.RUNNING : s < 4 ? RunStatus.FAILED
          : s == 4 ? RunStatus.KILLED : RunStatus.FINISHED;
      if (status != RunStatus.RUNNING) {
        b.endRun(id, status, start + 500 + random.nextInt(5000));
      }
    }
  }

  private static List<String> names(Tracker tracker, String filter, String orderBy,
      Integer limit, boolean server) {
    String ready = filter.replace("{in}", IN_RUNS.stream()
        .map(n -> "'" + (server ? serverIds.get(ids.get(n)) : ids.get(n)) + "'")
        .collect(Collectors.joining(", ")));
    RunQuery q = tracker.runs().experiment("parity").filter(ready);
    if (orderBy != null) {
      q = q.orderBy(orderBy.split(";"));
    }
    if (limit != null) {
      q = q.limit(limit);
    }
    return q.list().stream().map(r -> r.info().name()).toList();
  }

  @org.junit.jupiter.api.Test
  void ofPointsAtOneStepAndTimeTheGreatestValueIsTheLatestOnBothBackends() {
    List<String> expected = ids.keySet().stream().sorted()
        .filter(n -> Integer.parseInt(n.substring(4)) % 10 == 5).toList();
    assertThat(names(files, "metrics.tie < 0.5", "attributes.run_name", null, false))
        .isEqualTo(expected);
    assertThat(names(mlflow, "metrics.tie < 0.5", "attributes.run_name", null, true))
        .isEqualTo(expected);
  }

  /** Texts order by code point, as SQLite orders UTF-8 bytes, not by Java's UTF-16 units. */
  @org.junit.jupiter.api.Test
  void textsOrderByCodePointOnBothBackends() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < RUNS; i += 26) {
      expected.add(String.format("run-%03d", i)); // U+FF21
    }
    for (int i = 13; i < RUNS; i += 26) {
      expected.add(String.format("run-%03d", i)); // U+1F600
    }
    for (boolean server : new boolean[] {false, true}) {
      Tracker t = server ? mlflow : files;
      assertThat(names(t, "params.glyph != 'x'", "params.glyph;attributes.run_name", null,
          server)).isEqualTo(expected);
    }
  }

  /**
   * MLflow's grammar keeps a quoted text as written, without escapes: {@code 'O\'Brien'} is the
   * value with the backslash, and a value holding a quote is written in double quotes.
   */
  @org.junit.jupiter.api.Test
  void aQuotedValueIsKeptAsWrittenOnBothBackends() {
    List<String> quote = new ArrayList<>();
    List<String> backslash = new ArrayList<>();
    for (int i = 0; i < RUNS; i += 11) {
      (i % 22 == 0 ? quote : backslash).add(String.format("run-%03d", i));
    }
    for (boolean server : new boolean[] {false, true}) {
      Tracker t = server ? mlflow : files;
      assertThat(names(t, "params.owner = 'O\\'Brien'", "attributes.run_name", null, server))
          .isEqualTo(backslash);
      assertThat(names(t, "params.owner = \"O'Brien\"", "attributes.run_name", null, server))
          .isEqualTo(quote);
      assertThat(names(t, "params.path = 'C:\\data\\'", "attributes.run_name", null, server))
          .isEqualTo(quote);
    }
  }

  @ParameterizedTest(name = "[{index}] {0} / {1}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      ''                                                        | -                                  | -  | 200
      metrics.acc > 0.5                                         | -                                  | -  | 1
      metrics.acc <= 0.25                                       | -                                  | -  | 1
      metrics.acc = 0.5                                         | -                                  | -  | 1
      metrics.acc != 0.5                                        | -                                  | -  | 1
      metrics.acc >= 0                                          | metrics.acc DESC                   | -  | 1
      metrics.acc < 1e-1                                        | -                                  | -  | 1
      metrics.`val loss` < 0.3                                  | -                                  | -  | 1
      metrics.`val loss` >= 0.3 and metrics.acc > 0.3           | -                                  | -  | 1
      metrics.nothing > 0                                       | -                                  | -  | 0
      params.lr = '0.1'                                         | -                                  | -  | 1
      params.lr != '0.1'                                        | -                                  | -  | 1
      params.lr = '1e-3'                                        | -                                  | -  | 1
      params.lr LIKE '0.0%'                                     | -                                  | -  | 1
      params.optimizer ILIKE 'adam'                             | -                                  | -  | 1
      params.optimizer LIKE 'Adam'                              | -                                  | -  | 1
      params.`batch size` = '64'                                | -                                  | -  | 1
      tags.stage = 'prod'                                       | -                                  | -  | 1
      tags.stage != 'prod'                                      | -                                  | -  | 1
      tags.stage ILIKE 'prod'                                   | -                                  | -  | 1
      tags.`team name` LIKE 'vision%'                           | -                                  | -  | 1
      tags.`mlflow.runName` = 'run-007'                         | -                                  | -  | 1
      attributes.status = 'FAILED'                              | -                                  | -  | 1
      attributes.status != 'FINISHED'                          | -                                  | -  | 1
      attributes.run_name LIKE 'run-1%'                         | -                                  | -  | 1
      attributes.run_name ILIKE 'RUN-0_5'                       | -                                  | -  | 1
      attributes.start_time > 1700000100000                     | -                                  | -  | 1
      attributes.end_time < 1700000050000                       | -                                  | -  | 1
      attributes.run_id IN ({in})                               | -                                  | -  | 3
      metrics.acc > 0.2 and params.optimizer = 'sgd' and tags.stage = 'dev' | -                  | -  | 1
      ''                                                        | metrics.acc DESC                   | -  | 200
      ''                                                        | metrics.acc ASC                    | -  | 200
      params.lr = '0.01'                                        | metrics.`val loss` ASC             | -  | 1
      ''                                                        | params.lr DESC                     | -  | 200
      ''                                                        | params.`batch size` ASC;metrics.acc DESC | - | 200
      ''                                                        | tags.stage                         | -  | 200
      ''                                                        | attributes.run_name DESC           | -  | 200
      ''                                                        | attributes.start_time ASC          | -  | 200
      ''                                                        | attributes.end_time DESC           | -  | 200
      metrics.acc > 0.1                                         | metrics.acc DESC                   | 10 | 10
      metrics.tie < 0.5                                         | -                                  | -  | 20
      metrics.tie > -1                                          | metrics.tie DESC                   | -  | 40
      ''                                                        | metrics.tie ASC                    | -  | 200
      ''                                                        | metrics.`val loss` DESC            | 75 | 75
      """)
  void theSameRunsInTheSameOrderFromFilesAndFromTheServer(String filter, String orderBy,
      Integer limit, int atLeast) {
    List<String> local = names(files, filter, orderBy, limit, false);
    List<String> remote = names(mlflow, filter, orderBy, limit, true);
    assertThat(remote).isEqualTo(local);
    assertThat(local).hasSizeGreaterThanOrEqualTo(atLeast);
    if (atLeast == 0) {
      assertThat(local).isEmpty();
    }
  }
}
