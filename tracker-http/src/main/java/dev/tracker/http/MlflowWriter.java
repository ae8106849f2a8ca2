package dev.tracker.http;

import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.spi.Batch;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each write operation into MLflow requests, once, and classifies what goes wrong for the
 * delivery layer in core (see {@link DeliveryException}): it never retries, sleeps or spools.
 * Called from one thread at a time (the tracker's uploader).
 *
 * <p>Repeatable: a run creation that may have reached the server before (after a failed attempt,
 * or replayed from a journal with {@code resume}) looks for the run tagged with the tracker's id
 * before creating one; a param is never sent with another value than the server holds.
 */
final class MlflowWriter {
  static final String RUN_ID_TAG = "tracker.runId";
  static final String PARENT_TAG = "mlflow.parentRunId";

  private static final Logger log = LoggerFactory.getLogger(MlflowBackend.class);

  private final MlflowApi api;
  private final String server;
  private final String defaultExperimentId;
  private final Map<String, RunRef> runs = new ConcurrentHashMap<>();
  private final Map<String, String> experimentIds = new ConcurrentHashMap<>();
  private final Set<String> attempted = ConcurrentHashMap.newKeySet();

  MlflowWriter(MlflowApi api, String server, String defaultExperimentId) {
    this.api = api;
    this.server = server;
    this.defaultExperimentId = defaultExperimentId;
  }

  /** What this backend knows of a run it created or attached to. */
  static final class RunRef {
    final String run;
    volatile String serverId;
    volatile String artifactUri;
    /** Params the server holds for the run, as far as this process knows. */
    final Map<String, String> sentParams = new ConcurrentHashMap<>();

    RunRef(String run) {
      this.run = run;
    }

    /**
     * Takes the server's params, artifact location and id of the run (the id last): a run found
     * rather than created may hold params already, and a param is never sent with another value.
     */
    void attach(Dto.Run r) {
      sentParams.putAll(r.params());
      artifactUri = r.artifactUri();
      serverId = r.id();
    }

    String describe() {
      return "run " + run + (serverId != null && !serverId.equals(run)
          ? " (MLflow run " + serverId + ")" : "");
    }
  }

  /** The MLflow run id of a tracker run, once known. */
  Optional<String> serverRunId(String run) {
    RunRef ref = runs.get(run);
    return Optional.ofNullable(ref == null ? null : ref.serverId);
  }

  // ------------------------------------------------------------------------------ operations

  String createExperiment(String name) throws IOException {
    return classified(() -> resolveExperiment(name));
  }

  void createRun(RunSpec spec) throws IOException {
    classified(() -> create(spec));
  }

  void logBatch(String run, Batch batch) throws IOException {
    String what = "its batch of " + batch.size() + " records";
    RunRef ref = created(run, what);
    onRun(ref, what, () -> sendBatch(ref, batch));
  }

  void logArtifact(String run, Path file, String artifactPath) throws IOException {
    RunRef ref = created(run, "artifact '" + artifactPath + "'");
    if (!Files.isRegularFile(file)) {
      throw DeliveryException.permanent("artifact '" + artifactPath + "' of " + ref.describe()
          + " is missing: " + file, null);
    }
    classified(() -> {
      if (ref.artifactUri == null) {
        ref.artifactUri = api.run(ref.serverId).orElseThrow(() -> DeliveryException.permanent(
            ref.describe() + " does not exist on " + server, null)).artifactUri();
      }
      HttpUrl root;
      try {
        root = ArtifactLocation.resolve(api.rest().base(), ref.artifactUri, ref.describe());
      } catch (TrackerException e) {
        throw DeliveryException.permanent(e.getMessage(), e);
      }
      api.upload(root.newBuilder().addPathSegments(artifactPath).build(), file, artifactPath);
      return null;
    });
  }

  void endRun(String run, RunStatus status, long endTime) throws IOException {
    RunRef ref = created(run, "its end");
    onRun(ref, "its end", () -> {
      api.updateRun(ref.serverId, status, endTime);
      return null;
    });
    ref.sentParams.clear();
  }

  /**
   * The run, created or attached to by this backend, or found on the server by its id; a run
   * deleted on the server takes nothing ({@code what} cannot be sent).
   */
  RunRef created(String run, String what) throws IOException {
    RunRef ref = runs.computeIfAbsent(run, RunRef::new);
    if (ref.serverId == null) {
      Optional<Dto.Run> found = classified(() -> findRun(run));
      if (found.isPresent() && found.get().isDeleted()) {
        throw DeliveryException.permanent(notSent(deleted(found.get()), what,
            found.get().id()), null);
      }
      found.ifPresent(ref::attach);
    }
    if (ref.serverId == null) {
      throw DeliveryException.permanent("run " + run + " does not exist on " + server
          + " (its creation failed, see the earlier error), so " + what + " cannot be sent",
          null);
    }
    return ref;
  }

  // ----------------------------------------------------------------------------- creating

  private Void create(RunSpec c) throws IOException {
    RunRef ref = runs.computeIfAbsent(c.runId(), RunRef::new);
    if (c.resume()) {
      Optional<Dto.Run> existing = findRun(c.runId());
      if (existing.isPresent()) {
        Dto.Run r = existing.get();
        if (r.isDeleted()) {
          throw DeliveryException.permanent("cannot resume " + deleted(r) + "; "
              + restore(r.id()) + " to go on with it, or start a new run", null);
        }
        // RUNNING again, and end time 0 (MLflow keeps an end time it is not given)
        api.updateRun(r.id(), RunStatus.RUNNING, 0);
        ref.attach(r);
        addMissingTags(ref, r, c);
        log.info("attached to MLflow run {} of experiment {}: {}", r.id(), r.experimentId(),
            uiUrl(r.experimentId(), r.id()));
        return null;
      }
    }
    String experimentId = c.experimentId() != null ? c.experimentId()
        : resolveExperiment(c.experimentName());
    Map<String, String> tags = new TreeMap<>(c.tags());
    tags.put(RUN_ID_TAG, c.runId());
    // the parent, or a parent tag given by hand: MLflow nests under the parent's MLflow id
    String parent = c.parentRunId() != null ? c.parentRunId() : tags.get(PARENT_TAG);
    if (parent != null) {
      String parentId = parentServerId(parent).orElse(null);
      if (parentId != null) {
        tags.put(PARENT_TAG, parentId);
      } else {
        tags.remove(PARENT_TAG);
        log.warn("the parent of run {} ({}) was not created on {}; the run is created without"
            + " one", c.runId(), parent, server);
      }
    }
    // an earlier attempt may have created the run although its answer was lost
    Optional<Dto.Run> found = attempted.add(c.runId()) ? Optional.empty()
        : api.findRunByTrackerId(List.of(experimentId), c.runId());
    Dto.Run r = found.isPresent() ? found.get()
        : api.createRun(experimentId, c.runName(), c.startTime(), tags);
    ref.attach(r);
    String in = r.experimentId() != null ? r.experimentId() : experimentId;
    log.info("run '{}' ({}) is MLflow run {} in experiment '{}' (id {}): {}", c.runName(),
        c.runId(), r.id(), c.experimentName(), in, uiUrl(in, r.id()));
    return null;
  }

  /**
   * Adds to a resumed run the start's tags it does not hold yet, as the file backend does; the
   * tags it holds keep their values, and the parent is never changed. A tag the server refuses
   * is named in a WARN: the run is resumed all the same.
   */
  private void addMissingTags(RunRef ref, Dto.Run r, RunSpec c) throws IOException {
    List<Tag> missing = new ArrayList<>();
    c.tags().forEach((k, v) -> {
      if (!k.equals(PARENT_TAG) && !r.tags().containsKey(k)) {
        missing.add(new Tag(k, v));
      }
    });
    if (missing.isEmpty()) {
      return;
    }
    try {
      sendBatch(ref, new Batch(List.of(), List.of(), missing));
    } catch (DeliveryException e) {
      if (e.kind() != DeliveryException.Kind.REJECTED) {
        throw e;
      }
      log.warn("resuming {}: {}", ref.describe(), e.getMessage());
    }
  }

  private String resolveExperiment(String name) throws IOException {
    String id = experimentIds.get(name);
    if (id != null) {
      return id;
    }
    if (defaultExperimentId != null && Tracker.DEFAULT_EXPERIMENT.equals(name)) {
      id = defaultExperimentId;
    } else {
      Optional<Dto.Experiment> e = api.experimentByName(name);
      if (e.isPresent()) {
        id = checkActive(e.get());
      } else {
        try {
          id = api.createExperiment(name);
          log.info("created experiment '{}' (id {}) on {}", name, id, server);
        } catch (MlflowServerException x) {
          if (!"RESOURCE_ALREADY_EXISTS".equals(x.errorCode())) {
            throw x;
          }
          // another process created it meanwhile
          id = checkActive(api.experimentByName(name).orElseThrow(() -> x));
        }
      }
    }
    experimentIds.put(name, id);
    return id;
  }

  private String checkActive(Dto.Experiment e) throws DeliveryException {
    if (e.isDeleted()) {
      throw DeliveryException.permanent("experiment '" + e.name() + "' (id " + e.id()
          + ") is deleted on " + server + "; restore it (mlflow experiments restore"
          + " --experiment-id " + e.id() + ") or log to another experiment", null);
    }
    return e.id();
  }

  /**
   * The run with this MLflow id (or the MLflow id this backend knows for a tracker id), or else
   * the run tagged {@value #RUN_ID_TAG} with it in any experiment; empty when neither exists.
   * A live run comes before a deleted one ({@link Dto.Run#isDeleted()}: MLflow's {@code
   * runs/get} returns a run in its trash, {@code runs/search} leaves it out unless asked), which
   * is returned only when no live run has the id.
   */
  Optional<Dto.Run> findRun(String id) throws IOException {
    Dto.Run deleted = null;
    try {
      Optional<Dto.Run> r = api.run(serverRunId(id).orElse(id));
      if (r.isPresent() && !r.get().isDeleted()) {
        return r;
      }
      deleted = r.orElse(null);
    } catch (MlflowServerException e) {
      if (e.status() != 400) {
        throw e; // 400: not something MLflow takes for a run id; perhaps the tracker's
      }
    }
    List<String> experiments =
        api.searchExperiments().stream().map(Dto.Experiment::id).toList();
    Optional<Dto.Run> live = api.findRunByTrackerId(experiments, id);
    if (live.isPresent() || deleted != null) {
      return live.isPresent() ? live : Optional.of(deleted);
    }
    return api.findRunByTrackerId(experiments, id, MlflowApi.DELETED_ONLY);
  }

  /**
   * {@code run X (MLflow run Y) is deleted on SERVER}, naming the run by the tracker's id where
   * it has one.
   */
  String deleted(Dto.Run r) {
    String own = r.tags().get(RUN_ID_TAG);
    return deleted(own == null || own.isEmpty() ? r.id() : own, r.id());
  }

  private String deleted(String run, String serverId) {
    return "run " + run + (run.equals(serverId) ? "" : " (MLflow run " + serverId + ")")
        + " is deleted on " + server;
  }

  /** How to bring a deleted run back: {@code mlflow runs restore}. */
  static String restore(String serverId) {
    return "restore it (mlflow runs restore --run-id " + serverId + ")";
  }

  private static String notSent(String deleted, String what, String serverId) {
    return deleted + ", so " + what + " was not sent; " + restore(serverId)
        + " to log to it again";
  }

  /**
   * Runs a call on a run, as {@link #classified}; the server's refusal because the run was
   * deleted meanwhile says so, and how to restore it.
   */
  private <T> T onRun(RunRef ref, String what, Call<T> call) throws IOException {
    return classified(() -> {
      try {
        return call.run();
      } catch (MlflowServerException e) {
        if (e.status() == 400 && e.serverMessage().contains("Current state is deleted")) {
          throw DeliveryException.permanent(notSent(deleted(ref.run, ref.serverId), what,
              ref.serverId), e);
        }
        throw e;
      }
    });
  }

  /**
   * The MLflow id of the run {@code ref} names, for {@value #PARENT_TAG}, which MLflow's UI
   * reads as the parent's MLflow id: a run this backend created, else a run by its MLflow id or
   * its tracker id.
   */
  private Optional<String> parentServerId(String ref) throws IOException {
    Optional<String> known = serverRunId(ref);
    return known.isPresent() ? known : findRun(ref).map(Dto.Run::id);
  }

  /**
   * The batch with a {@value #PARENT_TAG} tag set by hand holding the parent's MLflow id, as the
   * run's creation sends it; a tag that names no run on the server is not sent, but refused.
   */
  private Batch withParentIds(Batch batch, List<DeliveryException.Rejected> rejected)
      throws IOException {
    if (batch.tags().stream().noneMatch(t -> t.key().equals(PARENT_TAG))) {
      return batch;
    }
    List<Tag> tags = new ArrayList<>();
    for (Tag t : batch.tags()) {
      if (!t.key().equals(PARENT_TAG)) {
        tags.add(t);
        continue;
      }
      Optional<String> parentId = parentServerId(t.value());
      if (parentId.isPresent()) {
        tags.add(new Tag(PARENT_TAG, parentId.get()));
      } else {
        rejected.add(new DeliveryException.Rejected("tag", PARENT_TAG, "'"
            + Rest.printable(t.value(), 100) + "' names no run on " + server + " (neither a"
            + " tracker run id nor an MLflow run id), so MLflow could not show the run under"
            + " it; it was not sent"));
      }
    }
    return new Batch(batch.metrics(), batch.params(), tags);
  }

  // ------------------------------------------------------------------------------ batches

  private Void sendBatch(RunRef ref, Batch given) throws IOException {
    String runId = ref.serverId;
    List<DeliveryException.Rejected> rejected = new ArrayList<>();
    Batch batch = withParentIds(given, rejected);
    List<Wire.Entity> send = new ArrayList<>();
    for (Wire.Entity e : Wire.entities(batch)) {
      String held = e.kind() == Wire.Kind.PARAM ? ref.sentParams.get(e.key()) : null;
      if (held == null) {
        send.add(e);
      } else if (!held.equals(e.value())) {
        rejected.add(new DeliveryException.Rejected("param", e.key(), "already logged with value '"
            + Rest.printable(held, 100) + "'; params are write-once, so the value '"
            + Rest.printable(e.value(), 100) + "' was not sent"));
      }
    }
    int delivered = 0;
    int done = 0; // records of the batch, in its order, up to the last one delivered
    for (List<Wire.Entity> chunk : Wire.chunks(runId, send)) {
      List<DeliveryException.Rejected> refused = new ArrayList<>();
      try {
        sendOrIsolate(runId, chunk, refused);
      } catch (DeliveryException e) {
        throw done == 0 ? e : e.afterDelivering(done);
      }
      for (Wire.Entity e : chunk) {
        if (e.kind() == Wire.Kind.PARAM && refused.stream().noneMatch(
            r -> r.kind().equals("param") && r.key().equals(e.key()))) {
          ref.sentParams.put(e.key(), e.value());
        }
      }
      rejected.addAll(refused);
      delivered += chunk.size() - refused.size();
      done = chunk.get(chunk.size() - 1).index() + 1;
    }
    if (!rejected.isEmpty()) {
      throw DeliveryException.rejected("the MLflow server refused " + rejected.size()
          + " record" + (rejected.size() == 1 ? "" : "s") + " of " + ref.describe() + " ("
          + delivered + " other records were delivered): "
          + rejected.stream().map(DeliveryException.Rejected::toString)
          .collect(Collectors.joining("; ")), rejected);
    }
    return null;
  }

  /**
   * Finds the records the server refused in a chunk it answered 400, delivering the others: a
   * param the message names is taken out first (MLflow names the param that conflicts), then
   * the chunk is halved until each refused record stands alone.
   */
  private void isolate(String runId, List<Wire.Entity> chunk, MlflowServerException cause,
      List<DeliveryException.Rejected> out) throws IOException {
    if (chunk.size() == 1) {
      Wire.Entity e = chunk.get(0);
      out.add(new DeliveryException.Rejected(e.kind().word, e.key(), reason(cause)));
      return;
    }
    String message = cause.serverMessage();
    List<Wire.Entity> named = new ArrayList<>();
    List<Wire.Entity> rest = new ArrayList<>();
    for (Wire.Entity e : chunk) {
      if (e.kind() == Wire.Kind.PARAM && MlflowApi.namesParam(message, e.key())) {
        named.add(e);
      } else {
        rest.add(e);
      }
    }
    if (!named.isEmpty() && !rest.isEmpty()) {
      for (Wire.Entity e : named) {
        out.add(new DeliveryException.Rejected("param", e.key(), reason(cause)));
      }
      sendOrIsolate(runId, rest, out);
      return;
    }
    int half = chunk.size() / 2;
    sendOrIsolate(runId, chunk.subList(0, half), out);
    sendOrIsolate(runId, chunk.subList(half, chunk.size()), out);
  }

  /** Sends a part of a batch; when the server refuses it (400), finds what it refused. */
  private void sendOrIsolate(String runId, List<Wire.Entity> part,
      List<DeliveryException.Rejected> out) throws IOException {
    try {
      api.logBatch(Wire.body(runId, part));
    } catch (MlflowServerException e) {
      if (e.status() != 400 || refusesRun(e)) {
        throw e;
      }
      isolate(runId, part, e, out);
    }
  }

  // ------------------------------------------------------------------------------ verdicts

  /** A call whose MLflow errors become delivery verdicts. */
  interface Call<T> {
    T run() throws IOException;
  }

  /**
   * Runs the call, turning an MLflow error into a delivery verdict: one that refuses everyone
   * (401, 403, 405, a 404 that is not MLflow's) is kept and retried, and reported; any other is
   * permanent.
   */
  static <T> T classified(Call<T> call) throws IOException {
    try {
      return call.run();
    } catch (MlflowServerException e) {
      int s = e.status();
      boolean everyone = s == 401 || s == 403 || s == 405 || (s == 404
          && (e.errorCode() == null || "ENDPOINT_NOT_FOUND".equals(e.errorCode())));
      throw everyone ? DeliveryException.blocked(e.getMessage(), e)
          : DeliveryException.permanent(e.getMessage(), e);
    }
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

  private String uiUrl(String experimentId, String runId) {
    return server + "/#/experiments/" + experimentId + "/runs/" + runId;
  }
}
