package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.FlushResult;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the write operations of one backend: straight to the server while it answers, to the
 * spool (a {@link Journal}) from the first operation that cannot reach it, and from the spool
 * back to the server, in order, by a background thread ({@code tracker-spool}) and at every
 * flush. Operations arrive from the tracker's one dispatcher thread.
 *
 * <p>Failures are sorted three ways: the server cannot be reached (or refuses everyone: 401,
 * 403, a wrong endpoint) → spooled, kept on disk; the server refuses some records of a batch →
 * the rest delivered, the refused ones reported by key; the server refuses an operation of a run
 * (a missing run, a deleted experiment) → reported. Reports surface at the next flush.
 */
final class Courier {
  static final String RUN_ID_TAG = "tracker.runId";
  static final String PARENT_TAG = "mlflow.parentRunId";
  /** Experiment ids handed out while the server was unreachable, resolved by name later. */
  static final String PENDING = "pending:";

  private static final Logger log = LoggerFactory.getLogger(MlflowBackend.class);
  private static final long CLOSE_GRACE_MILLIS = 10_000;

  private final MlflowApi api;
  private final RetryPolicy direct;
  private final RetryPolicy background;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final InstantSource clock;
  private final Path serverDir;
  private final String server;
  private final String defaultExperimentId;

  private final Map<String, RunRef> runs = new ConcurrentHashMap<>();
  private final Map<String, String> experimentIds = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
  private final AtomicReference<String> lastReported = new AtomicReference<>();

  // Guards the spool mode, the current journal and the drainer's wake-ups.
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition idle = lock.newCondition();
  private boolean draining;
  private Journal current;
  private volatile boolean spooling;
  private boolean pendingWork;
  private Thread drainer;
  // True while the drainer waits in the sleeper: only then may close() interrupt it, since an
  // interrupt during file I/O would close the journal's channels.
  private boolean drainerSleeping;
  // One delivery from journals at a time: the drainer, a flush, close or deliverSpooled.
  private final ReentrantLock drainLock = new ReentrantLock();
  private volatile boolean closed;

  Courier(MlflowApi api, RetryPolicy direct, Sleeper sleeper, DoubleSupplier random,
      InstantSource clock, Path serverDir, String server, String defaultExperimentId) {
    this.api = api;
    this.direct = direct;
    this.background = direct.once();
    this.sleeper = sleeper;
    this.random = random;
    this.clock = clock;
    this.serverDir = serverDir;
    this.server = server;
    this.defaultExperimentId = defaultExperimentId;
  }

  /** Starts delivering sessions that earlier processes left in the spool, in the background. */
  void deliverLeftovers() throws IOException {
    if (!Spool.sessionDirectories(serverDir).isEmpty()) {
      log.info("found spooled records for {} in {}; delivering them in the background", server,
          serverDir);
      wakeDrainer();
    }
  }

  /** What a backend knows of a run it created or resumed. */
  static final class RunRef {
    final String run;
    volatile String serverId;
    volatile String experimentId;
    volatile String artifactUri;
    volatile boolean paramsKnown;
    /** Params the server holds for the run, as far as this process knows. */
    final Map<String, String> sentParams = new ConcurrentHashMap<>();

    RunRef(String run) {
      this.run = run;
    }

    String describe() {
      return "run " + run + (serverId != null && !serverId.equals(run)
          ? " (MLflow run " + serverId + ")" : "");
    }
  }

  /** The MLflow run id of a tracker run, once known. */
  Optional<String> serverRunId(String run) {
    RunRef ref = runs.get(run);
    return ref == null ? Optional.empty() : Optional.ofNullable(ref.serverId);
  }

  boolean isSpooling() {
    return spooling;
  }

  // ------------------------------------------------------------------ the dispatcher's calls

  String createExperiment(String name) throws IOException {
    String known = experimentIds.get(name);
    if (known != null) {
      return known;
    }
    if (spooling) {
      return PENDING + name;
    }
    try {
      return resolveExperiment(name, direct);
    } catch (UnreachableException e) {
      spool(null, e);
      return PENDING + name;
    } catch (MlflowServerException e) {
      if (!refusesEveryone(e)) {
        throw e;
      }
      spool(null, e);
      return PENDING + name;
    }
  }

  void createRun(RunSpec spec) throws IOException {
    runs.computeIfAbsent(spec.runId(), RunRef::new);
    String experimentId = spec.experimentId();
    if (experimentId != null && experimentId.startsWith(PENDING)) {
      experimentId = null;
    }
    submit(new Op.CreateRun(spec.runId(), experimentId, spec.experimentName(), spec.runName(),
        spec.startTime(), spec.tags(), spec.parentRunId(), spec.resume()));
  }

  void logBatch(String run, Batch batch) throws IOException {
    submit(new Op.LogBatch(run, serverIdOf(run), batch));
  }

  void logArtifact(String run, Path file, String artifactPath) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "artifact file of run " + run
          + " is missing");
    }
    submit(new Op.LogArtifact(run, serverIdOf(run), file, artifactPath));
  }

  void endRun(String run, RunStatus status, long endTime) throws IOException {
    submit(new Op.EndRun(run, serverIdOf(run), status, endTime));
  }

  /**
   * Delivered, or spooled durably. Tries the spool once first, so a flush after the server came
   * back says DELIVERED.
   */
  FlushResult flush() throws IOException {
    if (spooling) {
      drain(true, this::report);
    }
    FlushResult result = FlushResult.DELIVERED;
    lock.lock();
    try {
      if (spooling && current != null) {
        current.force();
        result = FlushResult.SPOOLED;
      }
    } finally {
      lock.unlock();
    }
    throwReported();
    return result;
  }

  /**
   * Stops the drainer, tries the spool a last time, and leaves what is left on disk. A call the
   * dispatcher still has in flight (its flush timed out) is cancelled: that operation, and any
   * handed over later, go to the spool at once.
   */
  void close() throws IOException {
    Thread d;
    lock.lock();
    try {
      closed = true;
      d = drainer;
      work.signalAll();
      if (d != null && drainerSleeping) {
        d.interrupt();
      }
    } finally {
      lock.unlock();
    }
    if (d != null) {
      try {
        d.join(CLOSE_GRACE_MILLIS);
        if (d.isAlive()) {
          api.rest().cancelAll();
          d.join(CLOSE_GRACE_MILLIS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    drainLock.lock();
    try {
      if (spooling) {
        drainCurrent(this::report);
      }
      lock.lock();
      try {
        if (current != null) {
          int left = Journal.pendingOperations(current.dir());
          if (left == 0) {
            // e.g. an artifact whose copy into the spool failed (and was reported): an empty
            // session would only be found, and warned about, by every later sync
            current.delete();
          } else {
            current.close();
            log.warn("{} operations for {} stay in the spool {}; the next tracker for this"
                + " server (with the same spool folder) or `tracker sync` delivers them", left,
                server, current.dir());
          }
          current = null;
        }
      } finally {
        lock.unlock();
      }
    } finally {
      drainLock.unlock();
      api.rest().close();
    }
    throwReported();
  }

  /**
   * Delivers the sessions that no running process holds, oldest first, now; for {@code tracker
   * sync}.
   */
  Spool.SyncResult deliverSpooled() throws IOException {
    List<String> rejected = new ArrayList<>();
    int sessions = 0;
    int operations = 0;
    int pending = 0;
    UnreachableException down = null;
    drainLock.lock();
    try {
      for (Path dir : Spool.sessionDirectories(serverDir)) {
        if (isCurrent(dir)) {
          continue;
        }
        Journal j = down == null ? Journal.adopt(dir) : null;
        if (j == null) {
          if (Files.exists(dir.resolve(Journal.JOURNAL))) {
            pending++;
          }
          continue;
        }
        Drained result;
        try {
          result = drainJournal(j, e -> rejected.add(e.getMessage()));
        } catch (IOException | RuntimeException e) {
          j.close();
          throw e;
        }
        operations += result.operations;
        if (result.stoppedBy == null) {
          j.delete();
          sessions++;
        } else {
          j.close();
          pending++;
          down = result.stoppedBy;
        }
      }
    } finally {
      drainLock.unlock();
    }
    if (down != null) {
      throw new TrackerException("delivered " + sessions + " spooled sessions (" + operations
          + " operations) to " + server + "; " + pending + " stay in " + serverDir + ": "
          + down.getMessage(), down);
    }
    return new Spool.SyncResult(sessions, operations, pending, rejected);
  }

  // ------------------------------------------------------------------------------- delivery

  private String serverIdOf(String run) {
    RunRef ref = runs.get(run);
    return ref == null ? null : ref.serverId;
  }

  private void submit(Op op) throws IOException {
    lock.lock();
    try {
      if (spooling) {
        journal().append(withServerRun(op));
        releaseIfClosed();
        return;
      }
    } finally {
      lock.unlock();
    }
    try {
      deliver(op, direct, null);
    } catch (Undelivered u) {
      spool(u.remaining, (IOException) u.getCause());
    } catch (MlflowServerException e) {
      if (!refusesEveryone(e)) {
        throw e;
      }
      spool(op, e);
    }
  }

  /** Appends to the spool, entering spool mode; {@code op} may be null. */
  private void spool(Op op, Exception cause) throws IOException {
    lock.lock();
    try {
      Journal j = journal();
      if (op != null) {
        j.append(withServerRun(op));
      }
      if (!spooling) {
        spooling = true;
        log.error("{} cannot take records ({}); spooling them to {} and delivering them when it"
            + " can", server, cause.getMessage(), j.dir());
      }
      if (cause instanceof MlflowServerException
          || (cause instanceof UnreachableException u && u.isTls())) {
        report(cause);
      }
      releaseIfClosed();
    } finally {
      lock.unlock();
    }
    wakeDrainer();
  }

  // After close nothing delivers this process's spool: leave each late operation in a session
  // of its own, unlocked, for the next process (sessions sort in the order they were started).
  private void releaseIfClosed() throws IOException {
    if (closed && current != null) {
      current.close();
      current = null;
    }
  }

  /** The current session, started when there is none (also after close). Under the lock. */
  private Journal journal() throws IOException {
    if (current == null) {
      Spool.writeServerFile(serverDir, server);
      current = Journal.create(serverDir, server, clock.millis());
    }
    return current;
  }

  private Op withServerRun(Op op) {
    String s = serverIdOf(op.run());
    if (s == null) {
      return op;
    }
    if (op instanceof Op.LogBatch b && b.serverRun() == null) {
      return new Op.LogBatch(b.run(), s, b.batch());
    }
    if (op instanceof Op.LogArtifact a && a.serverRun() == null) {
      return new Op.LogArtifact(a.run(), s, a.file(), a.path());
    }
    if (op instanceof Op.EndRun e && e.serverRun() == null) {
      return new Op.EndRun(e.run(), s, e.status(), e.endTime());
    }
    return op;
  }

  /**
   * Sends one operation.
   *
   * @param journal the journal it comes from, or null when it comes from the dispatcher
   * @throws Undelivered when the server could not be reached: spool {@code remaining}
   * @throws RejectedRecordsException when some records of a batch were refused, the rest sent
   */
  private void deliver(Op op, RetryPolicy p, Journal journal) throws IOException {
    try {
      if (op instanceof Op.CreateRun c) {
        deliverCreate(c, p, journal);
      } else if (op instanceof Op.LogBatch b) {
        deliverBatch(b, p, journal);
      } else if (op instanceof Op.LogArtifact a) {
        deliverArtifact(a, p, journal);
      } else if (op instanceof Op.EndRun e) {
        RunRef ref = created(e.run(), e.serverRun(), journal, "its end");
        api.updateRun(ref.serverId, e.status(), e.endTime(), p);
        ref.sentParams.clear();
      }
    } catch (UnreachableException e) {
      throw new Undelivered(op, e);
    }
  }

  private RunRef created(String run, String serverRun, Journal journal, String what)
      throws IOException {
    RunRef ref = runs.computeIfAbsent(run, RunRef::new);
    if (ref.serverId == null) {
      String s = serverRun != null ? serverRun : journal == null ? null : journal.serverRun(run);
      ref.serverId = s;
    }
    if (ref.serverId == null) {
      throw new IOException("run " + run + " was not created on " + server
          + " (its creation failed, see the earlier error), so " + what + " cannot be sent");
    }
    return ref;
  }

  private void deliverCreate(Op.CreateRun c, RetryPolicy p, Journal journal)
      throws IOException {
    RunRef ref = runs.computeIfAbsent(c.run(), RunRef::new);
    if (c.resume()) {
      Optional<Dto.Run> existing = findRun(c.run(), p);
      if (existing.isPresent()) {
        Dto.Run r = existing.get();
        // RUNNING again, and end time 0 (MLflow keeps an end time it is not given): not ended
        api.updateRun(r.id(), RunStatus.RUNNING, 0, p);
        ref.experimentId = r.experimentId();
        ref.artifactUri = r.artifactUri();
        ref.sentParams.putAll(r.params());
        ref.paramsKnown = true;
        ref.serverId = r.id();
        if (journal != null) {
          journal.recordRun(c.run(), r.id());
        }
        log.info("resuming MLflow run {} of experiment {}: {}", r.id(), r.experimentId(),
            uiUrl(r.experimentId(), r.id()));
        return;
      }
      log.warn("run {} to resume (MLFLOW_RUN_ID / resumeRun) does not exist on {}; creating it,"
          + " tagged {}={}", c.run(), server, RUN_ID_TAG, c.run());
    }
    String experimentId = c.experimentId() != null ? c.experimentId()
        : resolveExperiment(c.experimentName(), p);
    Map<String, String> tags = new TreeMap<>(c.tags());
    tags.put(RUN_ID_TAG, c.run());
    if (c.parent() != null) {
      RunRef parent = runs.get(c.parent());
      String parentId = parent != null && parent.serverId != null ? parent.serverId
          : journal == null ? null : journal.serverRun(c.parent());
      if (parentId != null) {
        tags.put(PARENT_TAG, parentId);
      } else {
        tags.remove(PARENT_TAG);
        log.warn("the parent of run {} ({}) was not created on {}; the run is created without"
            + " one", c.run(), c.parent(), server);
      }
    }
    List<String> experiments = List.of(experimentId);
    Rest.BeforeRetry lookup = () -> api.findRunByTrackerId(experiments, c.run(), p.once());
    JsonNode found = null;
    if (journal != null) {
      // an earlier attempt may have created the run although its answer was lost
      String known = journal.serverRun(c.run());
      if (known != null) {
        ref.experimentId = experimentId;
        ref.serverId = known;
        return;
      }
      found = lookup.check();
    }
    Dto.Run r = found != null ? Dto.Run.from(found.path("run"))
        : api.createRun(experimentId, c.runName(), c.startTime(), tags, p, lookup);
    ref.experimentId = r.experimentId() != null ? r.experimentId() : experimentId;
    ref.artifactUri = r.artifactUri();
    // a run found rather than created may hold params already: read them before sending any
    ref.paramsKnown = found == null;
    ref.serverId = r.id();
    if (journal != null) {
      journal.recordRun(c.run(), r.id());
    }
    log.info("run '{}' ({}) is MLflow run {} in experiment '{}' (id {}): {}", c.runName(),
        c.run(), r.id(), c.experimentName(), ref.experimentId, uiUrl(ref.experimentId, r.id()));
  }

  private void deliverArtifact(Op.LogArtifact a, RetryPolicy p, Journal journal)
      throws IOException {
    RunRef ref = created(a.run(), a.serverRun(), journal, "artifact '" + a.path() + "'");
    if (!Files.isRegularFile(a.file())) {
      throw new NoSuchFileException(a.file().toString(), null, "artifact '" + a.path() + "' of "
          + ref.describe() + " is missing");
    }
    if (ref.artifactUri == null) {
      Dto.Run r = api.run(ref.serverId, p).orElseThrow(() -> new TrackerException(
          ref.describe() + " does not exist on " + server));
      ref.artifactUri = r.artifactUri();
    }
    HttpUrl root = ArtifactLocation.resolve(api.rest().base(), ref.artifactUri, ref.describe());
    HttpUrl url = root.newBuilder().addPathSegments(a.path()).build();
    api.upload(url, a.file(), a.path(), p);
  }

  private void deliverBatch(Op.LogBatch b, RetryPolicy p, Journal journal) throws IOException {
    RunRef ref = created(b.run(), b.serverRun(), journal,
        "its batch of " + b.batch().size() + " records");
    String runId = ref.serverId;
    List<Wire.Entity> all = Wire.entities(b.batch());
    int skip = journal == null ? 0 : Math.min(journal.entitiesDelivered(), all.size());
    if (!ref.paramsKnown && !b.batch().params().isEmpty()) {
      // never send a param with another value than the server holds: learn what it holds
      api.run(runId, p).ifPresent(r -> ref.sentParams.putAll(r.params()));
      ref.paramsKnown = true;
    }
    List<RejectedRecordsException.Rejected> rejected = new ArrayList<>();
    List<Wire.Entity> send = new ArrayList<>();
    Map<String, String> inBatch = new HashMap<>();
    for (Wire.Entity e : all.subList(skip, all.size())) {
      if (e.kind() == Wire.Kind.PARAM) {
        String held = ref.sentParams.get(e.key());
        String earlier = held != null ? held : inBatch.get(e.key());
        if (earlier != null) {
          if (!earlier.equals(e.value())) {
            rejected.add(new RejectedRecordsException.Rejected("param", e.key(),
                "already logged with value '" + abbreviate(earlier)
                    + "'; params are write-once, so the value '" + abbreviate(e.value())
                    + "' was not sent"));
          }
          continue;
        }
        inBatch.put(e.key(), e.value());
      }
      send.add(e);
    }
    int delivered = 0;
    for (List<Wire.Entity> chunk : Wire.chunks(runId, send)) {
      List<RejectedRecordsException.Rejected> refused = List.of();
      try {
        try {
          api.logBatch(Wire.body(runId, chunk), p);
        } catch (MlflowServerException e) {
          if (e.status() != 400 || refusesRun(e)) {
            throw e;
          }
          refused = isolate(runId, chunk, e, p);
        }
      } catch (UnreachableException e) {
        int from = chunk.get(0).index();
        throw new Undelivered(new Op.LogBatch(b.run(), runId,
            Wire.batchOf(all.subList(from, all.size()))), e);
      }
      Set<String> refusedParams = new HashSet<>();
      for (RejectedRecordsException.Rejected r : refused) {
        if (r.kind().equals("param")) {
          refusedParams.add(r.key());
        }
      }
      for (Wire.Entity e : chunk) {
        if (e.kind() == Wire.Kind.PARAM && !refusedParams.contains(e.key())) {
          ref.sentParams.put(e.key(), e.value());
        }
      }
      rejected.addAll(refused);
      delivered += chunk.size() - refused.size();
      if (journal != null) {
        journal.delivered(chunk.get(chunk.size() - 1).index() + 1);
      }
    }
    if (!rejected.isEmpty()) {
      throw new RejectedRecordsException(ref.describe(), delivered, rejected);
    }
  }

  /**
   * Finds the records the server refused in a chunk it answered 400, delivering the others: a
   * param the message names is taken out first (MLflow names the param that conflicts), then
   * the chunk is halved until each refused record stands alone.
   */
  private List<RejectedRecordsException.Rejected> isolate(String runId,
      List<Wire.Entity> chunk, MlflowServerException cause, RetryPolicy p) throws IOException {
    List<RejectedRecordsException.Rejected> out = new ArrayList<>();
    if (chunk.size() == 1) {
      Wire.Entity e = chunk.get(0);
      out.add(new RejectedRecordsException.Rejected(e.kind().word, e.key(), reason(cause)));
      return out;
    }
    String message = cause.serverMessage();
    List<Wire.Entity> named = new ArrayList<>();
    List<Wire.Entity> rest = new ArrayList<>();
    for (Wire.Entity e : chunk) {
      if (e.kind() == Wire.Kind.PARAM && (message.contains("'" + e.key() + "'")
          || message.contains("\"" + e.key() + "\""))) {
        named.add(e);
      } else {
        rest.add(e);
      }
    }
    if (!named.isEmpty() && !rest.isEmpty()) {
      for (Wire.Entity e : named) {
        out.add(new RejectedRecordsException.Rejected("param", e.key(), reason(cause)));
      }
      sendOrIsolate(runId, rest, p, out);
      return out;
    }
    int half = chunk.size() / 2;
    sendOrIsolate(runId, chunk.subList(0, half), p, out);
    sendOrIsolate(runId, chunk.subList(half, chunk.size()), p, out);
    return out;
  }

  private void sendOrIsolate(String runId, List<Wire.Entity> part, RetryPolicy p,
      List<RejectedRecordsException.Rejected> out) throws IOException {
    try {
      api.logBatch(Wire.body(runId, part), p);
    } catch (MlflowServerException e) {
      if (e.status() != 400 || refusesRun(e)) {
        throw e;
      }
      out.addAll(isolate(runId, part, e, p));
    }
  }

  /**
   * The run with this MLflow id, or else the run tagged {@value #RUN_ID_TAG} with it in any
   * experiment; empty when neither exists.
   */
  Optional<Dto.Run> findRun(String id, RetryPolicy p) throws IOException {
    try {
      Optional<Dto.Run> r = api.run(id, p);
      if (r.isPresent()) {
        return r;
      }
    } catch (MlflowServerException e) {
      if (e.status() != 400) {
        throw e; // 400: not something MLflow takes for a run id; perhaps the tracker's
      }
    }
    List<String> experiments = new ArrayList<>();
    for (Dto.Experiment e : api.searchExperiments(p)) {
      experiments.add(e.id());
    }
    JsonNode found = api.findRunByTrackerId(experiments, id, p);
    return found == null ? Optional.empty() : Optional.of(Dto.Run.from(found.path("run")));
  }

  private String resolveExperiment(String name, RetryPolicy p) throws IOException {
    String id = experimentIds.get(name);
    if (id != null) {
      return id;
    }
    if (defaultExperimentId != null && Tracker.DEFAULT_EXPERIMENT.equals(name)) {
      id = defaultExperimentId;
    } else {
      Optional<Dto.Experiment> e = api.experimentByName(name, p);
      if (e.isPresent()) {
        id = checkActive(e.get());
      } else {
        try {
          id = api.createExperiment(name, p);
          log.info("created experiment '{}' (id {}) on {}", name, id, server);
        } catch (MlflowServerException x) {
          if (!"RESOURCE_ALREADY_EXISTS".equals(x.errorCode())) {
            throw x;
          }
          // another process created it meanwhile
          id = checkActive(api.experimentByName(name, p).orElseThrow(() -> x));
        }
      }
    }
    experimentIds.put(name, id);
    return id;
  }

  private String checkActive(Dto.Experiment e) {
    if (e.isDeleted()) {
      throw new TrackerException("experiment '" + e.name() + "' (id " + e.id() + ") is deleted on "
          + server + "; restore it (mlflow experiments restore --experiment-id " + e.id()
          + ") or log to another experiment");
    }
    return e.id();
  }

  // 401, 403, and a 404 or 405 that is not MLflow's: nothing gets through; keep everything.
  private static boolean refusesEveryone(MlflowServerException e) {
    int s = e.status();
    return s == 401 || s == 403 || s == 405
        || (s == 404 && (e.errorCode() == null || "ENDPOINT_NOT_FOUND".equals(e.errorCode())));
  }

  // The run itself cannot take records: halving the batch would not help.
  private static boolean refusesRun(MlflowServerException e) {
    return e.serverMessage().contains("must be in the 'active' state")
        || "RESOURCE_DOES_NOT_EXIST".equals(e.errorCode());
  }

  private static String reason(MlflowServerException e) {
    return (e.errorCode() == null ? "HTTP " + e.status() : e.errorCode())
        + (e.serverMessage().isEmpty() ? "" : ": " + e.serverMessage());
  }

  private static String abbreviate(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "…";
  }

  private String uiUrl(String experimentId, String runId) {
    String base = api.rest().base().toString().replaceAll("/+$", "");
    return base + "/#/experiments/" + experimentId + "/runs/" + runId;
  }

  // ------------------------------------------------------------------------------- the spool

  private static final class Drained {
    int operations;
    UnreachableException stoppedBy;
  }

  /**
   * Delivers a journal's operations in order until it is empty or the server cannot be
   * reached. Refused operations are reported and skipped; they would be refused again.
   */
  private Drained drainJournal(Journal j, Consumer<Exception> report) throws IOException {
    Drained result = new Drained();
    Journal.Entry e;
    while ((e = j.next()) != null) {
      if (e.op() == null) {
        report.accept(new IOException(e.problem()));
        j.advance(e.end());
        continue;
      }
      try {
        deliver(e.op(), background, j);
        result.operations++;
      } catch (Undelivered u) {
        result.stoppedBy = (UnreachableException) u.getCause();
        if (result.stoppedBy.isTls()) {
          report.accept(result.stoppedBy);
        }
        return result;
      } catch (RejectedRecordsException x) {
        result.operations++; // the rest of its records were delivered
        report.accept(x);
      } catch (MlflowServerException x) {
        if (refusesEveryone(x)) {
          report.accept(x);
          result.stoppedBy = new UnreachableException(x.getMessage(), null, false);
          return result;
        }
        report.accept(x);
      } catch (IOException | RuntimeException x) {
        report.accept(x);
      }
      j.advance(e.end());
    }
    return result;
  }

  /** Delivers the current session; leaves spool mode when it is empty. */
  private boolean drainCurrent(Consumer<Exception> report) throws IOException {
    while (true) {
      Journal cur;
      lock.lock();
      try {
        cur = current;
      } finally {
        lock.unlock();
      }
      if (cur == null || !spooling) {
        return true;
      }
      Drained d = drainJournal(cur, report);
      if (d.stoppedBy != null) {
        return false;
      }
      if (d.operations == 0 && !answers()) {
        return false; // nothing was sent: leave spool mode only for a server that answers
      }
      lock.lock();
      try {
        if (cur.isDrained()) {
          current = null;
          spooling = false;
          cur.delete();
          lastReported.set(null);
          log.info("{} takes records again; the spool was delivered", server);
          return true;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * One delivery attempt: the current session, and unless {@code currentOnly} the sessions of
   * earlier processes. True when nothing is left that this backend can deliver.
   */
  private boolean drain(boolean currentOnly, Consumer<Exception> report) throws IOException {
    drainLock.lock();
    try {
      if (!currentOnly) {
        for (Path dir : Spool.sessionDirectories(serverDir)) {
          if (closed) {
            return false;
          }
          if (isCurrent(dir)) {
            continue;
          }
          Journal j = Journal.adopt(dir);
          if (j == null) {
            continue;
          }
          Drained d;
          try {
            d = drainJournal(j, report);
          } catch (IOException | RuntimeException e) {
            j.close();
            throw e;
          }
          if (d.stoppedBy != null) {
            j.close();
            return false;
          }
          j.delete();
          log.info("delivered {} spooled operations of session {} to {}", d.operations, j.id(),
              server);
        }
      }
      return drainCurrent(report);
    } finally {
      drainLock.unlock();
    }
  }

  /** True when the server answers (a 404 counts; a refusal of everyone does not). */
  private boolean answers() throws IOException {
    try {
      api.experimentByName(Tracker.DEFAULT_EXPERIMENT, background);
      return true;
    } catch (UnreachableException e) {
      return false;
    } catch (MlflowServerException e) {
      return !refusesEveryone(e);
    }
  }

  private boolean isCurrent(Path dir) {
    lock.lock();
    try {
      return current != null && current.dir().equals(dir);
    } finally {
      lock.unlock();
    }
  }

  private void wakeDrainer() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      pendingWork = true;
      if (drainer == null) {
        drainer = new Thread(this::drainLoop, "tracker-spool");
        drainer.setDaemon(true);
        drainer.start();
      }
      work.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The background delivery: waits for work, tries, backs off while the server is away. */
  private void drainLoop() {
    int failed = 0;
    while (true) {
      lock.lock();
      try {
        while (!pendingWork && !closed) {
          work.await();
        }
        if (closed) {
          return;
        }
        pendingWork = false;
        draining = true; // in the same step, so that awaitDelivered never sees neither
      } catch (InterruptedException e) {
        // only close() interrupts this thread, and only while it sleeps: look at closed again
        continue;
      } finally {
        lock.unlock();
      }
      boolean done = false;
      api.rest().takeRetryAfter(); // only what the server says during this round counts
      try {
        done = drain(false, this::report);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable t) {
        // the drainer never dies: what it could not deliver stays in the spool
        log.error("delivering the spool to {} failed; retrying", server, t);
      }
      lock.lock();
      try {
        draining = false;
        if (!done) {
          pendingWork = true; // try again after the back-off; in the same step as draining
        }
        idle.signalAll();
      } finally {
        lock.unlock();
      }
      if (done) {
        failed = 0;
        continue;
      }
      if (closed) {
        return;
      }
      failed++;
      Duration delay = drainDelay(failed, api.rest().takeRetryAfter());
      log.debug("spool for {} not delivered yet; next attempt in {} ms", server,
          delay.toMillis());
      lock.lock();
      try {
        if (closed) {
          return;
        }
        drainerSleeping = true;
        idle.signalAll();
      } finally {
        lock.unlock();
      }
      try {
        sleeper.sleep(delay);
      } catch (InterruptedException e) {
        // woken by close()
      } finally {
        lock.lock();
        try {
          drainerSleeping = false;
          Thread.interrupted(); // an interrupt meant for the sleep must not reach file I/O
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /**
   * The drainer's wait after {@code failed} rounds in a row: its own back-off, or the server's
   * {@code Retry-After} (capped by the longest back-off) when that is longer.
   */
  private Duration drainDelay(int failed, Duration retryAfter) {
    double r = random.getAsDouble();
    Duration backoff = direct.delay(Math.min(failed, 30), null, r);
    if (retryAfter == null) {
      return backoff;
    }
    Duration asked = direct.delay(failed, retryAfter, r);
    return asked.compareTo(backoff) > 0 ? asked : backoff;
  }

  /**
   * Waits until the background delivery has nothing left to do (for tests): true when it got
   * there within the timeout.
   */
  boolean awaitDelivered(Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while ((pendingWork || draining || spooling) && nanos > 0) {
        nanos = idle.awaitNanos(nanos);
      }
      return !(pendingWork || draining || spooling);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the background delivery is not working: waiting for work, or waiting after an
   * attempt that failed (for tests).
   */
  boolean awaitQuiet(Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while ((draining || (pendingWork && !drainerSleeping && drainer != null)) && nanos > 0) {
        nanos = idle.awaitNanos(nanos);
      }
      return !(draining || (pendingWork && !drainerSleeping && drainer != null));
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------------------- reports

  /**
   * Keeps a failure for the next flush; the same failure again (the spool retried against the
   * same refusal) is not reported twice until the spool was delivered.
   */
  private void report(Exception e) {
    String m = String.valueOf(e.getMessage());
    if (m.equals(lastReported.getAndSet(m))) {
      return;
    }
    log.error("{}", m);
    failures.add(e);
  }

  private void throwReported() throws IOException {
    List<Exception> list = new ArrayList<>();
    Exception e;
    while ((e = failures.poll()) != null) {
      list.add(e);
    }
    if (list.isEmpty()) {
      return;
    }
    Exception first = list.get(0);
    if (list.size() == 1) {
      if (first instanceof IOException io) {
        throw io;
      }
      if (first instanceof RuntimeException re) {
        throw re;
      }
    }
    TrackerException out = new TrackerException(list.size() == 1 ? first.getMessage()
        : list.size() + " operations failed on " + server + "; the first: " + first.getMessage(),
        first);
    for (Exception other : list.subList(1, list.size())) {
      out.addSuppressed(other);
    }
    throw out;
  }
}
