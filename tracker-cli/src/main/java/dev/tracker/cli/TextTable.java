package dev.tracker.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Aligned columns of {@linkplain Values#printable printable} text that fit a width: when the columns are too wide together, the columns of lowest
 * priority are dropped (the widest, then the rightmost, first among equals), then the widest
 * values are cut, and
 * {@link Rendered#notes()} says what was hidden or cut. Lines never wrap.
 */
final class TextTable {
  /** A column of this priority is never dropped. */
  static final int KEEP = Integer.MAX_VALUE;
  /** No column is cut narrower than this to fit. */
  static final int MIN_WIDTH = 6;

  enum Align { AUTO, LEFT, RIGHT }

  private record Column(String header, String name, int priority, Align align,
      List<String> cells) {}

  /** The lines of a rendered table, and what did not fit. */
  record Rendered(List<String> lines, List<String> hidden, boolean cut, int width,
      String ellipsis) {
    /** One line per thing that did not fit; empty when everything is shown whole. */
    List<String> notes() {
      List<String> notes = new ArrayList<>();
      if (!hidden.isEmpty()) {
        notes.add(hidden.size() + (hidden.size() == 1 ? " column" : " columns")
            + " not shown to fit " + width + " characters: " + String.join(", ", hidden)
            + " (use --format csv or json for all)");
      }
      if (cut) {
        notes.add(ellipsis + " marks values cut to fit");
      }
      return notes;
    }

    /** The lines, then a blank line and the notes when there are any; each line ends in \n. */
    String text() {
      return text(List.of());
    }

    /** Like {@link #text()}, with {@code first} before the notes. */
    String text(List<String> first) {
      StringBuilder sb = new StringBuilder();
      for (String line : lines) {
        sb.append(line).append('\n');
      }
      List<String> notes = new ArrayList<>(first);
      notes.addAll(notes());
      if (!notes.isEmpty()) {
        sb.append('\n');
        for (String n : notes) {
          sb.append(n).append('\n');
        }
      }
      return sb.toString();
    }

    /** This table less the hidden columns named, which the caller mentions its own way. */
    Rendered without(java.util.Collection<String> names) {
      List<String> rest = new ArrayList<>(hidden);
      rest.removeAll(names);
      return new Rendered(lines, rest, cut, width, ellipsis);
    }
  }

  private final List<Column> columns = new ArrayList<>();
  private final String ellipsis;
  private boolean header = true;
  private String indent = "";
  private int maxCell = Integer.MAX_VALUE;

  TextTable(String ellipsis) {
    this.ellipsis = ellipsis;
  }

  /** No header line. */
  TextTable noHeader() {
    this.header = false;
    return this;
  }

  /** A prefix of every line. */
  TextTable indent(String indent) {
    this.indent = indent;
    return this;
  }

  /** The widest any value is shown; longer ones are cut. */
  TextTable maxCell(int maxCell) {
    this.maxCell = maxCell;
    return this;
  }

  /**
   * Adds a column. {@link Align#AUTO} aligns right when every value is a number (or "-").
   *
   * @param priority which columns stay longest when the table is too wide; {@link #KEEP} never
   *     goes
   */
  TextTable column(String header, int priority, Align align, List<String> cells) {
    return column(header, header, priority, align, cells);
  }

  /** Adds a column that notes call {@code name} rather than by its header. */
  TextTable column(String header, String name, int priority, Align align, List<String> cells) {
    // what a run holds is printed as visible text, never as terminal control sequences
    columns.add(new Column(header == null ? "" : Values.printable(header), name, priority, align,
        List.copyOf(cells.stream().map(c -> c == null ? "" : Values.printable(c)).toList())));
    return this;
  }

  /** Renders the table into at most {@code width} characters per line, as far as possible. */
  Rendered render(int width) {
    List<Column> visible = new ArrayList<>(columns);
    List<Integer> widths = new ArrayList<>();
    for (Column c : visible) {
      int w = header ? c.header.length() : 0;
      for (String cell : c.cells) {
        w = Math.max(w, cell.length());
      }
      widths.add(Math.min(w, maxCell));
    }
    boolean cut = false;
    List<Column> dropped = new ArrayList<>();
    while (total(widths) > width) {
      // the lowest priority goes first; among equals the widest, then the rightmost
      int drop = -1;
      for (int i = visible.size() - 1; i >= 0; i--) {
        int p = visible.get(i).priority;
        if (p == KEEP) {
          continue;
        }
        if (drop < 0 || p < visible.get(drop).priority
            || (p == visible.get(drop).priority && widths.get(i) > widths.get(drop))) {
          drop = i;
        }
      }
      if (drop < 0) {
        break;
      }
      dropped.add(visible.remove(drop));
      widths.remove(drop);
    }
    // still too wide: cut the widest columns, down to MIN_WIDTH
    int overflow = total(widths) - width;
    while (overflow > 0) {
      int widest = -1;
      for (int i = 0; i < widths.size(); i++) {
        if (widths.get(i) > MIN_WIDTH && (widest < 0 || widths.get(i) > widths.get(widest))) {
          widest = i;
        }
      }
      if (widest < 0) {
        break;
      }
      int by = Math.min(overflow, widths.get(widest) - MIN_WIDTH);
      widths.set(widest, widths.get(widest) - by);
      overflow -= by;
    }

    List<Boolean> right = new ArrayList<>();
    for (Column c : visible) {
      right.add(c.align == Align.RIGHT || (c.align == Align.AUTO && numeric(c.cells)));
    }
    List<String> lines = new ArrayList<>();
    int rows = 0;
    for (Column c : visible) {
      rows = Math.max(rows, c.cells.size());
    }
    if (header) {
      List<String> cells = new ArrayList<>();
      for (Column c : visible) {
        cells.add(c.header);
      }
      cut |= line(cells, widths, right, lines);
    }
    for (int r = 0; r < rows; r++) {
      List<String> cells = new ArrayList<>();
      for (Column c : visible) {
        cells.add(r < c.cells.size() ? c.cells.get(r) : "");
      }
      cut |= line(cells, widths, right, lines);
    }
    List<String> hidden = new ArrayList<>();
    for (Column c : columns) {
      if (dropped.stream().anyMatch(d -> d == c)) {
        hidden.add(c.name);
      }
    }
    return new Rendered(lines, hidden, cut, width, ellipsis);
  }

  private boolean line(List<String> cells, List<Integer> widths, List<Boolean> right,
      List<String> lines) {
    boolean cut = false;
    StringBuilder sb = new StringBuilder(indent);
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      int w = widths.get(i);
      if (cell.length() > w) {
        cell = cell.substring(0, Math.max(0, w - ellipsis.length())) + ellipsis;
        cut = true;
      }
      String pad = " ".repeat(w - cell.length());
      if (i > 0) {
        sb.append("  ");
      }
      sb.append(right.get(i) ? pad + cell : cell + pad);
    }
    lines.add(stripTrailing(sb));
    return cut;
  }

  private static String stripTrailing(StringBuilder sb) {
    int end = sb.length();
    while (end > 0 && sb.charAt(end - 1) == ' ') {
      end--;
    }
    return sb.substring(0, end);
  }

  private int total(List<Integer> widths) {
    int t = indent.length();
    for (int w : widths) {
      t += w;
    }
    return t + 2 * Math.max(0, widths.size() - 1);
  }

  private static boolean numeric(List<String> cells) {
    boolean any = false;
    for (String c : cells) {
      if (c.isEmpty() || c.equals("-")) {
        continue;
      }
      if (!Values.isNumber(c)) {
        return false;
      }
      any = true;
    }
    return any;
  }
}
