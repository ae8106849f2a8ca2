package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.RunStatus;
import dev.tracker.testing.RecordingBackend;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShowCommandTest {
  private final RecordingBackend backend = Fixtures.threeRuns();
  private final Harness harness = new Harness(backend);

  @Test
  void showsInfoParamsTagsMetricSummariesAndArtifacts() {
    Fixtures.artifact(backend, Fixtures.B, "model/weights.csv", "w");
    Fixtures.artifact(backend, Fixtures.B, "notes.txt", "n");

    Harness.Result r = harness.run("show", "lr-0.1");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("""
        id          b2c3d4e5f60718293a4b5c6d7e8f90a1
        name        lr-0.1
        experiment  iris
        status      FINISHED
        start       2024-05-01 12:01:00
        end         2024-05-01 12:01:02
        duration    2.5s
        parent      -

        params
          lr      0.1
          epochs  50
          model   softmax

        tags
          mlflow.runName  lr-0.1
          stage           test

        metrics
          metric        last  step  min       max  count
          loss           0.3     2  0.3         1      3
          accuracy  0.966667     2  0.6  0.966667      3

        artifacts
          model/weights.csv
          notes.txt
        """);
  }

  @Test
  void minAndMaxLeaveNaNOutButLastShowsIt() {
    Harness.Result r = harness.run("show", Fixtures.C);

    assertThat(r.out()).contains("""
        metrics
          metric    last  step  min  max  count
          loss       NaN     1  0.8  0.8      2
          accuracy   0.7     0  0.7  0.7      1
        """);
  }

  @Test
  void anEmptyRunSaysNoneInEachSection() {
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "x", Fixtures.A, "empty", Fixtures.T0, 0, RunStatus.RUNNING, Map.of(),
        Map.of());

    Harness.Result r = new Harness(b).run("show", "empty");

    assertThat(r.out()).isEqualTo("""
        id          a1b2c3d4e5f60718293a4b5c6d7e8f90
        name        empty
        experiment  x
        status      RUNNING
        start       2024-05-01 12:00:00
        end         -
        duration    -
        parent      -

        params
          (none)

        tags
          mlflow.runName  empty
          stage           test

        metrics
          (none)

        artifacts
          (none)
        """);
  }

  @Test
  void longTagValuesAreCutToTheWidth() {
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "x", Fixtures.A, "r", Fixtures.T0, 0, RunStatus.RUNNING,
        Map.of("command", "java -jar train.jar --epochs 50 --lr 0.1 --data /data/iris.csv"),
        Map.of());

    Harness.Result r = new Harness(b).width(40).run("show", "r");

    assertThat(r.out()).contains("\n  command  java -jar train.jar --epochs…\n");
    assertThat(r.out()).endsWith("\n… marks values cut to fit\n");
  }

  @Test
  void aRunIsFoundByIdPrefixAndByName() {
    assertThat(harness.run("show", "c3d4").out()).startsWith("id          " + Fixtures.C);
    assertThat(harness.run("show", Fixtures.A).out()).startsWith("id          " + Fixtures.A);
    assertThat(harness.run("show", "lr-0.01").out()).startsWith("id          " + Fixtures.A);
  }

  @Test
  void anUnknownRunExitsOne() {
    Harness.Result r = harness.run("show", "ffff");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("tracker show: no run 'ffff' in recording (give a run id, a"
        + " unique id prefix or a unique run name)\n");
  }

  @Test
  void aRunNameInAnErrorIsPrintedAsTextNotAsTerminalControls() {
    Fixtures.run(backend, "iris", "c3d4ffff0718293a4b5c6d7e8f90a1b2",
        "\u001b]0;owned\u0007\u001b[2J", Fixtures.T0, 0, RunStatus.FINISHED, Map.of(), Map.of());

    Harness.Result r = harness.run("show", "c3d4");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker show: 'c3d4' matches 2 runs: c3d4e5f6 (lr-0.5),"
        + " c3d4ffff (\\u001b]0;owned\\u0007\\u001b[2J); give more of the run id\n");
  }

  @Test
  void anAmbiguousPrefixExitsOneListingTheCandidates() {
    Fixtures.run(backend, "iris", "c3d4ffff0718293a4b5c6d7e8f90a1b2", "lr-0.5b", Fixtures.T0,
        0, RunStatus.FINISHED, Map.of(), Map.of());

    Harness.Result r = harness.run("show", "c3d4");

    assertThat(r.code()).isEqualTo(1);
    // newest first, as runs are listed (lr-0.5 started after T0)
    assertThat(r.err()).isEqualTo("tracker show: 'c3d4' matches 2 runs: c3d4e5f6 (lr-0.5),"
        + " c3d4ffff (lr-0.5b); give more of the run id\n");
  }

  @Test
  void aMissingRunArgumentExitsOne() {
    Harness.Result r = harness.run("show");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker show: Missing required parameter: 'RUN'"
        + " (see 'tracker show --help')\n");
  }

  @Test
  void csvHasOneRowPerFact() {
    Harness.Result r = harness.run("show", "lr-0.5", "--format", "csv");

    assertThat(r.out()).isEqualTo("""
        section,key,value,step,min,max,count
        run,id,c3d4e5f60718293a4b5c6d7e8f90a1b2,,,,
        run,name,lr-0.5,,,,
        run,experiment,iris,,,,
        run,status,FAILED,,,,
        run,start_time,2024-05-01T12:02:00Z,,,,
        run,end_time,2024-05-01T12:02:01Z,,,,
        run,duration_ms,1000,,,,
        run,parent,,,,,
        params,lr,0.5,,,,
        params,epochs,50,,,,
        params,model,softmax,,,,
        tags,mlflow.runName,lr-0.5,,,,
        tags,stage,test,,,,
        metrics,loss,NaN,1,0.8,0.8,2
        metrics,accuracy,0.7,0,0.7,0.7,1
        """);
  }

  @Test
  void csvOfARunningRunLeavesItsEndEmpty() {
    RecordingBackend b = new RecordingBackend();
    Fixtures.run(b, "iris", Fixtures.A, "running", Fixtures.T0, 0, RunStatus.RUNNING, Map.of(),
        Map.of());
    Harness.Result r = new Harness(b).run("show", "running", "--format", "csv");

    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("run,status,RUNNING,,,,\n"
        + "run,start_time,2024-05-01T12:00:00Z,,,,\n"
        + "run,end_time,,,,,\n"
        + "run,duration_ms,,,,,\n");
  }

  @Test
  void jsonHoldsEverything() {
    Harness.Result r = harness.run("show", "lr-0.5", "--format", "json");

    assertThat(r.out()).isEqualTo("""
        {
          "id": "c3d4e5f60718293a4b5c6d7e8f90a1b2",
          "name": "lr-0.5",
          "experiment": "iris",
          "status": "FAILED",
          "start_time": "2024-05-01T12:02:00Z",
          "end_time": "2024-05-01T12:02:01Z",
          "duration_ms": 1000,
          "experiment_id": "exp-iris",
          "parent_run_id": null,
          "params": {
            "lr": "0.5",
            "epochs": "50",
            "model": "softmax"
          },
          "tags": {
            "mlflow.runName": "lr-0.5",
            "stage": "test"
          },
          "metrics": {
            "loss": {
              "last": "NaN",
              "step": 1,
              "min": 0.8,
              "max": 0.8,
              "count": 2
            },
            "accuracy": {
              "last": 0.7,
              "step": 0,
              "min": 0.7,
              "max": 0.7,
              "count": 1
            }
          },
          "artifacts": [],
          "inputs": []
        }
        """);
  }
}
