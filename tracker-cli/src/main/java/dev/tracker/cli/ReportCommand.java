package dev.tracker.cli;

import dev.tracker.RunData;
import dev.tracker.spi.RunFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tracker report [RUN…] -o report.html}: one self-contained HTML page with charts. */
@Command(name = "report", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Writes one self-contained HTML file (no script, nothing fetched): the runs, a"
        + " params table, the data sets each run used, and for every metric a line chart of value"
        + " over step with one line per run."})
final class ReportCommand implements Callable<Integer> {
  private final Cli cli;

  @Option(names = {"-u", "--uri"}, paramLabel = "URI",
      description = "Where the runs are (default: tracker.uri, TRACKER_URI,"
          + " MLFLOW_TRACKING_URI, else file:./runs).")
  String uri;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "report.html",
      description = "The HTML file to write (default: report.html).")
  Path output;

  @Option(names = {"-e", "--experiment"}, paramLabel = "NAME",
      description = "Without RUNs: the runs of this experiment (default: every experiment).")
  String experiment;

  @Option(names = "--filter", paramLabel = "EXPR",
      description = "Without RUNs: only runs matching, as in 'tracker runs'.")
  String filter;

  @Option(names = "--sort", paramLabel = "FIELDS",
      description = "Without RUNs: the order of the runs, as in 'tracker runs' (default: newest"
          + " first).")
  String sort;

  @Option(names = {"-n", "--limit"}, paramLabel = "N",
      description = "Without RUNs: at most N runs.")
  Integer limit;

  @Option(names = "--title", paramLabel = "TEXT", description = "The page title.")
  String title;

  @Parameters(paramLabel = "RUN", arity = "0..*",
      description = "The runs to report (ids, id prefixes or names); default: every run.")
  List<String> runs;

  ReportCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    RunFilter f = SortOrder.parse(filter, sort);
    if (limit != null && limit < 1) {
      throw new UserException("--limit must be at least 1 but was " + limit);
    }
    // an output that cannot be written fails now, not after every run was read
    Path tmp = createTemporary(output);
    try {
      List<RunData> data;
      String source;
      RunStore.Listing listing = new RunStore.Listing(List.of(), List.of());
      try (RunStore store = cli.open(uri)) {
        source = store.describe();
        if (runs == null || runs.isEmpty()) {
          listing = store.select(experiment, f, limit);
          data = listing.runs();
        } else {
          data = store.resolveAll(runs);
        }
      }
      listing.reportUnreadable(cli.err, "tracker report");
      if (data.isEmpty()) {
        String none = "no runs to report in " + source
            + (experiment == null ? "" : " experiment '" + experiment + "'")
            + (f.filter().isEmpty() ? "" : " match the filter");
        if (listing.unreadable().isEmpty()) {
          throw new UserException(none);
        }
        cli.err.println("tracker report: " + none);
        return TrackerCli.DATA_ERROR;
      }
      String html = HtmlReport.render(title != null ? title : defaultTitle(data), source, data,
          cli.clock.instant(), cli.zone);
      replace(tmp, output, html);
      int charts = RunViews.metricKeys(data).size();
      cli.out.println("Wrote " + output + ": " + data.size()
          + (data.size() == 1 ? " run, " : " runs, ") + charts
          + (charts == 1 ? " chart" : " charts"));
      return listing.unreadable().isEmpty() ? TrackerCli.OK : TrackerCli.DATA_ERROR;
    } finally {
      deleteQuietly(tmp);
    }
  }

  private static String defaultTitle(List<RunData> runs) {
    Set<String> experiments = new LinkedHashSet<>();
    runs.forEach(r -> experiments.add(String.valueOf(r.info().experimentName())));
    return "Runs of " + String.join(", ", experiments);
  }

  /**
   * Creates the folder of {@code file} and an empty temporary file in it, which becomes {@code
   * file}. It is created with the default permissions, so the report's mode follows the umask
   * (Files.createTempFile would make it 0600).
   *
   * @throws UserException naming the file, the kind of failure and its reason
   */
  private static Path createTemporary(Path file) {
    if (file.toString().isBlank()) {
      throw new UserException("--output must name a file but was empty");
    }
    Path target = file.toAbsolutePath();
    try {
      if (Files.isDirectory(target)) {
        throw new UserException("cannot write " + file + ": it is a folder");
      }
      Files.createDirectories(target.getParent());
      for (int attempt = 0; ; attempt++) {
        Path tmp = target.resolveSibling("." + target.getFileName() + "."
            + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
          return Files.createFile(tmp);
        } catch (FileAlreadyExistsException e) {
          if (attempt == 10) {
            throw e;
          }
        }
      }
    } catch (IOException e) {
      throw new UserException("cannot write " + file + ": " + RunStore.reason(e));
    }
  }

  /** Writes {@code text} into {@code tmp}, then moves it over {@code file} in one step. */
  private static void replace(Path tmp, Path file, String text) {
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file.toAbsolutePath(), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UserException("cannot write " + file + ": " + RunStore.reason(e));
    }
  }

  private static void deleteQuietly(Path tmp) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException e) {
      // a leftover hidden .tmp file is harmless; the report itself was written or reported
    }
  }
}
