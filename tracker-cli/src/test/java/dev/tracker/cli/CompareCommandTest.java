package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompareCommandTest {
  private final Harness harness = new Harness(Fixtures.threeRuns());

  @Test
  void showsParamsSideBySideMarkingDifferencesAndMetricChangesFromTheFirstRun() {
    Harness.Result r = harness.run("compare", "a1b2", "lr-0.1", "c3");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(""
        + "run         a1b2c3d4          b2c3d4e5              change  c3d4e5f6          change\n"
        + "name        lr-0.01           lr-0.1                        lr-0.5\n"
        + "status      FINISHED          FINISHED                      FAILED\n"
        + "start       2024-05-01 12:00  2024-05-01 12:01              2024-05-01 12:02\n"
        + "duration    3s                2.5s                          1s\n"
        + "\n"
        + "params\n"
        + "* lr        0.01              0.1                           0.5\n"
        + "  epochs    50                50                            50\n"
        + "  model     softmax           softmax                       softmax\n"
        + "\n"
        + "metrics\n"
        + "  loss      0.7               0.3                     -0.4  NaN                  NaN\n"
        + "  accuracy  0.9               0.966667          +0.0666667  0.7                 -0.2\n");
  }

  @Test
  void aNarrowTerminalLosesChangesBeforeRuns() {
    Harness.Result r = harness.width(80).run("compare", "a1b2", "lr-0.1", "c3");

    assertThat(r.out()).startsWith(""
        + "run         a1b2c3d4          b2c3d4e5              change  c3d4e5f6\n");
    assertThat(r.out()).endsWith("\n1 column not shown to fit 80 characters: change of"
        + " c3d4e5f6 (use --format csv or json for all)\n");
  }

  @Test
  void csvHasAColumnPerRunAndPerChange() {
    Harness.Result r = harness.run("compare", "lr-0.01", "lr-0.1", "--format", "csv");

    assertThat(r.out()).isEqualTo(""
        + "section,key,differs,a1b2c3d4e5f60718293a4b5c6d7e8f90,b2c3d4e5f60718293a4b5c6d7e8f90a1,"
        + "b2c3d4e5f60718293a4b5c6d7e8f90a1.change\n"
        + "run,name,,lr-0.01,lr-0.1,\n"
        + "run,status,,FINISHED,FINISHED,\n"
        + "run,start_time,,2024-05-01T12:00:00Z,2024-05-01T12:01:00Z,\n"
        + "run,end_time,,2024-05-01T12:00:03Z,2024-05-01T12:01:02.500Z,\n"
        + "run,duration_ms,,3000,2500,\n"
        + "params,lr,true,0.01,0.1,\n"
        + "params,epochs,false,50,50,\n"
        + "params,model,false,softmax,softmax,\n"
        + "metrics,loss,,0.7,0.3,-0.39999999999999997\n"
        + "metrics,accuracy,,0.9,0.9666666666666667,0.06666666666666665\n");
  }

  @Test
  void jsonHasValuesDifferencesAndChanges() {
    Harness.Result r = harness.run("compare", "lr-0.01", "lr-0.5", "--format", "json");

    assertThat(r.out()).contains("""
          "params": [
            {
              "key": "lr",
              "values": [
                "0.01",
                "0.5"
              ],
              "differs": true
            },
        """);
    assertThat(r.out()).contains("""
            {
              "key": "loss",
              "values": [
                0.7,
                "NaN"
              ],
              "changes": [
                null,
                "NaN"
              ]
            },
        """);
  }

  @Test
  void oneRunIsNotEnough() {
    Harness.Result r = harness.run("compare", "lr-0.1");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker compare: positional parameter at index 0..* (RUN)"
        + " requires at least 2 values, but only 1 were specified: [lr-0.1]"
        + " (see 'tracker compare --help')\n");
  }

  @Test
  void theSameRunTwiceIsNotAComparison() {
    Harness.Result r = harness.run("compare", "lr-0.1", "b2c3");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker compare: compare needs two different runs but lr-0.1"
        + " and b2c3 name the same run\n");
  }

  @Test
  void anUnknownRunExitsOne() {
    Harness.Result r = harness.run("compare", "lr-0.1", "nope");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker compare: no run 'nope' in recording (give a run id,"
        + " a unique id prefix or a unique run name)\n");
  }
}
