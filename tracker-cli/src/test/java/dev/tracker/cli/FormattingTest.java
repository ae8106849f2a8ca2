package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormattingTest {
  @Test
  void numbersForPeopleHaveSixSignificantDigits() {
    assertThat(Values.number(0.9666666666666667)).isEqualTo("0.966667");
    assertThat(Values.number(0.1)).isEqualTo("0.1");
    assertThat(Values.number(50)).isEqualTo("50");
    assertThat(Values.number(-0.39999999999999997)).isEqualTo("-0.4");
    assertThat(Values.number(1234567.0)).isEqualTo("1234570");
    assertThat(Values.number(1e-7)).isEqualTo("1e-7");
    assertThat(Values.number(2.5e20)).isEqualTo("2.5e+20");
    assertThat(Values.number(0)).isEqualTo("0");
    assertThat(Values.number(Double.NaN)).isEqualTo("NaN");
    assertThat(Values.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    assertThat(Values.change(0.0666667)).isEqualTo("+0.0666667");
    assertThat(Values.change(-0.2)).isEqualTo("-0.2");
  }

  @Test
  void numbersForScriptsReadBackExactly() {
    assertThat(Values.exact(0.9666666666666667)).isEqualTo("0.9666666666666667");
    assertThat(Values.exact(50.0)).isEqualTo("50");
    assertThat(Values.exact(1e-7)).isEqualTo("1.0E-7");
    assertThat(Values.exact(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
    for (double d : new double[] {0.1, 1e300, -3.5e-12, 123456789.123}) {
      assertThat(Double.parseDouble(Values.exact(d))).isEqualTo(d);
    }
  }

  @Test
  void onlyPlainDecimalTextIsANumber() {
    assertThat(Arrays.stream(new String[] {"1", "-0.5", ".5", "1e-3", "+2", "NaN", "Infinity"})
        .allMatch(Values::isNumber)).isTrue();
    assertThat(Arrays.stream(new String[] {"", "abc", "0x10", "1d", "1f", "1,5", "1.2.3"})
        .noneMatch(Values::isNumber)).isTrue();
  }

  @Test
  void durationsAreShort() {
    assertThat(Values.duration(-1)).isEqualTo("-");
    assertThat(Values.duration(420)).isEqualTo("420ms");
    assertThat(Values.duration(1_000)).isEqualTo("1s");
    assertThat(Values.duration(2_500)).isEqualTo("2.5s");
    assertThat(Values.duration(12_000)).isEqualTo("12s");
    assertThat(Values.duration(185_000)).isEqualTo("3m05s");
    assertThat(Values.duration(7_380_000)).isEqualTo("2h03m");
    assertThat(Values.duration(273_600_000)).isEqualTo("3d04h");
  }

  @Test
  void jsonEscapesAndNestsAndWritesNonFiniteNumbersAsStrings() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text", "a \"quoted\"\\ line\nnext\u0001");
    m.put("n", 3L);
    m.put("x", 0.5);
    m.put("nan", Double.NaN);
    m.put("none", null);
    m.put("list", List.of(true, Map.of()));
    m.put("empty", List.of());
    m.put("lines", "a\u2028b\u2029c\u001b");

    assertThat(Json.write(m)).isEqualTo("""
        {
          "text": "a \\"quoted\\"\\\\ line\\nnext\\u0001",
          "n": 3,
          "x": 0.5,
          "nan": "NaN",
          "none": null,
          "list": [
            true,
            {}
          ],
          "empty": [],
          "lines": "a\\u2028b\\u2029c\\u001B"
        }
        """);
  }

  @Test
  void csvQuotesOnlyWhatNeedsIt() {
    String csv = new Csv().row(List.of("a", "b,c", "say \"hi\"", "two\nlines", " pad", ""))
        .row(Arrays.asList(null, "x")).toString();

    assertThat(csv).isEqualTo("a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\",\n,x\n");
  }

  @Test
  void csvCellsThatASpreadsheetWouldRunAsFormulasAreMadeText() {
    String csv = new Csv().row(List.of("=1+2", "@SUM(A1)", "+cmd", "-2+3", "\tx", "\r=y"))
        .row(List.of("-0.5", "+1", "-Infinity", "1e-5", "a=b", "-")).toString();

    assertThat(csv).isEqualTo("'=1+2,'@SUM(A1),'+cmd,'-2+3,'\tx,\"'\r=y\"\n"
        + "-0.5,+1,-Infinity,1e-5,a=b,'-\n");
  }

  @Test
  void tablesAlignNumbersRightAndTextLeft() {
    TextTable.Rendered r = new TextTable("…")
        .column("name", TextTable.KEEP, TextTable.Align.AUTO, List.of("a", "bbb"))
        .column("value", 1, TextTable.Align.AUTO, List.of("1.5", "-"))
        .column("note", 1, TextTable.Align.AUTO, List.of("", "x"))
        .render(80);

    assertThat(r.text()).isEqualTo("name  value  note\na       1.5\nbbb       -  x\n");
  }

  @Test
  void tablesDropLowPriorityColumnsRightmostFirstThenCutWideOnes() {
    TextTable t = new TextTable("~")
        .column("id", TextTable.KEEP, TextTable.Align.LEFT, List.of("1234567890"))
        .column("a", 5, TextTable.Align.LEFT, List.of("aaaa"))
        .column("b", 5, TextTable.Align.LEFT, List.of("bbbb"))
        .column("c", 9, TextTable.Align.LEFT, List.of("cccc"));

    assertThat(t.render(22).lines()).containsExactly("id          a     c", "1234567890  aaaa  cccc");
    assertThat(t.render(22).hidden()).containsExactly("b");
    assertThat(t.render(8).lines()).containsExactly("id", "1234567~");
    assertThat(t.render(8).notes()).containsExactly("3 columns not shown to fit 8 characters:"
        + " a, b, c (use --format csv or json for all)", "~ marks values cut to fit");
  }

  @Test
  void amongColumnsOfEqualPriorityTheWidestGoesFirst() {
    TextTable t = new TextTable("~")
        .column("id", TextTable.KEEP, TextTable.Align.LEFT, List.of("1"))
        .column("seed", 5, TextTable.Align.LEFT, List.of("1234567890123"))
        .column("lr", 5, TextTable.Align.LEFT, List.of("0.1"));

    assertThat(t.render(10).lines()).containsExactly("id  lr", "1   0.1");
  }

  @Test
  void terminalWidthComesFromColumnsThenTheDefault() {
    assertThat(Cli.terminalWidth(Map.of("COLUMNS", "80")::get, false)).isEqualTo(80);
    assertThat(Cli.terminalWidth(Map.of("COLUMNS", "wide")::get, false)).isEqualTo(120);
    assertThat(Cli.terminalWidth(Map.<String, String>of()::get, false)).isEqualTo(120);
  }

  @Test
  void theProgressBarShowsTheShareOfPointsSent() {
    var sink = new java.io.ByteArrayOutputStream();
    Progress.Bar quiet = new Progress.Bar(new java.io.PrintStream(sink),
        new java.io.PrintStream(sink), 100);
    quiet.begin(4, 200);
    quiet.run(2, "lr-0.1");
    quiet.advance(50);

    assertThat(quiet.text()).isEqualTo("[######..................]  25%  run 2/4  50/200 points"
        + "  lr-0.1");
  }
}
