package dev.tracker.file;

import dev.tracker.Metric;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code metrics.csv} file of a run folder: its format, and a reader that survives crashes.
 *
 * <pre>
 * Name,Value,Timestamp,Step
 * "loss",0.6931471805599453,1700000000000,0
 * "val/acc",NaN,1700000000012,0
 * </pre>
 *
 * <ul>
 *   <li>The first line is exactly {@value #HEADER}; every line ends with {@code \n}.
 *   <li>{@code Name}: the metric key in double quotes, a double quote inside it doubled (RFC 4180).
 *   <li>{@code Value}: Java's {@link Double#toString(double)}, which reads back as exactly the same
 *       double; {@code NaN}, {@code Infinity} and {@code -Infinity} for the special values (what
 *       Python's {@code float()} reads).
 *   <li>{@code Timestamp}: milliseconds since the epoch; {@code Step}: an integer.
 * </ul>
 *
 * <p>Python reads it with {@code csv.DictReader} and {@code float(row["Value"])}, pandas with
 * {@code pd.read_csv}. This is the layout the DAGsHub logger writes.
 *
 * <h2>Reading</h2>
 *
 * Only lines ended by {@code \n} are records. A last line without one is what a crash in the
 * middle of a write leaves behind: it is skipped silently ({@link Result#tornLastLine()} tells).
 * Opening a run for writing moves such a line into {@code metrics.csv.torn}. Files of earlier
 * versions may hold a line ending with {@value #CUT_MARK}: such a cut line that a writer ended; it is
 * reported as a {@link Problem}; the mark alone on a line (a writer ended a line that was whole
 * after all) is skipped silently. Any other line that is not a valid row is skipped, reported as a {@link Problem} with its line
 * number, and logged at WARN; the lines after it are read. Blank lines are skipped, {@code \r\n}
 * line ends, unquoted names and numbers in double quotes are accepted, and so are Python's
 * spellings {@code nan}, {@code inf} and {@code -inf}.
 */
public final class MetricsCsv {
  /** The first line of every {@code metrics.csv}. */
  public static final String HEADER = "Name,Value,Timestamp,Step";

  /**
   * What earlier versions appended to a line that a write left unfinished (the writing process
   * was killed) before new rows were appended after it. A row ends with a digit, so a marked line is never read as a row:
   * without the mark, {@code "loss",0.5,1700000000000,12} cut after {@code ,1} would read as a
   * valid row with step 1.
   */
  public static final String CUT_MARK = "#cut";

  private static final Logger log = LoggerFactory.getLogger(MetricsCsv.class);
  static final byte[] HEADER_BYTES = HEADER.getBytes(StandardCharsets.US_ASCII);
  static final int MAX_WARNINGS = 10;

  private MetricsCsv() {}

  /**
   * A line that could not be read as a metric row.
   *
   * @param line the 1-based line number in the file
   * @param message what is wrong with it
   */
  public record Problem(long line, String message) {
    /** Checks the message is present. */
    public Problem {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * What was read from a {@code metrics.csv}.
   *
   * @param metrics the rows read, in file order
   * @param problems the lines skipped because they are not valid rows, in file order
   * @param tornLastLine true when the file ends with an unterminated line (skipped)
   */
  public record Result(List<Metric> metrics, List<Problem> problems, boolean tornLastLine) {
    /** Copies the lists. */
    public Result {
      metrics = List.copyOf(metrics);
      problems = List.copyOf(problems);
    }
  }

  /**
   * Reads every row of a {@code metrics.csv}. A missing file reads as empty.
   *
   * @throws IOException when the file cannot be read
   */
  public static Result read(Path file) throws IOException {
    return read(file, null);
  }

  /**
   * Reads the rows of one metric key (all rows when {@code key} is null). Problems are reported
   * for every line, whatever its key.
   *
   * @throws IOException when the file cannot be read
   */
  public static Result read(Path file, String key) throws IOException {
    List<Metric> metrics = new ArrayList<>();
    MetricsCsvReader reader = new MetricsCsvReader(file, key, metrics);
    try (InputStream in = Files.newInputStream(file)) {
      reader.readAll(in);
    } catch (NoSuchFileException e) {
      return new Result(List.of(), List.of(), false);
    }
    if (reader.problems.size() > MAX_WARNINGS) {
      log.warn("{}: {} more lines are not metric rows and were skipped", file,
          reader.problems.size() - MAX_WARNINGS);
    }
    if (reader.torn) {
      log.debug("{}: skipped the unterminated last line (a write was cut short)", file);
    }
    return new Result(metrics, reader.problems, reader.torn);
  }


  static String printable(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        out.append("\\u").append(String.format("%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
