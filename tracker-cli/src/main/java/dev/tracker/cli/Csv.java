package dev.tracker.cli;

import java.util.List;

/**
 * Writes RFC 4180 CSV: a header line, then one line per row, "\n" line ends. A cell that a
 * spreadsheet would run as a formula (text starting with {@code = + - @}, a tab or a carriage
 * return, and not a number) gets a leading {@code '}, as OWASP advises against CSV injection.
 */
final class Csv {
  private final StringBuilder out = new StringBuilder();

  /** Appends a line. Null cells are empty. */
  Csv row(List<String> cells) {
    String sep = "";
    for (String cell : cells) {
      out.append(sep).append(quote(cell));
      sep = ",";
    }
    out.append('\n');
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }

  static String quote(String cell) {
    if (cell == null) {
      return "";
    }
    if (!cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0 && !Values.isNumber(cell)) {
      cell = "'" + cell;
    }
    boolean quote = cell.isEmpty() ? false
        : cell.indexOf(',') >= 0 || cell.indexOf('"') >= 0 || cell.indexOf('\n') >= 0
            || cell.indexOf('\r') >= 0 || cell.charAt(0) == ' '
            || cell.charAt(cell.length() - 1) == ' ';
    return quote ? '"' + cell.replace("\"", "\"\"") + '"' : cell;
  }
}
