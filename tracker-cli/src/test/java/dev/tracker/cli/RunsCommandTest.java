package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.ExperimentInfo;
import dev.tracker.RunStatus;
import dev.tracker.testing.ForwardingBackend;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunsCommandTest {
  private final Harness harness = new Harness(Fixtures.threeRuns());

  @Test
  void listsEveryRunNewestFirstWithItsParamsAndLastMetrics() {
    Harness.Result r = harness.run("runs");

    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualTo(""
        + "id        name     status    start             duration    lr  epochs  model    loss  accuracy\n"
        + "c3d4e5f6  lr-0.5   FAILED    2024-05-01 12:02        1s   0.5      50  softmax   NaN       0.7\n"
        + "b2c3d4e5  lr-0.1   FINISHED  2024-05-01 12:01      2.5s   0.1      50  softmax   0.3  0.966667\n"
        + "a1b2c3d4  lr-0.01  FINISHED  2024-05-01 12:00        3s  0.01      50  softmax   0.7       0.9\n");
  }

  @Test
  void filterKeepsOnlyMatchingRuns() {
    Harness.Result r = harness.run("runs", "--filter",
        "metrics.accuracy > 0.9 and params.lr = '0.1'");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(""
        + "id        name    status    start             duration   lr  epochs  model    loss  accuracy\n"
        + "b2c3d4e5  lr-0.1  FINISHED  2024-05-01 12:01      2.5s  0.1      50  softmax   0.3  0.966667\n");
  }

  @Test
  void sortByAMetricDescendingPutsTheBestFirst() {
    Harness.Result r = harness.run("runs", "--sort", "-metrics.accuracy", "--format", "csv");

    assertThat(r.out().lines().skip(1).map(l -> l.substring(0, 8)))
        .containsExactly("b2c3d4e5", "a1b2c3d4", "c3d4e5f6");
  }

  @Test
  void sortTakesMlflowOrderClausesToo() {
    Harness.Result r = harness.run("runs", "--sort", "params.model DESC, metrics.loss ASC",
        "--format", "csv");

    assertThat(r.out().lines().skip(1).map(l -> l.substring(0, 8)))
        .containsExactly("b2c3d4e5", "a1b2c3d4", "c3d4e5f6");
  }

  @Test
  void filterIsMlflowsGrammarWithAndOnly() {
    Harness.Result r = harness.run("runs", "--filter",
        "params.lr = '0.1' or params.lr = '0.5'");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker runs: bad --filter at position 19: 'or' is not"
        + " supported; comparisons join with 'and' only\n");
  }

  @Test
  void limitKeepsTheFirstRunsOfTheOrder() {
    Harness.Result r = harness.run("runs", "--sort", "metrics.loss", "--limit", "2", "-f", "csv");

    // NaN sorts last, like a missing value
    assertThat(r.out().lines().skip(1).map(l -> l.substring(0, 8)))
        .containsExactly("b2c3d4e5", "a1b2c3d4");
  }

  @Test
  void narrowTerminalDropsTheLeastUsefulColumnsWithANoteInsteadOfWrapping() {
    Harness.Result r = harness.width(60).run("runs");

    assertThat(r.out()).isEqualTo(""
        + "id        name     status    duration    lr  loss  accuracy\n"
        + "c3d4e5f6  lr-0.5   FAILED          1s   0.5   NaN       0.7\n"
        + "b2c3d4e5  lr-0.1   FINISHED      2.5s   0.1   0.3  0.966667\n"
        + "a1b2c3d4  lr-0.01  FINISHED        3s  0.01   0.7       0.9\n"
        + "\n"
        + "same in every run: epochs=50, model=softmax\n"
        + "1 column not shown to fit 60 characters: start (use --format csv or json for all)\n");
    assertThat(r.out().lines().limit(4)).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(60));
  }

  @Test
  void metricColumnsGoBeforeStatusWhenEvenNarrower() {
    Harness.Result r = harness.width(35).run("runs");

    assertThat(r.out()).isEqualTo(""
        + "id        name     status\n"
        + "c3d4e5f6  lr-0.5   FAILED\n"
        + "b2c3d4e5  lr-0.1   FINISHED\n"
        + "a1b2c3d4  lr-0.01  FINISHED\n"
        + "\n"
        + "same in every run: epochs=50,\n"
        + "  model=softmax\n"
        + "5 columns not shown to fit 35 characters: start, duration, lr, loss, accuracy"
        + " (use --format csv or json for all)\n");
  }

  @Test
  void paramsWithTheSameValueEverywhereGoUnderTheTableWrappedToTheWidth() {
    RecordingBackend b = new RecordingBackend();
    Map<String, String> params = Fixtures.params("seed", "1", "epochs", "50", "batch_size", "16",
        "l2", "0.0001", "test_fraction", "0.2", "model", "softmax-regression");
    Fixtures.run(b, "iris", Fixtures.A, "lr-0.01", Fixtures.T0, 3000, RunStatus.FINISHED, params,
        Map.of("loss", new double[] {0.5}));
    params.put("seed", "1234567890123456789");
    Fixtures.run(b, "iris", Fixtures.B, "lr-0.1", Fixtures.T0 + 1, 3000, RunStatus.FINISHED,
        params, Map.of("loss", new double[] {0.25}));

    Harness.Result r = new Harness(b).width(62).run("runs");

    assertThat(r.out()).isEqualTo(""
        + "id        name     status    duration  loss\n"
        + "b2c3d4e5  lr-0.1   FINISHED        3s  0.25\n"
        + "a1b2c3d4  lr-0.01  FINISHED        3s   0.5\n"
        + "\n"
        + "same in every run: epochs=50, batch_size=16, l2=0.0001,\n"
        + "  test_fraction=0.2, model=softmax-regression\n"
        + "2 columns not shown to fit 62 characters: start, seed"
        + " (use --format csv or json for all)\n");
  }

  @Test
  void longValuesAreCutWithAMark() {
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "iris", Fixtures.A, "a-run-name-that-is-far-too-long-for-a-table",
        Fixtures.T0, 1000, RunStatus.FINISHED, Map.of(), Map.of("loss", new double[] {1}));

    Harness.Result r = new Harness(b).run("runs");

    assertThat(r.out()).isEqualTo(""
        + "id        name                              status    start             duration  loss\n"
        + "a1b2c3d4  a-run-name-that-is-far-too-long…  FINISHED  2024-05-01 12:00        1s     1\n"
        + "\n"
        + "… marks values cut to fit\n");
  }

  @Test
  void controlCharactersInARunAreShownAsEscapesNeverSentToTheTerminal() {
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "x", Fixtures.A, "red\u001b[31m", Fixtures.T0, 1000, RunStatus.FINISHED,
        Map.of("note", "a\tb\u0007\u202ec"), Map.of("loss", new double[] {1}));

    Harness.Result r = new Harness(b).run("runs");

    assertThat(r.out()).isEqualTo(""
        + "id        name           status    start             duration  note              "
        + "loss\n"
        + "a1b2c3d4  red\\u001b[31m  FINISHED  2024-05-01 12:00        1s  a b\\u0007\\u202ec     1\n");
  }

  @Test
  void csvHasEveryParamAndMetricWithExactValues() {
    Harness.Result r = harness.run("runs", "--format", "csv");

    assertThat(r.out()).isEqualTo(""
        + "id,name,experiment,status,start_time,end_time,duration_ms,params.lr,params.epochs,"
        + "params.model,metrics.loss,metrics.accuracy\n"
        + "c3d4e5f60718293a4b5c6d7e8f90a1b2,lr-0.5,iris,FAILED,2024-05-01T12:02:00Z,"
        + "2024-05-01T12:02:01Z,1000,0.5,50,softmax,NaN,0.7\n"
        + "b2c3d4e5f60718293a4b5c6d7e8f90a1,lr-0.1,iris,FINISHED,2024-05-01T12:01:00Z,"
        + "2024-05-01T12:01:02.500Z,2500,0.1,50,softmax,0.3,0.9666666666666667\n"
        + "a1b2c3d4e5f60718293a4b5c6d7e8f90,lr-0.01,iris,FINISHED,2024-05-01T12:00:00Z,"
        + "2024-05-01T12:00:03Z,3000,0.01,50,softmax,0.7,0.9\n");
  }

  @Test
  void jsonListsEveryRunWithTypedMetrics() {
    Harness.Result r = harness.run("runs", "--format", "json", "--filter", "params.lr = '0.1'");

    assertThat(r.out()).isEqualTo("""
        [
          {
            "id": "b2c3d4e5f60718293a4b5c6d7e8f90a1",
            "name": "lr-0.1",
            "experiment": "iris",
            "status": "FINISHED",
            "start_time": "2024-05-01T12:01:00Z",
            "end_time": "2024-05-01T12:01:02.500Z",
            "duration_ms": 2500,
            "params": {
              "lr": "0.1",
              "epochs": "50",
              "model": "softmax"
            },
            "metrics": {
              "loss": 0.3,
              "accuracy": 0.9666666666666667
            }
          }
        ]
        """);
  }

  @Test
  void runsOfSeveralExperimentsGetAnExperimentColumn() {
    RecordingBackend b = Fixtures.threeRuns();
    Fixtures.run(b, "mnist", "d4e5f60718293a4b5c6d7e8f90a1b2c3", "cnn", Fixtures.T0 + 180_000,
        65_000, RunStatus.FINISHED, Map.of(), Map.of("loss", new double[] {2.5, 0.25}));

    Harness.Result all = new Harness(b).run("runs");
    Harness.Result one = new Harness(b).run("runs", "--experiment", "mnist");

    assertThat(all.out().lines().findFirst().orElseThrow())
        .isEqualTo("id        name     experiment  status    start             duration    lr  epochs"
            + "  model    loss  accuracy");
    assertThat(one.out()).isEqualTo(""
        + "id        name  status    start             duration  loss\n"
        + "d4e5f607  cnn   FINISHED  2024-05-01 12:03     1m05s  0.25\n");
  }

  @Test
  void aParamAndAMetricOfTheSameNameAreTold() {
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "x", Fixtures.A, "r", Fixtures.T0, -1, RunStatus.RUNNING,
        Map.of("loss", "mse"), Map.of("loss", new double[] {0.5}));

    Harness.Result r = new Harness(b).run("runs");

    assertThat(r.out()).isEqualTo(""
        + "id        name  status   start             duration  params.loss  metrics.loss\n"
        + "a1b2c3d4  r     RUNNING  2024-05-01 12:00         -  mse                   0.5\n");
  }

  @Test
  void noRunsIsNotAnError() {
    Harness.Result r = new Harness(new RecordingBackend()).run("runs");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("no runs in recording\n");
  }

  @Test
  void badFilterIsOneLineNamingThePositionAndExitsOne() {
    Harness.Result r = harness.run("runs", "--filter", "metrics.accuracy >> 0.9");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("tracker runs: bad --filter at position 19: expected a number"
        + " after metrics.accuracy > but found '>'\n");
  }

  @Test
  void badSortExitsOne() {
    Harness.Result r = harness.run("runs", "--sort", "accuracy");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker runs: bad --sort 'accuracy' at position 1: expected"
        + " metrics.KEY, params.KEY, tags.KEY or attributes.NAME but found 'accuracy'\n");
  }

  @Test
  void aSortClauseWithoutAFieldExitsOneQuotingWhatWasTyped() {
    Harness.Result dash = harness.run("runs", "--sort", "-");
    Harness.Result comma = harness.run("runs", "--sort", "metrics.loss,,params.lr");

    assertThat(dash.code()).isEqualTo(1);
    assertThat(dash.err()).isEqualTo("tracker runs: bad --sort '-': clause 1 names no field;"
        + " expected KEY [ASC|DESC] or -KEY, comma-separated\n");
    assertThat(comma.code()).isEqualTo(1);
    assertThat(comma.err()).isEqualTo("tracker runs: bad --sort 'metrics.loss,,params.lr':"
        + " clause 2 names no field; expected KEY [ASC|DESC] or -KEY, comma-separated\n");
  }

  @Test
  void sortByAFieldNoRunHasExitsOneNamingWhatTheRunsHave() {
    Harness.Result metric = harness.run("runs", "--sort", "-metrics.nope");
    Harness.Result param = harness.run("runs", "--sort", "params.lr,params.nope", "-f", "csv");

    assertThat(metric.code()).isEqualTo(1);
    assertThat(metric.out()).isEmpty();
    assertThat(metric.err()).isEqualTo("tracker runs: bad --sort: no run has metrics.nope"
        + " (metrics: loss, accuracy)\n");
    assertThat(param.code()).isEqualTo(1);
    assertThat(param.err()).isEqualTo("tracker runs: bad --sort: no run has params.nope"
        + " (params: lr, epochs, model)\n");
  }

  @Test
  void aFileRootThatDoesNotExistExitsOne(@TempDir Path dir) {
    Path missing = dir.resolve("nonexistent");

    Harness.Result r = Harness.real().run("runs", "--uri", missing.toUri().toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("tracker runs: file:" + missing + " does not exist (no folder "
        + missing + "); give the runs folder with --uri\n");
    assertThat(missing).doesNotExist();
  }

  @Test
  void anEmptyFileRootIsNoRunsNotAnError(@TempDir Path dir) {
    Harness.Result r = Harness.real().run("runs", "--uri", dir.toUri().toString());

    assertThat(r.code()).isZero();
    assertThat(r.err()).isEqualTo("no runs in file:" + dir + "\n");
  }

  @Test
  void unknownExperimentExitsOneNamingTheExperiments() {
    Harness.Result r = harness.run("runs", "--experiment", "mnist");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker runs: no experiment 'mnist' in recording;"
        + " experiments: iris\n");
  }

  @Test
  void limitBelowOneExitsOne() {
    Harness.Result r = harness.run("runs", "--limit", "0");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker runs: --limit must be at least 1 but was 0\n");
  }

  @Test
  void unreachableBackendExitsTwo() {
    Harness h = new Harness(uri -> new Unreachable());

    Harness.Result r = h.run("runs", "--uri", "http://localhost:5000");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("tracker runs: cannot read from http://localhost:5000:"
        + " Failed to connect to localhost/127.0.0.1:5000\n");
  }

  @Test
  void uriDefaultsToTheLibrarysConfiguration() {
    harness.run("runs");
    harness.env.put("MLFLOW_TRACKING_URI", "http://mlflow:5000");
    harness.run("runs");
    harness.env.put("TRACKER_URI", "file:/data/runs");
    harness.run("runs");
    harness.properties.put("tracker.uri", "file:/tmp/runs");
    harness.run("runs");
    harness.run("runs", "--uri", "./elsewhere");

    assertThat(harness.opened).containsExactly(URI.create("file:./runs"),
        URI.create("http://mlflow:5000"), URI.create("file:/data/runs"),
        URI.create("file:/tmp/runs"), URI.create("./elsewhere"));
  }

  @Test
  void aUriNoBackendServesExitsOne() {
    Harness.Result r = Harness.real().run("runs", "--uri", "ftp://host/runs");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker runs: no backend for URI scheme 'ftp'"
        + " (ftp://host/runs); tracker reads file: roots and http(s): MLflow servers\n");
  }

  /** A backend whose server does not answer. */
  static final class Unreachable extends ForwardingBackend {
    Unreachable() {
      super(new RecordingBackend());
    }

    @Override
    public String describe() {
      return "http://localhost:5000";
    }

    @Override
    public List<ExperimentInfo> listExperiments() throws IOException {
      throw new ConnectException("Failed to connect to localhost/127.0.0.1:5000");
    }
  }
}
