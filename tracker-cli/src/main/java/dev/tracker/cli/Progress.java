package dev.tracker.cli;

import java.io.PrintStream;

/**
 * How {@code tracker sync} reports progress: a bar redrawn in place on a terminal, plain lines
 * otherwise (one per run, for logs and CI).
 */
interface Progress {
  /** Sync begins: {@code runs} runs, {@code points} metric points to upload in all. */
  void begin(int runs, long points);

  /** The i-th run (1-based) begins. */
  void run(int index, String label);

  /** {@code points} more metric points were uploaded. */
  void advance(long points);

  /** A run is done; {@code line} says what was sent. */
  void done(String line);

  /** Sync ends, well or not; the bar, if any, is cleared. */
  void end();

  /** Plain lines on {@code out}. */
  static Progress lines(PrintStream out) {
    return new Progress() {
      @Override
      public void begin(int runs, long points) {}

      @Override
      public void run(int index, String label) {}

      @Override
      public void advance(long points) {}

      @Override
      public void done(String line) {
        out.println(line);
        out.flush();
      }

      @Override
      public void end() {}
    };
  }

  /** A bar on {@code bar} (stderr), redrawn with '\r'; each run's line on {@code out} above it. */
  static Progress bar(PrintStream out, PrintStream bar, int width) {
    return new Bar(out, bar, width);
  }

  /** The terminal form. */
  final class Bar implements Progress {
    private final PrintStream out;
    private final PrintStream term;
    private final int width;
    private int runs;
    private int index;
    private long total;
    private long sent;
    private String label = "";
    private int drawn;

    Bar(PrintStream out, PrintStream term, int width) {
      this.out = out;
      this.term = term;
      this.width = Math.max(40, width);
    }

    @Override
    public void begin(int runs, long points) {
      this.runs = runs;
      this.total = points;
      draw();
    }

    @Override
    public void run(int index, String label) {
      this.index = index;
      this.label = label;
      draw();
    }

    @Override
    public void advance(long points) {
      sent += points;
      draw();
    }

    @Override
    public void done(String line) {
      clear();
      out.println(line);
      out.flush();
      draw();
    }

    @Override
    public void end() {
      clear();
    }

    /** The bar's text: "[#####.....]  50%  run 2/4  1,000/2,000 points  lr-0.1". */
    String text() {
      double fraction = total == 0 ? (runs == 0 ? 1 : (double) index / runs)
          : (double) sent / total;
      int cells = 24;
      int filled = (int) Math.round(Math.min(1, fraction) * cells);
      String s = "[" + "#".repeat(filled) + ".".repeat(cells - filled) + "] "
          + String.format("%3d%%", Math.round(Math.min(1, fraction) * 100)) + "  run " + index
          + "/" + runs + "  " + sent + "/" + total + " points  " + label;
      return s.length() > width - 1 ? s.substring(0, width - 1) : s;
    }

    private void draw() {
      String s = text();
      term.print("\r" + s + " ".repeat(Math.max(0, drawn - s.length())));
      term.flush();
      drawn = s.length();
    }

    private void clear() {
      if (drawn > 0) {
        term.print("\r" + " ".repeat(drawn) + "\r");
        term.flush();
        drawn = 0;
      }
    }
  }
}
