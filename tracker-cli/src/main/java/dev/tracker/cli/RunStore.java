package dev.tracker.cli;

import dev.tracker.ExperimentInfo;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunQuery;
import dev.tracker.RunSummary;
import dev.tracker.TrackerException;
import dev.tracker.spi.RunFilter;
import dev.tracker.spi.Secrets;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The runs of one backend, read through the SPI's reading methods, with the backend's failures
 * turned into {@link BackendException} (exit 2), unknown names into {@link UserException} (exit
 * 1), and a run of a local backend that cannot be read into {@link DataException} (exit 3): the
 * backend was reached, one run's files were not readable.
 */
final class RunStore implements AutoCloseable {
  private static final Pattern FULL_ID = Pattern.compile("[0-9a-f]{32}");

  /** Reads from the backend; may throw the backend's exceptions. */
  @FunctionalInterface
  interface Read<T> {
    T get() throws IOException;
  }

  private final TrackingBackend backend;

  RunStore(TrackingBackend backend) {
    this.backend = backend;
  }

  /** The backend, for commands that write (sync). */
  TrackingBackend backend() {
    return backend;
  }

  /** Where the runs are read from, without credentials. */
  String describe() {
    return Secrets.redact(backend.describe());
  }

  /**
   * The names of the experiments.
   *
   * @throws UserException when the backend reads a local folder that does not exist (a mistyped
   *     --uri would otherwise read as "no runs")
   */
  List<String> experiments() {
    List<String> names = new ArrayList<>();
    for (ExperimentInfo e : call(backend::listExperiments)) {
      names.add(e.name());
    }
    if (names.isEmpty()) {
      Optional<Path> root = backend.localDirectory();
      if (root.isPresent() && !Files.isDirectory(root.get())) {
        throw new UserException(describe() + " does not exist (no folder "
            + root.get().toAbsolutePath() + "); give the runs folder with --uri");
      }
    }
    return names;
  }

  /**
   * The runs of one experiment, or of every experiment when {@code experiment} is null, as the
   * backend lists them.
   *
   * @throws UserException when the experiment does not exist
   */
  List<RunInfo> list(String experiment) {
    List<String> names = experimentsNamed(experiment);
    List<RunInfo> runs = new ArrayList<>();
    for (String name : names) {
      runs.addAll(call(() -> backend.listRuns(name)));
    }
    return runs;
  }

  /**
   * The experiment's name alone, or every experiment's when it is null.
   *
   * @throws UserException when the experiment does not exist
   */
  private List<String> experimentsNamed(String experiment) {
    List<String> names = experiments();
    if (experiment != null && !names.contains(experiment)) {
      throw new UserException("no experiment '" + experiment + "' in " + describe()
          + (names.isEmpty() ? "" : "; experiments: " + String.join(", ", names)));
    }
    return experiment == null ? names : List.of(experiment);
  }

  /**
   * Reads every run of {@link #list(String)} whole.
   *
   * @throws DataException at the first run that cannot be read
   */
  List<RunData> readAll(String experiment) {
    Listing listing = readEach(experiment);
    if (!listing.unreadable().isEmpty()) {
      throw listing.unreadable().get(0);
    }
    return listing.runs();
  }

  /** The runs that could be read, and why each of the others could not. */
  record Listing(List<RunData> runs, List<DataException> unreadable) {
    /** Tells {@code err} about each run left out, as {@code where: message}. */
    void reportUnreadable(PrintStream err, String where) {
      for (DataException e : unreadable) {
        err.println(where + ": " + Values.printableMessage(e.getMessage()) + "; left out");
      }
    }
  }

  /**
   * Reads every run of {@link #list(String)} whole; a run that cannot be read is left out and
   * told in {@link Listing#unreadable()}, so one bad run does not hide the others.
   *
   * @throws BackendException when the backend cannot be reached or fails
   */
  Listing readEach(String experiment) {
    List<RunData> out = new ArrayList<>();
    List<DataException> unreadable = new ArrayList<>();
    for (RunInfo info : list(experiment)) {
      try {
        // a run deleted between listing and reading is left out
        read(info.id(), info.name()).ifPresent(out::add);
      } catch (DataException e) {
        unreadable.add(e);
      }
    }
    return new Listing(out, unreadable);
  }

  /**
   * The runs of {@link #list(String)} that pass {@code filter}, in its order, at most {@code
   * limit}, each read whole. A local backend's runs are all read here, so that each run that
   * cannot be read is told in {@link Listing#unreadable()}; a server is asked to search
   * ({@link RunQuery}: its {@code runs/search} evaluates the filter) and only the runs it finds
   * are read.
   *
   * @throws UserException when the experiment does not exist or the order names a key no run has
   */
  Listing select(String experiment, RunFilter filter, Integer limit) {
    if (backend.localDirectory().isPresent()) {
      Listing all = readEach(experiment);
      return new Listing(SortOrder.select(all.runs(), filter, limit), all.unreadable());
    }
    experimentsNamed(experiment);
    RunQuery query = RunQuery.of(backend).filter(filter.filter())
        .orderBy(filter.orderBy().toArray(String[]::new));
    query = experiment == null ? query : query.experiment(experiment);
    List<RunSummary> found = call((limit == null ? query : query.limit(limit))::list);
    List<RunData> out = new ArrayList<>();
    for (RunSummary s : found) {
      // a run deleted between searching and reading is left out
      read(s.id(), s.info().name()).ifPresent(out::add);
    }
    SortOrder.requireKnown(filter, out);
    return new Listing(out, List.of());
  }

  /** The runs whose parent is {@code parent}, from its experiment's listing, oldest first. */
  List<RunInfo> children(RunInfo parent) {
    List<RunInfo> out = new ArrayList<>();
    for (RunInfo info : list(parent.experimentName())) {
      if (parent.id().equals(info.parentRunId()) && !parent.id().equals(info.id())) {
        out.add(info);
      }
    }
    out.sort(Comparator.comparingLong(RunInfo::startTime));
    return out;
  }

  /** Reads a run by id; empty when there is none. */
  Optional<RunData> read(String id) {
    return read(id, null);
  }

  private Optional<RunData> read(String id, String name) {
    try {
      return backend.readRun(id);
    } catch (IOException | UncheckedIOException | TrackerException e) {
      if (backend.localDirectory().isEmpty()) {
        throw backendFailure(e);
      }
      throw new DataException("cannot read run " + id
          + (name == null ? "" : " (" + Values.printable(name) + ")")
          + " in " + describe() + ": " + Secrets.redact(reason(e)), e);
    } catch (UnsupportedOperationException e) {
      throw new UserException(Secrets.redact(e.getMessage()));
    } catch (IllegalArgumentException e) {
      // the backend will not read the run (one deleted on an MLflow server says so)
      throw new UserException(Secrets.redact(String.valueOf(e.getMessage())));
    }
  }

  /**
   * The run a user named: a full id, a unique id prefix, or a unique run name.
   *
   * @throws UserException when no run or several runs match
   */
  RunData resolve(String ref) {
    if (FULL_ID.matcher(ref).matches()) {
      Optional<RunData> run = read(ref);
      if (run.isPresent()) {
        return run.get();
      }
    }
    Map<String, RunInfo> matches = new LinkedHashMap<>();
    List<RunInfo> all = list(null);
    for (RunInfo info : all) {
      if (info.id().startsWith(ref)) {
        matches.put(info.id(), info);
      }
    }
    if (matches.isEmpty()) {
      for (RunInfo info : all) {
        if (ref.equals(info.name())) {
          matches.put(info.id(), info);
        }
      }
    }
    if (matches.isEmpty()) {
      throw new UserException("no run '" + ref + "' in " + describe()
          + " (give a run id, a unique id prefix or a unique run name)");
    }
    if (matches.size() > 1) {
      List<String> names = new ArrayList<>();
      for (RunInfo info : matches.values()) {
        names.add(RunViews.shortId(info.id()) + " (" + info.name() + ")");
      }
      throw new UserException("'" + ref + "' matches " + matches.size() + " runs: "
          + String.join(", ", names) + "; give more of the run id");
    }
    String id = matches.keySet().iterator().next();
    return read(id).orElseThrow(() -> new UserException("no run '" + ref + "' in "
        + describe() + " (it was removed while being read)"));
  }

  /** The runs named, in order, each once. */
  List<RunData> resolveAll(List<String> refs) {
    Map<String, RunData> out = new LinkedHashMap<>();
    for (String ref : refs) {
      RunData run = resolve(ref);
      out.putIfAbsent(run.info().id(), run);
    }
    return new ArrayList<>(out.values());
  }

  /** Runs a read, turning the backend's failures into the command's. */
  <T> T call(Read<T> read) {
    try {
      return read.get();
    } catch (IOException | UncheckedIOException | TrackerException e) {
      throw backendFailure(e);
    } catch (UnsupportedOperationException e) {
      throw new UserException(Secrets.redact(e.getMessage()));
    }
  }

  private BackendException backendFailure(Exception e) {
    return new BackendException("cannot read from " + describe() + ": "
        + Secrets.redact(message(e)), e);
  }

  /**
   * The message of a failure, after its kind unless it is a plain {@link IOException}: {@code
   * AccessDeniedException: /srv/runs} (the message alone would be only a path).
   */
  static String reason(Throwable e) {
    if (e instanceof UncheckedIOException && e.getCause() != null) {
      e = e.getCause();
    }
    String m = e.getMessage();
    if (e.getClass() == IOException.class && m != null && !m.isBlank()) {
      return m;
    }
    return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    if (e instanceof UncheckedIOException && e.getCause() != null) {
      m = e.getCause().getMessage();
      e = e.getCause();
    }
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  @Override
  public void close() {
    try {
      backend.close();
    } catch (IOException | RuntimeException e) {
      throw new BackendException("cannot close " + describe() + ": "
          + Secrets.redact(message(e)), e);
    }
  }
}
