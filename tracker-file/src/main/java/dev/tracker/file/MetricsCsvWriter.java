package dev.tracker.file;

import dev.tracker.Metric;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
final class MetricsCsvWriter implements Closeable {
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

  MetricsCsvWriter(WritableByteChannel out) {
    this(out, DEFAULT_MAX_PENDING);
  }

  MetricsCsvWriter(WritableByteChannel out, int maxPending) {
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

  /** The bytes of the header line, for a new file. */
  static ByteBuffer header() {
    ByteBuffer b = ByteBuffer.allocate(MetricsCsv.HEADER_BYTES.length + 1);
    b.put(MetricsCsv.HEADER_BYTES).put((byte) '\n').flip();
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
          + MetricsCsv.printable(name) + "'");
    }
    return ('"' + name.replace("\"", "\"\"") + '"').getBytes(StandardCharsets.UTF_8);
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
