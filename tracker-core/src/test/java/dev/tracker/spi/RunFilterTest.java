package dev.tracker.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Metric;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.RunSummary;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RunFilterTest {
  private static final long T0 = 1_714_564_800_000L;
  private static final String A = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
  private static final String B = "b2c3d4e5f60718293a4b5c6d7e8f90a1";
  private static final String C = "c3d4e5f60718293a4b5c6d7e8f90a1b2";
  private static final String D = "d4e5f60718293a4b5c6d7e8f90a1b2c3";

  /** lr-0.01, lr-0.1 (best), lr-0.5 (failed, NaN loss, no stage), Running (nothing logged). */
  private static final List<RunSummary> RUNS = List.of(
      run(A, "lr-0.01", RunStatus.FINISHED, T0, T0 + 3_000, Map.of("lr", "0.01", "model",
          "softmax"), Map.of("stage", "test", "data set", "iris-v1"),
          metric("accuracy", 0.9), metric("loss", 0.7)),
      run(B, "lr-0.1", RunStatus.FINISHED, T0 + 60_000, T0 + 62_500, Map.of("lr", "0.1",
          "model", "softmax"), Map.of("stage", "dev", "data set", "Iris-v2"),
          metric("accuracy", 0.9666), metric("loss", 0.3), metric("val loss", 0.2)),
      run(C, "lr-0.5", RunStatus.FAILED, T0 + 120_000, T0 + 121_000, Map.of("lr", "0.5",
          "model", "softmax"), Map.of(), metric("accuracy", 0.7), metric("loss", Double.NaN)),
      run(D, "Running", RunStatus.RUNNING, T0 + 180_000, 0, Map.of(), Map.of()));

  private static Metric metric(String key, double value) {
    return new Metric(key, value, T0, 1);
  }

  private static RunSummary run(String id, String name, RunStatus status, long start, long end,
      Map<String, String> params, Map<String, String> tags, Metric... metrics) {
    Map<String, Metric> latest = new LinkedHashMap<>();
    Arrays.stream(metrics).forEach(m -> latest.put(m.key(), m));
    return new RunSummary(new RunInfo(id, name, "1", "iris", status, start, end, null), params,
        tags, latest);
  }

  private static String names(List<RunSummary> runs) {
    return String.join(" ", runs.stream().map(r -> r.info().name()).toList());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      ''                                                 | Running lr-0.5 lr-0.1 lr-0.01
      metrics.accuracy > 0.9                             | lr-0.1
      metrics.accuracy >= 0.9                            | lr-0.1 lr-0.01
      metrics.accuracy < 0.9                             | lr-0.5
      metrics.accuracy <= 0.7                            | lr-0.5
      metrics.accuracy = 0.9                             | lr-0.01
      metrics.accuracy != 0.9                            | lr-0.5 lr-0.1
      metrics.loss > 0                                   | lr-0.1 lr-0.01
      metrics.loss != 0                                  | lr-0.1 lr-0.01
      metrics.loss <= 1e300                              | lr-0.1 lr-0.01
      metrics.`val loss` < 0.5                           | lr-0.1
      metrics."val loss" < 0.5                           | lr-0.1
      metrics.accuracy > 0.5 and params.lr = '0.1'       | lr-0.1
      params.lr = '0.1'                                  | lr-0.1
      params.lr = "0.1"                                  | lr-0.1
      params.lr = '0.10'                                 |
      params.lr != '0.1'                                 | lr-0.5 lr-0.01
      params.lr LIKE '0.%'                               | lr-0.5 lr-0.1 lr-0.01
      params.lr LIKE '0._'                               | lr-0.5 lr-0.1
      params.missing = 'x'                               |
      params.missing != 'x'                              |
      tags.stage != 'dev'                                | lr-0.01
      tags.`data set` LIKE 'iris%'                       | lr-0.01
      tags.`data set` ILIKE 'iris%'                      | lr-0.1 lr-0.01
      tags.`data set` like 'Iris%'                       | lr-0.1
      attributes.status = 'FINISHED'                     | lr-0.1 lr-0.01
      attributes.status != 'FINISHED'                    | Running lr-0.5
      attributes.status = 'SCHEDULED'                    |
      attributes.status != 'SCHEDULED'                   | Running lr-0.5 lr-0.1 lr-0.01
      attributes.run_name = 'lr-0.01'                    | lr-0.01
      attributes.run_name LIKE 'lr-%'                    | lr-0.5 lr-0.1 lr-0.01
      attributes.run_name ILIKE 'RUN%'                   | Running
      attributes.run_id = 'b2c3d4e5f60718293a4b5c6d7e8f90a1' | lr-0.1
      attributes.run_id IN ('a1b2c3d4e5f60718293a4b5c6d7e8f90', 'c3d4e5f60718293a4b5c6d7e8f90a1b2') | lr-0.5 lr-0.01
      attributes.run_id NOT IN ('a1b2c3d4e5f60718293a4b5c6d7e8f90') | Running lr-0.5 lr-0.1
      attributes.start_time > 1714564800000              | Running lr-0.5 lr-0.1
      attributes.created > 1714564800000                 | Running lr-0.5 lr-0.1
      attributes.end_time <= 1714564803000               | lr-0.01
      attributes.end_time > 0                            | lr-0.5 lr-0.1 lr-0.01
      METRICS.accuracy > 0.9 AND PARAMS.lr = '0.1'       | lr-0.1
      metric.accuracy>0.9                                | lr-0.1
      param.lr='0.5'                                     | lr-0.5
      run.status = 'FAILED'                              | lr-0.5
      metrics.accuracy > -1                              | lr-0.5 lr-0.1 lr-0.01
      metrics.accuracy > .95                             | lr-0.1
      """)
  void selectsTheRunsMlflowSelects(String filter, String expected) {
    assertThat(names(RunFilter.parse(filter, List.of()).select(RUNS)))
        .isEqualTo(expected == null ? "" : expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      accuracy > 0.9             | bad filter at position 1: expected metrics.KEY, params.KEY, tags.KEY or attributes.NAME but found 'accuracy'
      metrics.accuracy           | bad filter at position 17: expected a comparator after metrics.accuracy but found the end
      metrics.accuracy 0.9       | bad filter at position 18: expected a comparator after metrics.accuracy but found '0.9'
      metrics.accuracy >         | bad filter at position 19: expected a number after metrics.accuracy > but found the end
      metrics.accuracy > 'high'  | bad filter at position 20: expected a number after metrics.accuracy > but found ''high''
      metrics.accuracy LIKE '1%' | bad filter at position 18: invalid comparator 'LIKE' for metrics.accuracy: not one of '=', '!=', '<', '<=', '>', '>='
      params.lr > '0.05'         | bad filter at position 11: invalid comparator '>' for params.lr: not one of '=', '!=', 'LIKE', 'ILIKE'
      params.lr = 0.1            | bad filter at position 13: expected a quoted string after params.lr = but found '0.1'
      tags.a IN ('x')            | bad filter at position 8: 'IN' compares attributes.run_id only, not tags.a
      attributes.run_id IN 'x'   | bad filter at position 22: expected '(' but found ''x''
      attributes.run_id IN ('x' 'y') | bad filter at position 27: expected ',' or ')' but found ''y''
      metrics.a > 1 or metrics.b > 1 | bad filter at position 15: 'or' is not supported; comparisons join with 'and' only
      metrics.accuracy > 0.9 and | bad filter at position 27: expected metrics.KEY, params.KEY, tags.KEY or attributes.NAME but found the end
      metrics.accuracy > 0.9 x   | bad filter at position 24: expected 'and' or the end but found 'x'
      (metrics.a > 1)            | bad filter at position 1: expected metrics.KEY, params.KEY, tags.KEY or attributes.NAME but found '('
      metrics.a ! 1              | bad filter at position 11: unexpected character '!' (did you mean '!='?)
      metrics.a > 1 & params.b='1' | bad filter at position 15: unexpected character '&'
      params.lr = 'x             | bad filter at position 13: the quote ' is never closed
      metrics. > 1               | bad filter at position 9: expected a key after 'metrics.'
      metrics.train/loss > 1     | bad filter at position 9: the key 'train/loss' holds '/', which MLflow reads as an operator; write it in backquotes: metrics.`train/loss`
      tags.a:b = 'x'             | bad filter at position 6: the key 'a:b' holds ':', which MLflow reads as an operator; write it in backquotes: tags.`a:b`
      colour.red = 1             | bad filter at position 1: unknown identifier type 'colour'; expected metrics., params., tags. or attributes.
      attributes.colour = 'red'  | bad filter at position 12: unknown attribute 'colour'; attributes are run_id, run_name, status, start_time, end_time
      attributes.status = 'DONE' | bad filter at position 21: attributes.status is one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED but was ''DONE''
      """)
  void aSyntaxErrorNamesTheTokenAndItsPosition(String filter, String message) {
    assertThatThrownBy(() -> RunFilter.parse(filter, List.of()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      metrics.accuracy DESC                | lr-0.1 lr-0.01 lr-0.5 Running
      metrics.accuracy                     | lr-0.5 lr-0.01 lr-0.1 Running
      metrics.accuracy ASC                 | lr-0.5 lr-0.01 lr-0.1 Running
      metrics.loss ASC                     | lr-0.1 lr-0.01 lr-0.5 Running
      metrics.loss DESC                    | lr-0.01 lr-0.1 lr-0.5 Running
      params.lr DESC                       | lr-0.5 lr-0.1 lr-0.01 Running
      tags.stage                           | lr-0.1 lr-0.01 Running lr-0.5
      tags.stage DESC                      | lr-0.01 lr-0.1 Running lr-0.5
      attributes.run_name                  | Running lr-0.01 lr-0.1 lr-0.5
      attributes.start_time                | lr-0.01 lr-0.1 lr-0.5 Running
      attributes.end_time DESC             | lr-0.5 lr-0.1 lr-0.01 Running
      metrics.`val loss` desc              | lr-0.1 Running lr-0.5 lr-0.01
      """)
  void ordersNanAfterNumbersAndMissingLastInBothDirections(String clause, String expected) {
    assertThat(names(RunFilter.parse("", List.of(clause)).select(RUNS))).isEqualTo(expected);
  }

  /**
   * MLflow's grammar keeps a quoted text as written (sqlparse's literal, outer quotes stripped):
   * a backslash or a doubled quote is part of the value, and a single quote is written in double
   * quotes.
   */
  @Test
  void aQuotedValueIsKeptAsWrittenWithoutEscapesAsMlflowReadsIt() {
    List<RunSummary> runs = List.of(
        run(A, "quote", RunStatus.FINISHED, T0, 0, Map.of("owner", "O'Brien"), Map.of()),
        run(B, "escaped", RunStatus.FINISHED, T0, 0, Map.of("owner", "O\\'Brien"), Map.of()),
        run(C, "doubled", RunStatus.FINISHED, T0, 0, Map.of("owner", "a''b"), Map.of()),
        run(D, "windows", RunStatus.FINISHED, T0, 0, Map.of("path", "C:\\data\\"),
            Map.of("a`b", "x")));
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("params.owner = \"O'Brien\"", "quote");
    expected.put("params.owner = 'O\\'Brien'", "escaped");
    expected.put("params.owner = 'a''b'", "doubled");
    expected.put("params.owner = \"a''b\"", "doubled");
    expected.put("params.path = 'C:\\data\\'", "windows");
    expected.put("tags.`a``b` = 'x'", "");
    expected.put("params.path = \"C:\\data\\\"", "windows");
    expected.forEach((filter, names) -> assertThat(names(RunFilter.parse(filter, List.of())
        .select(runs))).as(filter).isEqualTo(names));
    // "\'" does not end the text, which runs on to the next quote, as on the server
    assertThatThrownBy(() -> RunFilter.parse("params.path = 'C:\\data\\' and tags.a = 'x'",
        List.of())).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad filter at position 41: the quote ' is never closed");
  }

  @Test
  void paramsOrderAsStrings() {
    List<RunSummary> runs = List.of(
        run(A, "a", RunStatus.FINISHED, T0, 0, Map.of("lr", "0.1"), Map.of()),
        run(B, "b", RunStatus.FINISHED, T0, 0, Map.of("lr", "0.01"), Map.of()),
        run(C, "c", RunStatus.FINISHED, T0, 0, Map.of("lr", "10"), Map.of()),
        run(D, "d", RunStatus.FINISHED, T0, 0, Map.of("lr", "9"), Map.of()));
    assertThat(names(RunFilter.parse("", List.of("params.lr")).select(runs)))
        .isEqualTo("b a c d");
  }

  @Test
  void tiesGoNewestFirstThenByRunId() {
    List<RunSummary> runs = List.of(
        run(B, "b", RunStatus.FINISHED, T0, 0, Map.of("x", "1"), Map.of()),
        run(A, "a", RunStatus.FINISHED, T0, 0, Map.of("x", "1"), Map.of()),
        run(C, "c", RunStatus.FINISHED, T0 + 1, 0, Map.of("x", "1"), Map.of()));
    assertThat(names(RunFilter.parse("", List.of("params.x")).select(runs))).isEqualTo("c a b");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      accuracy DESC          | bad order_by 'accuracy DESC' at position 1: expected metrics.KEY, params.KEY, tags.KEY or attributes.NAME but found 'accuracy'
      metrics.a DOWN         | bad order_by 'metrics.a DOWN' at position 11: expected ASC, DESC or the end but found 'DOWN'
      metrics.a DESC, x      | bad order_by 'metrics.a DESC, x' at position 15: expected ASC, DESC or the end but found ','
      attributes.size        | bad order_by 'attributes.size' at position 12: unknown attribute 'size'; attributes are run_id, run_name, status, start_time, end_time
      """)
  void aBadOrderClauseNamesTheTokenAndItsPosition(String clause, String message) {
    assertThatThrownBy(() -> RunFilter.parse("", List.of(clause)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void keepsTheTextsAsGivenForAServerAndTheCanonicalOrderKeys() {
    RunFilter f = RunFilter.parse("  metrics.`val loss` < 1 ", List.of("metric.`val loss` DESC",
        "attributes.created"));
    assertThat(f.filter()).isEqualTo("metrics.`val loss` < 1");
    assertThat(f.orderBy()).containsExactly("metric.`val loss` DESC", "attributes.created");
    assertThat(f.orderKeys()).containsExactly("metrics.val loss", "attributes.start_time");
  }
}
