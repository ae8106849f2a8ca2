package dev.tracker.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options every reading command takes: where the runs are, and the output format. */
final class SourceOptions {
  @Option(names = {"-u", "--uri"}, paramLabel = "URI",
      description = "Where the runs are: a file root (file:./runs) or an MLflow server"
          + " (http://host:5000). Default: tracker.uri, TRACKER_URI, MLFLOW_TRACKING_URI,"
          + " else file:./runs.")
  String uri;

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "table",
      converter = FormatConverter.class, description = "table (default), csv or json.")
  Format format = Format.TABLE;

  /** Reads "table", "csv" or "json", in any case. */
  static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      for (Format f : Format.values()) {
        if (f.toString().equalsIgnoreCase(value.trim())) {
          return f;
        }
      }
      throw new CommandLine.TypeConversionException("expected table, csv or json but was '"
          + value + "'");
    }
  }
}
