package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.RunData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterTest {
  private static List<RunData> runs;

  @BeforeAll
  static void readRuns() throws IOException {
    var backend = Fixtures.threeRuns();
    runs = new ArrayList<>();
    for (String id : List.of(Fixtures.A, Fixtures.B, Fixtures.C)) {
      runs.add(backend.readRun(id).orElseThrow());
    }
  }

  private static String matching(String filter) {
    List<String> names = new ArrayList<>();
    Filter f = Filter.parse(filter, "--filter");
    for (RunData r : runs) {
      if (f.test(r)) {
        names.add(r.info().name());
      }
    }
    return String.join(" ", names);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      metrics.accuracy > 0.9                                      | lr-0.1
      metrics.accuracy >= 0.9                                     | lr-0.01 lr-0.1
      metrics.accuracy < 0.9                                      | lr-0.5
      metrics.accuracy <= 0.7                                     | lr-0.5
      metrics.accuracy = 0.9                                      | lr-0.01
      metrics.accuracy == 0.9                                     | lr-0.01
      metrics.accuracy != 0.9                                     | lr-0.1 lr-0.5
      metrics.accuracy <> 0.9                                     | lr-0.1 lr-0.5
      metrics.accuracy > 0.9 and params.lr = 0.1                  | lr-0.1
      metrics.accuracy > 0.95 or params.lr = 0.5                  | lr-0.1 lr-0.5
      params.lr = 0.01 or params.lr = 0.1 and metrics.loss < 0.5  | lr-0.01 lr-0.1
      (params.lr = 0.01 or params.lr = 0.1) and metrics.loss < 0.5 | lr-0.1
      params.lr = 1e-2                                            | lr-0.01
      params.lr = '0.1'                                           | lr-0.1
      params.lr = "0.10"                                          |
      params.lr = 0.10                                            | lr-0.1
      params.lr > 0.05                                            | lr-0.1 lr-0.5
      params.model = 'softmax'                                    | lr-0.01 lr-0.1 lr-0.5
      params.model > 5                                            |
      params.missing = 'x'                                        |
      params.missing != 'x'                                       |
      metrics.loss > 0                                            | lr-0.01 lr-0.1
      metrics.loss != 0                                           | lr-0.01 lr-0.1 lr-0.5
      tags.stage = 'test'                                         | lr-0.01 lr-0.1 lr-0.5
      tags.mlflow.runName = 'lr-0.5'                              | lr-0.5
      attributes.status = 'FINISHED'                              | lr-0.01 lr-0.1
      attributes.status = 'failed'                                | lr-0.5
      attributes.status != 'FINISHED'                             | lr-0.5
      attributes.name = 'lr-0.01'                                 | lr-0.01
      attributes.run_name = 'lr-0.01'                             | lr-0.01
      attributes.id = 'b2c3d4e5f60718293a4b5c6d7e8f90a1'          | lr-0.1
      attributes.run_id >= 'b'                                    | lr-0.1 lr-0.5
      attributes.experiment = 'iris'                              | lr-0.01 lr-0.1 lr-0.5
      attributes.duration < 2000                                  | lr-0.5
      attributes.start_time > 1714564800000                       | lr-0.1 lr-0.5
      attributes.end_time <= 1714564803000                        | lr-0.01
      METRICS.accuracy > 0.9 AND PARAMS.lr = 0.1                  | lr-0.1
      metric.accuracy>0.9                                         | lr-0.1
      param.lr=0.5                                                | lr-0.5
      run.status = 'FAILED'                                       | lr-0.5
      metrics.`accuracy` > 0.9                                    | lr-0.1
      metrics."accuracy" > 0.9                                    | lr-0.1
      ((metrics.accuracy > 0.9))                                  | lr-0.1
      metrics.accuracy > -1                                       | lr-0.01 lr-0.1 lr-0.5
      metrics.accuracy > .95                                      | lr-0.1
      """)
  void selectsTheRunsThatMatch(String filter, String expected) {
    assertThat(matching(filter)).isEqualTo(expected == null ? "" : expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      accuracy > 0.9             | bad --filter at position 1: expected metrics.KEY, params.KEY, tags.KEY, attributes.NAME or '(' but found 'accuracy'
      metrics.accuracy           | bad --filter at position 17: expected one of = != < <= > >= after metrics.accuracy but found the end
      metrics.accuracy 0.9       | bad --filter at position 18: expected one of = != < <= > >= after metrics.accuracy but found '0.9'
      metrics.accuracy >         | bad --filter at position 19: expected a number or a quoted string after metrics.accuracy > but found the end
      metrics.accuracy > high    | bad --filter at position 20: expected a number or a quoted string after metrics.accuracy > but found 'high'
      metrics.accuracy > 'high'  | bad --filter at position 20: metrics.accuracy is a number and cannot be compared with the text 'high'
      metrics.accuracy > 0.9 and | bad --filter at position 27: expected metrics.KEY, params.KEY, tags.KEY, attributes.NAME or '(' but found the end
      metrics.accuracy > 0.9 x   | bad --filter at position 24: expected 'and', 'or' or the end but found 'x'
      metrics.a > 1 and and      | bad --filter at position 19: expected metrics.KEY, params.KEY, tags.KEY, attributes.NAME or '(' but found 'and'
      (metrics.a > 1             | bad --filter at position 15: expected ')' to close the '(' at position 1 but found the end
      metrics.a > 1)             | bad --filter at position 14: ')' without a matching '('
      metrics.a ! 1              | bad --filter at position 11: unexpected character '!' (did you mean '!='?)
      metrics.a > 1 & params.b=1 | bad --filter at position 15: unexpected character '&'
      params.lr = 'x             | bad --filter at position 13: the quote ' is never closed
      params.lr = 0.1x           | bad --filter at position 13: '0.1x' is not a number; quote text: '0.1x'
      metrics. > 1               | bad --filter at position 9: expected a key after 'metrics.'
      colour.red = 1             | bad --filter at position 1: unknown field kind 'colour'; expected metrics., params., tags. or attributes.
      attributes.colour = 'red'  | bad --filter at position 12: unknown attribute 'colour'; attributes are id, name, status, experiment, start_time, end_time, duration
      attributes.status = 'DONE' | bad --filter at position 21: attributes.status is one of RUNNING, FINISHED, FAILED, KILLED but was 'DONE'
      attributes.status = 1      | bad --filter at position 21: attributes.status is one of RUNNING, FINISHED, FAILED, KILLED but was '1'
      attributes.duration > 'x'  | bad --filter at position 23: attributes.duration is a number and cannot be compared with the text 'x'
      """)
  void rejectsABadFilterNamingThePosition(String filter, String message) {
    assertThatThrownBy(() -> Filter.parse(filter, "--filter"))
        .isExactlyInstanceOf(UserException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      -metrics.accuracy          | lr-0.1 lr-0.01 lr-0.5
      metrics.accuracy           | lr-0.5 lr-0.01 lr-0.1
      +metrics.accuracy          | lr-0.5 lr-0.01 lr-0.1
      -metrics.loss              | lr-0.01 lr-0.1 lr-0.5
      params.model,-params.lr    | lr-0.5 lr-0.1 lr-0.01
      attributes.name            | lr-0.01 lr-0.1 lr-0.5
      -attributes.duration       | lr-0.01 lr-0.1 lr-0.5
      tags.missing,params.lr     | lr-0.01 lr-0.1 lr-0.5
      """)
  void sortOrdersByEachFieldInTurn(String sort, String expected) {
    List<String> names = SortOrder.parse(sort, "--sort").sort(runs).stream()
        .map(r -> r.info().name()).toList();
    assertThat(String.join(" ", names)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      metrics.a,accuracy       | bad --sort at position 11: expected [-]metrics.KEY, [-]params.KEY, [-]tags.KEY or [-]attributes.NAME but found 'accuracy'
      -metrics.a desc          | bad --sort at position 12: expected ',' or the end but found 'desc'
      metrics.a,               | bad --sort at position 11: expected [-]metrics.KEY, [-]params.KEY, [-]tags.KEY or [-]attributes.NAME but found the end
      attributes.size          | bad --sort at position 12: unknown attribute 'size'; attributes are id, name, status, experiment, start_time, end_time, duration
      """)
  void rejectsABadSortNamingThePosition(String sort, String message) {
    assertThatThrownBy(() -> SortOrder.parse(sort, "--sort"))
        .isExactlyInstanceOf(UserException.class)
        .hasMessage(message);
  }
}
