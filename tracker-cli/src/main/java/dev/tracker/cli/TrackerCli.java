package dev.tracker.cli;

import dev.tracker.TrackerException;
import dev.tracker.spi.Secrets;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code tracker} command: lists, shows, compares, reports and syncs the runs a {@link
 * dev.tracker.Tracker} recorded, from a file root or an MLflow server.
 *
 * <pre>
 * java -jar tracker.jar runs --filter 'metrics.accuracy &gt; 0.9' --sort -metrics.accuracy
 * java -jar tracker.jar show 3f2a1b4c
 * java -jar tracker.jar compare lr-0.1 lr-0.5
 * java -jar tracker.jar report -o report.html
 * java -jar tracker.jar sync --to http://localhost:5000
 * </pre>
 *
 * <p>Exit codes: {@value #OK} when all went well, {@value #USER_ERROR} for a mistake in the
 * command line (unknown run, bad filter, bad option, a runs folder that does not exist) with a
 * one-line message on stderr, {@value #BACKEND_ERROR} when the backend cannot be reached or fails,
 * {@value #DATA_ERROR} when a run's files cannot be read (a command over several runs still shows
 * the others, and names each run it left out on stderr).
 */
public final class TrackerCli {
  /** Exit code: done. */
  public static final int OK = 0;
  /** Exit code: a mistake in the command line (unknown run, bad filter, bad option). */
  public static final int USER_ERROR = 1;
  /** Exit code: the backend could not be reached or failed. */
  public static final int BACKEND_ERROR = 2;
  /** Exit code: a run's records cannot be read (a file the reader rejects); others are shown. */
  public static final int DATA_ERROR = 3;

  private TrackerCli() {}

  /** Runs the command and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args, Cli.system()));
  }

  /** Runs the command in {@code cli}'s world and returns the exit code. */
  static int run(String[] args, Cli cli) {
    CommandLine cl = commandLine(cli);
    int code = cl.execute(args);
    cli.out.flush();
    cli.err.flush();
    return code;
  }

  static CommandLine commandLine(Cli cli) {
    CommandLine cl = new CommandLine(new Top(cli));
    cl.addSubcommand(new RunsCommand(cli));
    cl.addSubcommand(new ShowCommand(cli));
    cl.addSubcommand(new CompareCommand(cli));
    cl.addSubcommand(new ReportCommand(cli));
    cl.addSubcommand(new SyncCommand(cli));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setUsageHelpWidth(Math.max(60, Math.min(cli.width, 120)));
    cl.setOut(new PrintWriter(cli.out, true));
    cl.setErr(new PrintWriter(cli.err, true));
    cl.setParameterExceptionHandler((ex, args) -> {
      String name = ex.getCommandLine().getCommandName();
      String where = name.equals("tracker") ? "tracker" : "tracker " + name;
      cli.err.println(where + ": " + firstLine(ex.getMessage()) + " (see '" + where
          + " --help')");
      return USER_ERROR;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      String name = commandLine.getCommandName();
      String where = name.equals("tracker") ? "tracker" : "tracker " + name;
      if (ex instanceof UserException) {
        cli.err.println(where + ": " + Values.printableMessage(ex.getMessage()));
        return USER_ERROR;
      }
      if (ex instanceof DataException) {
        cli.err.println(where + ": " + Values.printableMessage(ex.getMessage()));
        return DATA_ERROR;
      }
      if (ex instanceof BackendException) {
        cli.err.println(where + ": " + Values.printableMessage(ex.getMessage()));
        return BACKEND_ERROR;
      }
      if (ex instanceof TrackerException || ex instanceof IOException
          || ex instanceof UncheckedIOException) {
        cli.err.println(where + ": "
            + Values.printableMessage(Secrets.redact(RunStore.message(ex))));
        return BACKEND_ERROR;
      }
      throw ex;
    });
    return cl;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "bad command line";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  @Command(name = "tracker", mixinStandardHelpOptions = true,
      versionProvider = Top.Version.class,
      description = {"Lists, shows, compares, reports and syncs tracked runs.",
          "Runs are read from a file root (--uri file:./runs) or an MLflow server"
          + " (--uri http://localhost:5000).",
          "Exit codes: 0 ok, 1 bad command line (unknown run, bad filter, no such runs"
          + " folder), 2 backend unreachable or failing, 3 a run's files cannot be read (the"
          + " other runs are still shown)."})
  static final class Top implements Callable<Integer> {
    private final Cli cli;

    @Spec
    CommandSpec spec;

    Top(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      spec.commandLine().usage(cli.err);
      return USER_ERROR;
    }

    static final class Version implements CommandLine.IVersionProvider {
      @Override
      public String[] getVersion() {
        String v = TrackerCli.class.getPackage().getImplementationVersion();
        return new String[] {"tracker " + (v == null ? "(development build)" : v)};
      }
    }
  }
}
