package dev.tracker.file;

import dev.tracker.Metric;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * A line ending with {@value #CUT_MARK} is such a cut line that a later writer ended: it is
 * reported as a {@link Problem}; the mark alone on a line (a writer ended a line that was whole
 * after all) is skipped silently. Any other line that is not a valid row is skipped, reported as a {@link Problem} with its line
 * number, and logged at WARN; the lines after it are read. Blank lines are skipped, {@code \r\n}
 * line ends and unquoted names are accepted, and so are Python's spellings {@code nan}, {@code
 * inf} and {@code -inf}.
 */
public final class MetricsCsv {
  /** The first line of every {@code metrics.csv}. */
  public static final String HEADER = "Name,Value,Timestamp,Step";

  /**
   * Appended to a line that a write left unfinished (the writing process was killed) before new
   * rows are appended after it. A row ends with a digit, so a marked line is never read as a row:
   * without the mark, {@code "loss",0.5,1700000000000,12} cut after {@code ,1} would read as a
   * valid row with step 1.
   */
  public static final String CUT_MARK = "#cut";

  private static final Logger log = LoggerFactory.getLogger(MetricsCsv.class);
  private static final byte[] HEADER_BYTES = HEADER.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CUT_MARK_BYTES = CUT_MARK.getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_WARNINGS = 10;
  private static final Set<String> PYTHON_SPECIALS =
      Set.of("nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity");

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
    Reader reader = new Reader(file, key, metrics);
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

  // ------------------------------------------------------------------------------- reading

  /** A byte-level line reader: decoding only what it must keeps reading millions of rows fast. */
  private static final class Reader {
    private final Path file;
    private final String onlyKey;
    private final List<Metric> out;
    private final List<Problem> problems = new ArrayList<>();
    private final NameCache names = new NameCache();
    private boolean torn;
    private String error;

    Reader(Path file, String onlyKey, List<Metric> out) {
      this.file = file;
      this.onlyKey = onlyKey;
      this.out = out;
    }

    void readAll(InputStream in) throws IOException {
      byte[] buf = new byte[1 << 16];
      int start = 0;
      int scan = 0;
      int end = 0;
      long lineNo = 0;
      while (true) {
        int nl = indexOf(buf, (byte) '\n', scan, end);
        if (nl < 0) {
          if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
          } else if (end == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
          }
          scan = end;
          int n = in.read(buf, end, buf.length - end);
          if (n < 0) {
            torn = end > start;
            return;
          }
          end += n;
          continue;
        }
        lineNo++;
        line(buf, start, nl, lineNo);
        start = nl + 1;
        scan = start;
      }
    }

    private void line(byte[] b, int s, int e, long lineNo) {
      if (e > s && b[e - 1] == '\r') {
        e--;
      }
      if (lineNo == 1) {
        if (e - s >= 3 && (b[s] & 0xff) == 0xef && (b[s + 1] & 0xff) == 0xbb
            && (b[s + 2] & 0xff) == 0xbf) {
          s += 3; // a UTF-8 byte order mark, as spreadsheet programs write
        }
        if (!Arrays.equals(b, s, e, HEADER_BYTES, 0, HEADER_BYTES.length)) {
          problem(lineNo, "expected the header '" + HEADER + "' but was '" + text(b, s, e) + "'");
        }
        return;
      }
      if (isBlank(b, s, e)) {
        return;
      }
      if (e - s >= CUT_MARK_BYTES.length
          && Arrays.equals(b, e - CUT_MARK_BYTES.length, e, CUT_MARK_BYTES, 0,
              CUT_MARK_BYTES.length)) {
        if (e - s > CUT_MARK_BYTES.length) {
          problem(lineNo, "a row cut short by a write that did not finish (a killed process"
              + " or a full disk) in '" + text(b, s, e) + "'");
        }
        return;
      }
      error = null;
      Metric m = parseRow(b, s, e);
      if (m == null) {
        if (error != null) {
          problem(lineNo, error + " in '" + text(b, s, e) + "'");
        }
      } else {
        out.add(m);
      }
    }

    /** The row's metric, or null with {@link #error} set, or null when filtered out. */
    private Metric parseRow(byte[] b, int s, int e) {
      String name;
      int p;
      if (b[s] == '"') {
        int q = s + 1;
        boolean escaped = false;
        while (true) {
          if (q >= e) {
            error = "the quoted Name is not closed";
            return null;
          }
          if (b[q] == '"') {
            if (q + 1 < e && b[q + 1] == '"') {
              escaped = true;
              q += 2;
              continue;
            }
            break;
          }
          q++;
        }
        name = escaped
            ? new String(b, s + 1, q - s - 1, StandardCharsets.UTF_8).replace("\"\"", "\"")
            : names.get(b, s + 1, q);
        p = q + 1;
        if (p >= e || b[p] != ',') {
          error = "expected ',' after the quoted Name";
          return null;
        }
      } else {
        p = indexOf(b, (byte) ',', s, e);
        if (p < 0) {
          error = "expected 4 fields (" + HEADER + ") but found 1";
          return null;
        }
        name = names.get(b, s, p);
      }
      int v = p + 1;
      int c2 = indexOf(b, (byte) ',', v, e);
      int c3 = c2 < 0 ? -1 : indexOf(b, (byte) ',', c2 + 1, e);
      if (c3 < 0 || indexOf(b, (byte) ',', c3 + 1, e) >= 0) {
        error = "expected 4 fields (" + HEADER + ") but found " + (countCommas(b, p, e) + 1);
        return null;
      }
      double value = parseValue(b, v, c2);
      if (error != null) {
        return null;
      }
      long timestamp = parseLong(b, c2 + 1, c3, "Timestamp");
      if (error != null) {
        return null;
      }
      long step = parseLong(b, c3 + 1, e, "Step");
      if (error != null) {
        return null;
      }
      try {
        Metric m = new Metric(name, value, timestamp, step);
        return onlyKey == null || onlyKey.equals(name) ? m : null;
      } catch (IllegalArgumentException ex) {
        error = ex.getMessage();
        return null;
      }
    }

    private double parseValue(byte[] b, int s, int e) {
      String text = new String(b, s, e - s, StandardCharsets.ISO_8859_1);
      char last = text.isEmpty() ? ' ' : text.charAt(text.length() - 1);
      if (!Character.isWhitespace(last) && !Character.isWhitespace(text.charAt(0))) {
        if (!Character.isLetter(last)) {
          try {
            return Double.parseDouble(text);
          } catch (NumberFormatException ignored) {
            // reported below
          }
        } else if (text.equals("NaN")) {
          return Double.NaN;
        } else if (text.equals("Infinity") || text.equals("+Infinity")) {
          return Double.POSITIVE_INFINITY;
        } else if (text.equals("-Infinity")) {
          return Double.NEGATIVE_INFINITY;
        } else {
          // Python's spellings; Java's own suffixes such as "1f" are not CSV numbers
          String lower = text.toLowerCase(Locale.ROOT);
          if (PYTHON_SPECIALS.contains(lower)) {
            return lower.endsWith("nan") ? Double.NaN
                : lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
          }
        }
      }
      error = "Value must be a number, NaN, Infinity or -Infinity but was '"
          + printable(text) + "'";
      return 0;
    }

    private long parseLong(byte[] b, int s, int e, String field) {
      int i = s;
      boolean negative = false;
      if (i < e && (b[i] == '-' || b[i] == '+')) {
        negative = b[i] == '-';
        i++;
      }
      if (i >= e || e - i > 19) {
        return badLong(b, s, e, field);
      }
      long v = 0;
      for (; i < e; i++) {
        int d = b[i] - '0';
        if (d < 0 || d > 9) {
          return badLong(b, s, e, field);
        }
        v = v * 10 - d; // accumulate negatively so that Long.MIN_VALUE fits
        if (v > 0) {
          return badLong(b, s, e, field);
        }
      }
      if (!negative) {
        if (v == Long.MIN_VALUE) {
          return badLong(b, s, e, field);
        }
        v = -v;
      }
      return v;
    }

    private long badLong(byte[] b, int s, int e, String field) {
      error = field + " must be an integer but was '" + text(b, s, e) + "'";
      return 0;
    }

    private void problem(long lineNo, String message) {
      problems.add(new Problem(lineNo, message));
      if (problems.size() <= MAX_WARNINGS) {
        log.warn("{}: line {} is not a metric row and was skipped: {}", file, lineNo, message);
      }
    }
  }

  /** Reuses the String of a name seen before, so that reading allocates nothing per row. */
  private static final class NameCache {
    private final byte[][] keys = new byte[256][];
    private final String[] values = new String[256];

    String get(byte[] b, int s, int e) {
      int h = 1;
      for (int i = s; i < e; i++) {
        h = 31 * h + b[i];
      }
      int slot = h & 255;
      byte[] k = keys[slot];
      if (k != null && Arrays.equals(k, 0, k.length, b, s, e)) {
        return values[slot];
      }
      String name = new String(b, s, e - s, StandardCharsets.UTF_8);
      keys[slot] = Arrays.copyOfRange(b, s, e);
      values[slot] = name;
      return name;
    }
  }

  private static int indexOf(byte[] b, byte c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static int countCommas(byte[] b, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      if (b[i] == ',') {
        n++;
      }
    }
    return n;
  }

  private static boolean isBlank(byte[] b, int s, int e) {
    for (int i = s; i < e; i++) {
      if (b[i] != ' ' && b[i] != '\t') {
        return false;
      }
    }
    return true;
  }

  private static String text(byte[] b, int s, int e) {
    String t = new String(b, s, Math.min(e - s, 200), StandardCharsets.UTF_8);
    return printable(e - s > 200 ? t + "…" : t);
  }

  private static String printable(String s) {
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

  // ------------------------------------------------------------------------------- writing

  /** The bytes of the header line, for a new file. */
  static ByteBuffer header() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES.length + 1);
    b.put(HEADER_BYTES).put((byte) '\n').flip();
    return b;
  }

  /**
   * The CSV field for a name: in double quotes, inner quotes doubled, UTF-8.
   *
   * @throws IllegalArgumentException when the name holds a line break, which this line-based
   *     format cannot carry (metric keys never do)
   */
  static byte[] quote(String name) {
    if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("metric name must not contain a line break but was '"
          + printable(name) + "'");
    }
    return ('"' + name.replace("\"", "\"\"") + '"').getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Appends batches of rows to a channel, each batch as one {@code write} of whole lines.
   *
   * <p>Rows are encoded into a reusable byte array without {@code String.format}: a name's quoted
   * bytes are cached, longs are written digit by digit, and doubles as {@link
   * Double#toString(double)} writes them.
   *
   * <p>When a write fails (disk full, read-only file system), the bytes it did not write are kept
   * and written first by the next {@link #append} or {@link #writePending()}: a row the failed
   * write cut short is completed and no row is lost once the file can be written again. At most
   * {@link #DEFAULT_MAX_PENDING} bytes are kept; a batch that finds them full while the file still
   * cannot be written is dropped, and the exception says so.
   */
  static final class Writer implements Closeable {
    /** The most bytes of rows not yet written that a writer keeps (16 MiB). */
    static final int DEFAULT_MAX_PENDING = 16 << 20;

    private static final int MAX_NUMBERS = 1 + 26 + 1 + 20 + 1 + 20 + 1;
    private static final int MAX_CACHED_NAMES = 4096;
    private static final int KEEP_BUFFER = 1 << 20;
    private static final byte[] NONE = new byte[0];

    private final WritableByteChannel out;
    private final int maxPending;
    private final Map<String, byte[]> names = new HashMap<>();
    private byte[] buf = new byte[1 << 16];
    private byte[] pending = NONE; // what failed writes left unwritten, starting where the file ends
    private int pendingRows;

    Writer(WritableByteChannel out) {
      this(out, DEFAULT_MAX_PENDING);
    }

    Writer(WritableByteChannel out, int maxPending) {
      this.out = out;
      this.maxPending = maxPending;
    }

    /** The rows (or their rests) that failed writes left unwritten. */
    int pendingRows() {
      return pendingRows;
    }

    /**
     * Writes the bytes that failed writes left unwritten, if any.
     *
     * @throws IOException when the file still cannot be written; the bytes stay kept
     */
    void writePending() throws IOException {
      if (pending.length > 0) {
        write(pending, pending.length);
      }
    }

    /**
     * Writes what earlier failed writes left, then the rows, with one {@code write} call (more
     * only when the channel writes a part).
     *
     * @throws IOException when the write fails: what it did not write is kept for the next one;
     *     or when {@link #DEFAULT_MAX_PENDING} bytes are kept already and still cannot be written:
     *     then these rows are dropped
     */
    void append(List<Metric> metrics) throws IOException {
      if (metrics.isEmpty()) {
        return;
      }
      if (pending.length >= maxPending) {
        try {
          writePending();
        } catch (IOException e) {
          throw new IOException(e.getMessage() + "; " + metrics.size() + " new rows were dropped"
              + " because " + pendingRows + " rows that could not be written yet are kept"
              + " already (the most this writer keeps)", e);
        }
      }
      byte[] b = buf;
      int pos = 0;
      if (pending.length > 0) {
        if (pending.length > b.length) {
          b = new byte[pending.length + (1 << 16)];
        }
        System.arraycopy(pending, 0, b, 0, pending.length);
        pos = pending.length;
      }
      for (Metric m : metrics) {
        byte[] name = names.get(m.key());
        if (name == null) {
          if (names.size() >= MAX_CACHED_NAMES) {
            names.clear();
          }
          name = quote(m.key());
          names.put(m.key(), name);
        }
        if (pos + name.length + MAX_NUMBERS > b.length) {
          b = Arrays.copyOf(b, Math.max(b.length * 2, pos + name.length + MAX_NUMBERS));
        }
        System.arraycopy(name, 0, b, pos, name.length);
        pos += name.length;
        b[pos++] = ',';
        pos = putDouble(b, pos, m.value());
        b[pos++] = ',';
        pos = putLong(b, pos, m.timestamp());
        b[pos++] = ',';
        pos = putLong(b, pos, m.step());
        b[pos++] = '\n';
      }
      try {
        write(b, pos);
      } finally {
        buf = b.length > KEEP_BUFFER ? new byte[1 << 16] : b; // one huge batch does not pin memory
      }
    }

    private void write(byte[] b, int len) throws IOException {
      ByteBuffer bb = ByteBuffer.wrap(b, 0, len);
      try {
        while (bb.hasRemaining()) {
          out.write(bb);
        }
      } catch (IOException | RuntimeException e) {
        int from = bb.position();
        if (b != pending || from > 0) {
          pending = Arrays.copyOfRange(b, from, len);
          pendingRows = 0;
          for (byte c : pending) {
            if (c == '\n') {
              pendingRows++;
            }
          }
        }
        throw e;
      }
      pending = NONE;
      pendingRows = 0;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /**
   * Writes {@code v} in the notation of {@link Double#toString(double)}: plain decimals from
   * 10<sup>-3</sup> to 10<sup>7</sup>, computer notation ({@code 1.0E-5}) elsewhere, {@code NaN},
   * {@code Infinity}, {@code -Infinity}. The text always reads back as exactly {@code v}.
   *
   * <p>In the plain range, where most metric values lie, the digits are computed here with
   * integer arithmetic: the fewest that read back as {@code v}, the nearest when several do,
   * ties to even — the same text as {@code Double.toString}, in about half the time on JDK 17.
   * Elsewhere {@code Double.toString} writes them.
   */
  static int putDouble(byte[] b, int pos, double v) {
    double a = Math.abs(v);
    if (a >= 1e-3 && a < 1e7) { // false for NaN
      int end = putPlain(b, pos, v, a);
      if (end >= 0) {
        return end;
      }
    } else if (v == 0 && Double.doubleToRawLongBits(v) == 0) {
      b[pos++] = '0';
      b[pos++] = '.';
      b[pos++] = '0';
      return pos;
    }
    String s = Double.toString(v);
    for (int i = 0, n = s.length(); i < n; i++) {
      b[pos++] = (byte) s.charAt(i);
    }
    return pos;
  }

  /** 10^0 … 10^19; the last does not fit a signed long and is used unsigned. */
  private static final long[] POW10 = new long[20];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10; // 10^19 wraps to its unsigned value
    }
  }

  /**
   * Writes {@code a = |v|}, 10^-3 <= a < 10^7, as the shortest plain decimal that reads back as
   * exactly {@code v}; returns -1 when it cannot tell (the caller falls back).
   *
   * <p>{@code a = f * 2^-e} exactly, with a 53-bit {@code f} and 29 <= e <= 62. A decimal {@code
   * m / 10^k} reads back as {@code a} when it lies within half a unit in the last place of {@code
   * a}: |m * 2^e - f * 10^k| < 10^k / 2 (a quarter below a power of two, where the gap to the
   * next smaller double halves). The nearest m for each k follows from the 128-bit product {@code
   * f * 10^k}. Passing at k implies passing at k + 1 (but for rare cases next to powers of two,
   * which then print a digit longer), so the smallest passing k is found by bisection. Whatever k
   * is chosen, only a passing m is ever written.
   */
  private static int putPlain(byte[] b, int pos, double v, double a) {
    long bits = Double.doubleToRawLongBits(a);
    long f = (bits & 0x000F_FFFF_FFFF_FFFFL) | 0x0010_0000_0000_0000L;
    int e = 1075 - (int) (bits >>> 52);
    boolean powerOfTwo = f == 0x0010_0000_0000_0000L;
    int maxK;
    if (a >= 1) {
      maxK = 17 - digits((long) a);
    } else {
      maxK = a >= 0.1 ? 17 : a >= 0.01 ? 18 : 19;
    }
    // Most values need 16 or 17 significant digits: look there first, bisect only below.
    int k = maxK - 1;
    long m = nearest(f, e, k, powerOfTwo);
    if (m < 0) {
      k = maxK;
      m = nearest(f, e, k, powerOfTwo);
      if (m < 0) {
        return -1;
      }
    } else {
      int lo = 0;
      int hi = k; // passes, with m
      while (lo < hi) {
        int mid = hi == k && hi > 0 ? hi - 1 : (lo + hi) >>> 1;
        long mm = nearest(f, e, mid, powerOfTwo);
        if (mm >= 0) {
          hi = mid;
          m = mm;
        } else {
          lo = mid + 1;
        }
      }
      k = hi;
    }
    if (v < 0) {
      b[pos++] = '-';
    }
    if (k == 0) {
      pos = putLong(b, pos, m);
      b[pos++] = '.';
      b[pos++] = '0';
      return pos;
    }
    long scale = POW10[k];
    pos = putLong(b, pos, m / scale);
    b[pos++] = '.';
    long frac = m % scale;
    int end = pos + k;
    int i = end;
    for (; i - pos >= 2; frac /= 100) { // two digits per division, from a table
      int r = (int) (frac % 100);
      b[--i] = DIGIT_ONES[r];
      b[--i] = DIGIT_TENS[r];
    }
    if (i > pos) {
      b[--i] = (byte) ('0' + frac);
    }
    return end;
  }

  /**
   * The m nearest to {@code f * 2^-e * 10^k} when {@code m / 10^k} reads back as {@code f *
   * 2^-e}, else -1.
   */
  private static long nearest(long f, int e, int k, boolean powerOfTwo) {
    long p = POW10[k];
    long lo = f * p;
    long hi = Math.multiplyHigh(f, p) + ((p >> 63) & f); // unsigned high half (f > 0)
    if ((hi >>> e) != 0) {
      return -1;
    }
    long m = (hi << (64 - e)) | (lo >>> e);
    long r = lo & ((1L << e) - 1);
    long half = 1L << (e - 1);
    long d;
    boolean below;
    if (r > half || (r == half && (m & 1) != 0)) { // ties to the even m, as the JDK does
      m++;
      d = (1L << e) - r;
      below = false;
    } else {
      d = r;
      below = r != 0;
    }
    long twiceD = (powerOfTwo && below ? 4 : 2) * d; // < 2^63: d < 2^61 when below
    boolean reads = k == 19 || twiceD < p; // 10^19 exceeds any twiceD
    return reads ? m : -1;
  }

  private static int digits(long v) {
    int n = 1;
    while (v >= 10) {
      v /= 10;
      n++;
    }
    return n;
  }

  /** Writes the decimal digits of {@code v}. */
  static int putLong(byte[] b, int pos, long v) {
    if (v == Long.MIN_VALUE) {
      byte[] min = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(min, 0, b, pos, min.length);
      return pos + min.length;
    }
    if (v < 0) {
      b[pos++] = '-';
      v = -v;
    }
    int digits = 1;
    while (digits < 19 && v >= POW10[digits]) {
      digits++;
    }
    int end = pos + digits;
    int i = end;
    // two digits per division (a division is the slow part), from a table
    while (v >= 100) {
      long q = v / 100;
      int r = (int) (v - q * 100);
      b[--i] = DIGIT_ONES[r];
      b[--i] = DIGIT_TENS[r];
      v = q;
    }
    int r = (int) v;
    b[--i] = DIGIT_ONES[r];
    if (r >= 10) {
      b[--i] = DIGIT_TENS[r];
    }
    return end;
  }

  private static final byte[] DIGIT_TENS = new byte[100];
  private static final byte[] DIGIT_ONES = new byte[100];

  static {
    for (int i = 0; i < 100; i++) {
      DIGIT_TENS[i] = (byte) ('0' + i / 10);
      DIGIT_ONES[i] = (byte) ('0' + i % 10);
    }
  }
}
