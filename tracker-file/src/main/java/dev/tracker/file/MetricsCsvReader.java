package dev.tracker.file;

import dev.tracker.Metric;
import dev.tracker.file.MetricsCsv.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the lines of one {@code metrics.csv} (see {@link MetricsCsv} for the format and the rules
 * for cut and corrupt lines). A byte-level line reader: decoding only what it must keeps reading
 * millions of rows fast.
 */
final class MetricsCsvReader {
  private static final Logger log = LoggerFactory.getLogger(MetricsCsv.class);
  private static final byte[] HEADER_BYTES = MetricsCsv.HEADER.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CUT_MARK_BYTES =
      MetricsCsv.CUT_MARK.getBytes(StandardCharsets.US_ASCII);
  private static final Set<String> PYTHON_SPECIALS =
      Set.of("nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity");
  private static final String HEADER = MetricsCsv.HEADER;


  private final Path file;
  private final String onlyKey;
  private final List<Metric> out;
  final List<Problem> problems = new ArrayList<>();
  private final NameCache names = new NameCache();
  boolean torn;
  private String error;

  MetricsCsvReader(Path file, String onlyKey, List<Metric> out) {
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
    // a number in quotes reads as the number, as Python's csv module reads it (QUOTE_ALL, or the
    // DAGsHub logger's QUOTE_NONNUMERIC for a value logged as a str)
    int q = quoted(b, v, c2);
    double value = parseValue(b, v + q, c2 - q);
    if (error != null) {
      return null;
    }
    q = quoted(b, c2 + 1, c3);
    long timestamp = parseLong(b, c2 + 1 + q, c3 - q, "Timestamp");
    if (error != null) {
      return null;
    }
    q = quoted(b, c3 + 1, e);
    long step = parseLong(b, c3 + 1 + q, e - q, "Step");
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
        + MetricsCsv.printable(text) + "'";
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
    if (problems.size() <= MetricsCsv.MAX_WARNINGS) {
      log.warn("{}: line {} is not a metric row and was skipped: {}", file, lineNo, message);
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

  /** 1 when the field from {@code s} to {@code e} is in double quotes, else 0. */
  private static int quoted(byte[] b, int s, int e) {
    return e - s >= 2 && b[s] == '"' && b[e - 1] == '"' ? 1 : 0;
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
    return MetricsCsv.printable(e - s > 200 ? t + "…" : t);
  }
}
