package dev.tracker.cli;

import dev.tracker.RunData;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.DirectDelivery;
import dev.tracker.spi.JournalReplay;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tracker sync --to http://host:5000 [RUN…]}: uploads local runs to an MLflow server, only
 * what it does not have yet.
 */
@Command(name = "sync", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Uploads local runs (params, every metric point, tags, artifacts, status and"
        + " times) to an MLflow server.",
        "What was sent is recorded in each local run (tags tracker.sync.<server>.*), so running"
        + " it again sends only what is new, and an interrupted sync continues where it stopped."})
final class SyncCommand implements Callable<Integer> {
  /** The most metric points per request, MLflow's limit for runs/log-batch. */
  static final int DEFAULT_BATCH_SIZE = 1000;

  private final Cli cli;

  @Option(names = "--from", paramLabel = "URI",
      description = "The local runs (default: tracker.uri or TRACKER_URI when it is a file: URI,"
          + " else file:./runs).")
  String from;

  @Option(names = "--to", paramLabel = "URI", required = true,
      description = "The MLflow server, e.g. http://localhost:5000 (credentials as for the"
          + " library: MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN).")
  String to;

  @Option(names = {"-e", "--experiment"}, paramLabel = "NAME",
      description = "Without RUNs: only the runs of this experiment (default: every run).")
  String experiment;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1000",
      description = "Metric points per request (default and most: 1000).")
  int batchSize = DEFAULT_BATCH_SIZE;

  @Parameters(paramLabel = "RUN", arity = "0..*",
      description = "The runs to upload (ids, id prefixes or names; their parent runs come"
          + " along); default: every local run.")
  List<String> runs;

  SyncCommand(Cli cli) {
    this.cli = cli;
  }

  /** The default source: the configured URI when it is a file root, else file:./runs. */
  String defaultFrom() {
    String configured = cli.defaultUri();
    return isFile(Cli.parseUri(configured)) ? configured : dev.tracker.Tracker.DEFAULT_URI;
  }

  private static boolean isFile(URI uri) {
    String scheme = uri.getScheme();
    return scheme == null || scheme.length() == 1 || scheme.equalsIgnoreCase("file");
  }

  @Override
  public Integer call() {
    if (batchSize < 1 || batchSize > DEFAULT_BATCH_SIZE) {
      throw new UserException("--batch-size must be between 1 and " + DEFAULT_BATCH_SIZE
          + " but was " + batchSize);
    }
    String source = from != null ? from : defaultFrom();
    URI target = Cli.parseUri(to);
    if (Cli.parseUri(source).equals(target)) {
      throw new UserException("--from and --to are the same: " + Syncer.Target.of(target).uri());
    }
    Syncer.Target t = Syncer.Target.of(target);
    try (RunStore local = cli.open(source); RunStore remote = new RunStore(cli.backend(to));
        DirectDelivery delivery = DirectDelivery.to(remote.backend())) {
      int journalRefused = deliverJournal(remote);
      if (from == null && (runs == null || runs.isEmpty()) && local.backend().localDirectory()
          .filter(root -> !Files.isDirectory(root)).isPresent()) {
        // no runs folder here: pushing what the journal holds was the whole job
        cli.err.println("no runs folder " + local.describe() + " to sync (give one with --from);"
            + " the journal for " + remote.describe() + " is synced");
        return journalRefused > 0 ? TrackerCli.BACKEND_ERROR : TrackerCli.OK;
      }
      try (FileChannel held = lock(local, t)) {
        int code = syncRuns(local, remote, delivery, t);
        return code == TrackerCli.OK && journalRefused > 0 ? TrackerCli.BACKEND_ERROR : code;
      } catch (IOException e) {
        throw new BackendException("cannot release the sync lock in " + local.describe() + ": "
            + RunStore.message(e), e);
      }
    }
  }

  private int syncRuns(RunStore local, RunStore remote, DirectDelivery delivery,
      Syncer.Target t) {
    // a run whose files cannot be read, or that MLflow would refuse, is told and left out;
    // the others are synced
    List<DataException> leftOut = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    List<RunData> selected;
    if (runs == null || runs.isEmpty()) {
      RunStore.Listing listing = local.readEach(experiment);
      leftOut.addAll(listing.unreadable());
      selected = listing.runs();
    } else {
      selected = local.resolveAll(runs);
    }
    List<RunData> ordered = parentsFirst(withParents(selected, local, leftOut));
    if (ordered.isEmpty()) {
      reportLeftOut(leftOut);
      cli.err.println("no runs to sync in " + local.describe()
          + (experiment == null ? "" : " experiment '" + experiment + "'"));
      return leftOut.isEmpty() ? TrackerCli.OK : TrackerCli.DATA_ERROR;
    }
    Progress progress = cli.terminal ? Progress.bar(cli.out, cli.err, cli.width)
        : Progress.lines(cli.out);
    Syncer syncer = new Syncer(local.backend(), remote.backend(), delivery, t, batchSize,
        progress);
    long pending = 0;
    for (RunData r : ordered) {
      pending += syncer.pending(r);
    }
    Map<String, String> remoteIds = new LinkedHashMap<>();
    int created = 0;
    long points = 0;
    int changed = 0;
    int refusedRuns = 0;
    progress.begin(ordered.size(), pending);
    try {
      for (int i = 0; i < ordered.size(); i++) {
        RunData run = ordered.get(i);
        progress.run(i + 1, run.info().name());
        String parent = run.info().parentRunId() == null ? null
            : remoteIds.get(run.info().parentRunId());
        Syncer.Result result;
        try {
          result = syncer.sync(run, parent);
        } catch (DataException e) {
          leftOut.add(e);
          continue;
        } catch (BackendException e) {
          if (!(e.getCause() instanceof DeliveryException d)
              || d.kind() != DeliveryException.Kind.PERMANENT) {
            throw e; // the server is unreachable or failing: the next runs would fail too
          }
          // the server will never take this run (its experiment is deleted): the next may go
          refused.add(e.getMessage() + "; left out");
          refusedRuns++;
          continue;
        }
        refused.addAll(result.refused());
        remoteIds.put(run.info().id(), result.remoteId());
        created += result.created() ? 1 : 0;
        points += result.points();
        changed += result.upToDate() ? 0 : 1;
        progress.done(result.line());
      }
    } finally {
      progress.end();
    }
    reportLeftOut(leftOut);
    for (String message : refused) {
      cli.err.println("tracker sync: " + Values.printableMessage(message));
    }
    int notSynced = leftOut.size() + refusedRuns;
    cli.out.println(changed == 0 && notSynced > 0
        ? "Nothing new synced to " + t.uri() + "; " + notSynced
            + (notSynced == 1 ? " run" : " runs") + " left out"
        : changed == 0
        ? "Everything was already synced to " + t.uri() + " (" + ordered.size()
            + (ordered.size() == 1 ? " run)" : " runs)")
        : "Synced " + changed + (changed == 1 ? " run" : " runs") + " to " + t.uri() + ": "
            + created + " created, " + points
            + (points == 1 ? " metric point" : " metric points"));
    cli.out.flush();
    return !leftOut.isEmpty() ? TrackerCli.DATA_ERROR
        : refused.isEmpty() ? TrackerCli.OK : TrackerCli.BACKEND_ERROR;
  }

  /**
   * Takes {@code <root>/.tracker-sync.<target>.lock} for the sync, so that a second sync of the
   * same runs to the same server, which would create the runs and send their points again,
   * stops instead; null when the runs are not in a local folder.
   *
   * @throws BackendException when another sync holds it
   */
  private static FileChannel lock(RunStore local, Syncer.Target t) {
    Path root = local.backend().localDirectory().orElse(null);
    if (root == null || !Files.isDirectory(root)) {
      return null;
    }
    Path file = root.resolve(".tracker-sync." + t.key() + ".lock");
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this process
      }
      if (lock == null) {
        channel.close();
        throw new BackendException("another tracker sync to " + t.uri() + " from "
            + local.describe() + " is running (it holds " + file + "); run this one once it"
            + " has ended", null);
      }
      return channel;
    } catch (IOException e) {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new BackendException("cannot lock " + file + " for the sync: "
          + RunStore.message(e), e);
    }
  }

  private void reportLeftOut(List<DataException> leftOut) {
    new RunStore.Listing(List.of(), leftOut).reportUnreadable(cli.err, "tracker sync");
  }

  /**
   * Delivers what trackers left in the journal for this server (runs logged with tracker-http
   * that a process ended before delivering), before the local runs: {@code tracker sync} is the
   * way to push both.
   *
   * @return how many operations the server refused (told on stderr)
   */
  private int deliverJournal(RunStore remote) {
    JournalReplay.Result replayed;
    try {
      replayed = JournalReplay.deliver(remote.backend());
    } catch (IOException e) {
      throw new BackendException("delivering the journal for " + remote.describe()
          + " failed: " + e.getMessage(), e);
    }
    String where = remote.backend().remoteDelivery()
        .map(d -> d.journalDirectory().toString()).orElse("");
    if (replayed.operations() > 0) {
      cli.out.println("Delivered " + replayed.operations() + " journaled "
          + (replayed.operations() == 1 ? "operation" : "operations") + " of "
          + replayed.segments() + (replayed.segments() == 1 ? " segment" : " segments")
          + " from " + where);
    }
    for (String refused : replayed.refused()) {
      cli.err.println("the server refused a journaled operation: "
          + Values.printableMessage(refused));
    }
    if (replayed.held() > 0) {
      cli.err.println(replayed.held() + (replayed.held() == 1 ? " journal segment is"
          : " journal segments are") + " held by a running process and left to it");
    }
    return replayed.refused().size();
  }

  /**
   * The runs and their ancestors that exist locally; an ancestor that cannot be read goes to
   * {@code unreadable}.
   */
  private static List<RunData> withParents(List<RunData> runs, RunStore local,
      List<DataException> unreadable) {
    Map<String, RunData> all = new LinkedHashMap<>();
    for (RunData r : runs) {
      all.put(r.info().id(), r);
    }
    List<RunData> queue = new ArrayList<>(runs);
    while (!queue.isEmpty()) {
      RunData r = queue.remove(0);
      String parent = r.info().parentRunId();
      if (parent != null && !all.containsKey(parent)) {
        Optional<RunData> p;
        try {
          p = local.read(parent);
        } catch (DataException e) {
          unreadable.add(e);
          all.put(parent, null);
          continue;
        }
        if (p.isPresent()) {
          all.put(parent, p.get());
          queue.add(p.get());
        }
      }
    }
    all.values().removeIf(Objects::isNull);
    return new ArrayList<>(all.values());
  }

  /** Every parent before its children, the order otherwise kept. */
  static List<RunData> parentsFirst(List<RunData> runs) {
    Map<String, RunData> byId = new LinkedHashMap<>();
    runs.forEach(r -> byId.put(r.info().id(), r));
    List<RunData> out = new ArrayList<>();
    Set<String> placed = new HashSet<>();
    for (RunData r : runs) {
      place(r, byId, placed, out, new HashSet<>());
    }
    return out;
  }

  private static void place(RunData r, Map<String, RunData> byId, Set<String> placed,
      List<RunData> out, Set<String> visiting) {
    String id = r.info().id();
    if (placed.contains(id) || !visiting.add(id)) {
      return;
    }
    RunData parent = r.info().parentRunId() == null ? null : byId.get(r.info().parentRunId());
    if (parent != null) {
      place(parent, byId, placed, out, visiting);
    }
    placed.add(id);
    out.add(r);
  }
}
