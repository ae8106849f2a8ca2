package dev.tracker.cli;

/** The output formats of the listing commands. */
enum Format {
  /** Aligned columns fitting the terminal, for people. */
  TABLE,
  /** RFC 4180 CSV with a header line, for spreadsheets and scripts. */
  CSV,
  /** Pretty-printed JSON, for scripts. */
  JSON;

  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
