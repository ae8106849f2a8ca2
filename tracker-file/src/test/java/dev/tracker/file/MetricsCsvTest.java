package dev.tracker.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Metric;
import dev.tracker.file.MetricsCsv.Problem;
import dev.tracker.file.MetricsCsv.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCsvTest {
  @TempDir Path dir;

  /** A channel that keeps what is written and counts the write calls. */
  static final class RecordingChannel implements WritableByteChannel {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int writes;
    boolean open = true;

    @Override
    public int write(ByteBuffer src) {
      writes++;
      int n = src.remaining();
      byte[] b = new byte[n];
      src.get(b);
      bytes.write(b, 0, n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }

    String text() {
      return bytes.toString(UTF_8);
    }
  }

  private Path file(String content) throws IOException {
    return Files.writeString(dir.resolve("metrics.csv"), content, UTF_8);
  }

  // ------------------------------------------------------------------------------ writing

  @Test
  void rowsAreWrittenWithQuotedNamesBareNumbersAndNewlines() throws IOException {
    RecordingChannel channel = new RecordingChannel();
    new MetricsCsvWriter(channel).append(List.of(
        new Metric("loss", 0.6931471805599453, 1_700_000_000_000L, 0),
        new Metric("val/acc", Double.NaN, 1_700_000_000_012L, 1),
        new Metric("grad norm", Double.POSITIVE_INFINITY, 0, -1),
        new Metric("ünï: x", Double.NEGATIVE_INFINITY, 5, Long.MAX_VALUE),
        new Metric("m", -0.0, 1, Long.MIN_VALUE),
        new Metric("m", 1e-7, 2, 2),
        new Metric("m", 12345678.0, 3, 3),
        new Metric("m", 42.0, 4, 4)));
    assertThat(channel.text()).isEqualTo(""
        + "\"loss\",0.6931471805599453,1700000000000,0\n"
        + "\"val/acc\",NaN,1700000000012,1\n"
        + "\"grad norm\",Infinity,0,-1\n"
        + "\"ünï: x\",-Infinity,5,9223372036854775807\n"
        + "\"m\",-0.0,1,-9223372036854775808\n"
        + "\"m\",1.0E-7,2,2\n"
        + "\"m\",1.2345678E7,3,3\n"
        + "\"m\",42.0,4,4\n");
  }

  @Test
  void aBatchIsWrittenWithOneWriteCall() throws IOException {
    RecordingChannel channel = new RecordingChannel();
    MetricsCsvWriter writer = new MetricsCsvWriter(channel);
    List<Metric> batch = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      batch.add(new Metric("loss/with a fairly long name " + (i % 7), i / 3.0,
          1_700_000_000_000L + i, i));
    }
    writer.append(batch);
    assertThat(channel.writes).isEqualTo(1);
    writer.append(batch.subList(0, 10));
    assertThat(channel.writes).isEqualTo(2);
    assertThat(channel.text().split("\n", -1)).hasSize(5011);
  }

  /** A channel whose disk holds {@code room} more bytes; writes past it fail as a full disk does. */
  private static final class FullDisk implements WritableByteChannel {
    final RecordingChannel disk = new RecordingChannel();
    long room;

    FullDisk(long room) {
      this.room = room;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      if (src.remaining() <= room) {
        room -= src.remaining();
        return disk.write(src);
      }
      if (room == 0) {
        throw new IOException("No space left on device");
      }
      int limit = src.limit();
      src.limit(src.position() + (int) room); // what fits is written, as write(2) does
      int n = disk.write(src);
      src.limit(limit);
      room = 0;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  @Test
  void rowsAFailedWriteLeftAreWrittenFirstByTheNextSoNoneIsLostOrCut() throws IOException {
    FullDisk disk = new FullDisk(10); // 10 bytes fit, then the disk is full
    MetricsCsvWriter writer = new MetricsCsvWriter(disk);
    assertThatThrownBy(() -> writer.append(List.of(new Metric("loss", 0.5, 1, 1),
        new Metric("loss", 0.75, 1, 1))))
        .isInstanceOf(IOException.class).hasMessage("No space left on device");
    assertThat(writer.pendingRows()).isEqualTo(2);
    assertThat(disk.disk.text()).isEqualTo("\"loss\",0.5");
    assertThatThrownBy(() -> writer.append(List.of(new Metric("loss", 0.25, 2, 2))))
        .isInstanceOf(IOException.class).hasMessage("No space left on device");
    assertThat(writer.pendingRows()).isEqualTo(3);
    assertThatThrownBy(writer::writePending)
        .isInstanceOf(IOException.class).hasMessage("No space left on device");

    disk.room = Long.MAX_VALUE; // space freed
    writer.writePending();
    assertThat(writer.pendingRows()).isZero();
    writer.append(List.of(new Metric("loss", 0.125, 3, 3)));
    assertThat(disk.disk.text()).isEqualTo("\"loss\",0.5,1,1\n\"loss\",0.75,1,1\n"
        + "\"loss\",0.25,2,2\n\"loss\",0.125,3,3\n");
    assertThat(disk.disk.writes).isEqualTo(3); // the 10 bytes, the rest, the last row
  }

  @Test
  void aBatchIsDroppedWithAClearMessageOnlyWhenTheKeptRowsAreAtTheirLimit() throws IOException {
    FullDisk disk = new FullDisk(0);
    MetricsCsvWriter writer = new MetricsCsvWriter(disk, 40);
    List<Metric> two = List.of(new Metric("loss", 0.5, 1, 1), new Metric("loss", 0.25, 2, 2));
    assertThatThrownBy(() -> writer.append(two)).hasMessage("No space left on device");
    assertThat(writer.pendingRows()).isEqualTo(2); // 30 bytes kept: under the limit
    assertThatThrownBy(() -> writer.append(two)).hasMessage("No space left on device");
    assertThat(writer.pendingRows()).isEqualTo(4); // 60 bytes: at the limit now
    assertThatThrownBy(() -> writer.append(List.of(new Metric("loss", 0.125, 3, 3))))
        .isInstanceOf(IOException.class)
        .hasMessage("No space left on device; 1 new rows were dropped because 4 rows that could"
            + " not be written yet are kept already (the most this writer keeps)");
    assertThat(writer.pendingRows()).isEqualTo(4);

    disk.room = Long.MAX_VALUE;
    writer.append(List.of(new Metric("loss", 0.0625, 4, 4)));
    assertThat(disk.disk.text()).isEqualTo("\"loss\",0.5,1,1\n\"loss\",0.25,2,2\n"
        + "\"loss\",0.5,1,1\n\"loss\",0.25,2,2\n\"loss\",0.0625,4,4\n");
  }

  @Test
  void namesAreQuotedWithInnerQuotesDoubled() {
    assertThat(new String(MetricsCsvWriter.quote("a,b"), UTF_8)).isEqualTo("\"a,b\"");
    assertThat(new String(MetricsCsvWriter.quote("say \"hi\""), UTF_8)).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(new String(MetricsCsvWriter.quote("ünï"), UTF_8)).isEqualTo("\"ünï\"");
    assertThatThrownBy(() -> MetricsCsvWriter.quote("a\nb"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metric name must not contain a line break but was 'a\\u000ab'");
  }

  @Test
  void valuesAreWrittenExactlyAsDoubleToStringWritesThem() {
    SplittableRandom random = new SplittableRandom(7);
    List<Double> values = new ArrayList<>(List.of(0.0, -0.0, 1.0, -1.0, 9_999_999.0, 1e7, -1e7,
        0.001, 0.0001, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, Math.PI,
        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 4.35, 2e-3, 1e23));
    for (int i = 0; i < 20_000; i++) {
      values.add(Double.longBitsToDouble(random.nextLong()));
      values.add((double) random.nextInt(-20_000_000, 20_000_000));
      values.add(random.nextDouble() * Math.pow(10, random.nextInt(-4, 8)));
      values.add((double) (float) (random.nextDouble() * 1000)); // a float32 loss, widened
      values.add(random.nextInt(1, 1_000_000) / 1000.0);
    }
    for (int exponent = -11; exponent < 24; exponent++) { // next to powers of two, gaps differ
      double x = Math.scalb(1.0, exponent);
      for (int i = 0; i < 50; i++) {
        values.add(x);
        values.add(-x);
        x = Math.nextDown(x);
      }
      x = Math.scalb(1.0, exponent);
      for (int i = 0; i < 50; i++) {
        values.add(x);
        x = Math.nextUp(x);
      }
    }
    byte[] buf = new byte[32];
    for (double v : values) {
      int n = MetricsCsvWriter.putDouble(buf, 0, v);
      String written = new String(buf, 0, n, UTF_8);
      assertThat(written).as("value bits %x", Double.doubleToRawLongBits(v))
          .isEqualTo(Double.toString(v));
      assertThat(Double.doubleToLongBits(Double.parseDouble(written)))
          .isEqualTo(Double.doubleToLongBits(v)); // one NaN: payloads are not kept
    }
  }

  @Test
  void longsAreWrittenAsLongToStringWritesThem() {
    byte[] buf = new byte[32];
    for (long v : new long[] {0, 1, -1, 9, 10, 99, 100, 1_700_000_000_000L, Long.MAX_VALUE,
        Long.MIN_VALUE, Long.MIN_VALUE + 1, -1_000_000_000_000_000_000L}) {
      int n = MetricsCsvWriter.putLong(buf, 0, v);
      assertThat(new String(buf, 0, n, UTF_8)).isEqualTo(Long.toString(v));
    }
  }

  // ------------------------------------------------------------------------------ reading

  @Test
  void readsWhatTheWriterWrote() throws IOException {
    List<Metric> metrics = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100_000; i++) {
      metrics.add(new Metric("k" + (i % 13), Double.longBitsToDouble(random.nextLong()),
          random.nextLong() >>> 1, random.nextLong())); // timestamps are never negative
    }
    RecordingChannel channel = new RecordingChannel();
    new MetricsCsvWriter(channel).append(metrics);
    Path file = file(MetricsCsv.HEADER + "\n" + channel.text());

    Result result = MetricsCsv.read(file);
    assertThat(result.problems()).isEmpty();
    assertThat(result.tornLastLine()).isFalse();
    assertThat(result.metrics()).isEqualTo(metrics);
    assertThat(MetricsCsv.read(file, "k5").metrics())
        .isEqualTo(metrics.stream().filter(m -> m.key().equals("k5")).toList());
  }

  @Test
  void aTornLastLineIsSkippedSilently() throws IOException {
    Path file = file("Name,Value,Timestamp,Step\n"
        + "\"loss\",0.5,1000,0\n"
        + "\"loss\",0.25,1001,1\n"
        + "\"loss\",0.12");
    Result result = MetricsCsv.read(file);
    assertThat(result.metrics()).containsExactly(new Metric("loss", 0.5, 1000, 0),
        new Metric("loss", 0.25, 1001, 1));
    assertThat(result.problems()).isEmpty();
    assertThat(result.tornLastLine()).isTrue();
  }

  @Test
  void aLastLineWithoutNewlineIsSkippedEvenWhenItLooksComplete() throws IOException {
    // "…,12" may be the start of step 123: only a line end proves that a row is whole
    Path file = file("Name,Value,Timestamp,Step\n\"loss\",0.5,1000,0\n\"loss\",0.25,1001,12");
    Result result = MetricsCsv.read(file);
    assertThat(result.metrics()).containsExactly(new Metric("loss", 0.5, 1000, 0));
    assertThat(result.tornLastLine()).isTrue();
  }

  @Test
  void aLineEndedWithTheCutMarkIsReportedAndTheMarkAloneIsSkipped() throws IOException {
    Path file = file("Name,Value,Timestamp,Step\n"
        + "\"loss\",0.5,1000,0\n"
        + "\"loss\",0.25,1001,1#cut\n"
        + "#cut\n"
        + "\"loss\",0.125,1002,2\n");
    Result result = MetricsCsv.read(file);
    assertThat(result.metrics()).extracting(Metric::step).containsExactly(0L, 2L);
    assertThat(result.problems()).containsExactly(new Problem(3, "a row cut short by a write"
        + " that did not finish (a killed process or a full disk) in '\"loss\",0.25,1001,1#cut'"));
  }

  @Test
  void corruptLinesInTheMiddleAreReportedWithTheirLineNumberAndTheRestIsRead()
      throws IOException {
    Path file = file("Name,Value,Timestamp,Step\n"
        + "\"loss\",0.5,1000,0\n"
        + "\"loss\",0.2\"loss\",0.25,1001,1\n"
        + "\"loss\",abc,1002,2\n"
        + "\"loss\",0.125,1003,3\n"
        + "\"loss\",1,2\n"
        + "\"loss\",1,x,3\n"
        + "\"loss\",1,1,99999999999999999999\n"
        + "\"lo$$\",1,1,1\n"
        + "\"unclosed,1,1,1\n"
        + "\"loss\",0.0625,1004,4\n");
    Result result = MetricsCsv.read(file);
    assertThat(result.metrics()).extracting(Metric::step).containsExactly(0L, 3L, 4L);
    assertThat(result.tornLastLine()).isFalse();
    assertThat(result.problems()).containsExactly(
        new Problem(3, "expected 4 fields (Name,Value,Timestamp,Step) but found 5 in"
            + " '\"loss\",0.2\"loss\",0.25,1001,1'"),
        new Problem(4, "Value must be a number, NaN, Infinity or -Infinity but was 'abc' in"
            + " '\"loss\",abc,1002,2'"),
        new Problem(6, "expected 4 fields (Name,Value,Timestamp,Step) but found 3 in"
            + " '\"loss\",1,2'"),
        new Problem(7, "Timestamp must be an integer but was 'x' in '\"loss\",1,x,3'"),
        new Problem(8, "Step must be an integer but was '99999999999999999999' in"
            + " '\"loss\",1,1,99999999999999999999'"),
        new Problem(9, "metric key must match [\\w./ :-]{1,250} but was 'lo$$' in"
            + " '\"lo$$\",1,1,1'"),
        new Problem(10, "the quoted Name is not closed in '\"unclosed,1,1,1'"));
  }

  @Test
  void aCorruptLineIsLoggedAtWarnWithFileAndLineNumber() throws IOException {
    Path file = file("Name,Value,Timestamp,Step\n\"loss\",0.5,1000,0\n###\n\"loss\",1,1,1\n");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, UTF_8));
    try {
      MetricsCsv.read(file);
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(UTF_8)).contains("WARN", file + ": line 3 is not a metric row"
        + " and was skipped: expected 4 fields (Name,Value,Timestamp,Step) but found 1 in '###'");
  }

  @Test
  void textAfterAQuotedNameIsReported() throws IOException {
    Path file = file("Name,Value,Timestamp,Step\n\"loss\"x,1,1,1\n");
    assertThat(MetricsCsv.read(file).problems()).containsExactly(
        new Problem(2, "expected ',' after the quoted Name in '\"loss\"x,1,1,1'"));
  }

  @Test
  void aDoubledQuoteInsideANameIsUnescaped() throws IOException {
    Path file = file("Name,Value,Timestamp,Step\n\"say \"\"hi\"\"\",1,1,1\n");
    // the key rule rejects a quote: the message shows the unescaped name
    assertThat(MetricsCsv.read(file).problems()).containsExactly(new Problem(2,
        "metric key must match [\\w./ :-]{1,250} but was 'say \"hi\"' in"
            + " '\"say \"\"hi\"\"\",1,1,1'"));
  }

  @Test
  void pythonSpellingsCrlfUnquotedNamesAndBlankLinesAreAccepted() throws IOException {
    Path file = file("Name,Value,Timestamp,Step\r\n"
        + "loss,nan,1,0\r\n"
        + "\r\n"
        + "loss,inf,2,1\r\n"
        + "loss,-inf,3,2\r\n"
        + "loss,-Infinity,4,3\r\n"
        + "loss,1e-3,5,4\r\n");
    Result result = MetricsCsv.read(file);
    assertThat(result.problems()).isEmpty();
    assertThat(result.metrics()).extracting(Metric::value).containsExactly(Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.001);
  }

  @Test
  void quotedNumbersAreReadAsPythonsCsvModuleReadsThem() throws IOException {
    // the DAGsHub logger's csv.writer(quoting=QUOTE_NONNUMERIC) quotes a value logged as a str;
    // QUOTE_ALL (pandas' to_csv, spreadsheets) quotes every field
    Path file = file("Name,Value,Timestamp,Step\n"
        + "\"acc\",\"0.93\",1700000000000,1\r\n"
        + "\"acc\",\"nan\",\"1700000000001\",\"2\"\r\n"
        + "\"acc\",\"\",1,3\r\n"
        + "\"acc\",\"0.5,1,4\r\n");
    Result result = MetricsCsv.read(file);
    assertThat(result.metrics()).containsExactly(new Metric("acc", 0.93, 1_700_000_000_000L, 1),
        new Metric("acc", Double.NaN, 1_700_000_000_001L, 2));
    assertThat(result.problems()).extracting(Problem::line).containsExactly(4L, 5L);
  }

  @Test
  void javaOnlyNumberSpellingsAreNotValues() throws IOException {
    Path file = file("Name,Value,Timestamp,Step\n\"a\",1f,1,1\n\"a\", 1,1,1\n\"a\",,1,1\n");
    assertThat(MetricsCsv.read(file).problems()).extracting(Problem::line)
        .containsExactly(2L, 3L, 4L);
  }

  @Test
  void aMissingHeaderIsReportedOnLineOne() throws IOException {
    Path file = file("name;value\n\"loss\",1,1,1\n");
    Result result = MetricsCsv.read(file);
    assertThat(result.problems()).containsExactly(new Problem(1,
        "expected the header 'Name,Value,Timestamp,Step' but was 'name;value'"));
    assertThat(result.metrics()).hasSize(1);
  }

  @Test
  void aByteOrderMarkBeforeTheHeaderIsIgnored() throws IOException {
    Path file = file("\uFEFFName,Value,Timestamp,Step\n\"loss\",1,1,1\n");
    assertThat(MetricsCsv.read(file).problems()).isEmpty();
  }

  @Test
  void aLineLongerThanTheReadBufferIsReportedAndTheNextRowsRead() throws IOException {
    Path file = file("Name,Value,Timestamp,Step\n\"loss\",1,1,1\n" + "x".repeat(300_000) + "\n"
        + "\"loss\",2,2,2\n");
    Result result = MetricsCsv.read(file);
    assertThat(result.metrics()).extracting(Metric::step).containsExactly(1L, 2L);
    assertThat(result.problems()).extracting(Problem::line).containsExactly(3L);
  }

  @Test
  void missingAndHeaderOnlyFilesReadAsEmpty() throws IOException {
    assertThat(MetricsCsv.read(dir.resolve("missing.csv")))
        .isEqualTo(new Result(List.of(), List.of(), false));
    assertThat(MetricsCsv.read(file(MetricsCsv.HEADER + "\n")))
        .isEqualTo(new Result(List.of(), List.of(), false));
  }
}
