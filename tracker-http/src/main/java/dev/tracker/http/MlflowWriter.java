package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.spi.Batch;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
    return ref == null ? Optional.ofNullable(null) : Optional.ofNullable(ref.serverId);
  }

  // ------------------------------------------------------------------------------ operations

  String createExperiment(String name) throws IOException {
    try {
      return resolveExperiment(name);
    } catch (MlflowServerException e) {
      throw classify(e);
    }
  }

  void createRun(RunSpec spec) throws IOException {
    try {
      create(spec);
    } catch (MlflowServerException e) {
      throw classify(e);
    }
  }

  void logBatch(String run, Batch batch) throws IOException {
    RunRef ref = created(run, "its batch of " + batch.size() + " records");
    try {
      sendBatch(ref, batch);
    } catch (MlflowServerException e) {
      throw classify(e);
    }
  }

  void logArtifact(String run, Path file, String artifactPath) throws IOException {
    RunRef ref = created(run, "artifact '" + artifactPath + "'");
    if (!Files.isRegularFile(file)) {
      throw DeliveryException.permanent("artifact '" + artifactPath + "' of " + ref.describe()
          + " is missing: " + file, null);
    }
    try {
      if (ref.artifactUri == null) {
        Dto.Run r = api.run(ref.serverId).orElseThrow(() -> DeliveryException.permanent(
            ref.describe() + " does not exist on " + server, null));
        ref.artifactUri = r.artifactUri();
      }
      HttpUrl root = ArtifactLocation.resolve(api.rest().base(), ref.artifactUri,
          ref.describe());
      api.upload(root.newBuilder().addPathSegments(artifactPath).build(), file, artifactPath);
    } catch (MlflowServerException e) {
      throw classify(e);
    } catch (TrackerException e) {
      throw DeliveryException.permanent(e.getMessage(), e);
    }
  }

  void endRun(String run, RunStatus status, long endTime) throws IOException {
    RunRef ref = created(run, "its end");
    try {
      api.updateRun(ref.serverId, status, endTime);
    } catch (MlflowServerException e) {
      throw classify(e);
    }
    ref.sentParams.clear();
  }

  /** The run, created or attached to by this backend, or found on the server by its id. */
  RunRef created(String run, String what) throws IOException {
    RunRef ref = runs.computeIfAbsent(run, RunRef::new);
    if (ref.serverId == null) {
      try {
        findRun(run).ifPresent(r -> {
          ref.serverId = r.id();
          ref.experimentId = r.experimentId();
          ref.artifactUri = r.artifactUri();
        });
      } catch (MlflowServerException e) {
        throw classify(e);
      }
    }
    if (ref.serverId == null) {
      throw DeliveryException.permanent("run " + run + " does not exist on " + server
          + " (its creation failed, see the earlier error), so " + what + " cannot be sent",
          null);
    }
    return ref;
  }

  // ----------------------------------------------------------------------------- creating

  private void create(RunSpec c) throws IOException {
    RunRef ref = runs.computeIfAbsent(c.runId(), RunRef::new);
    if (c.resume()) {
      Optional<Dto.Run> existing = findRun(c.runId());
      if (existing.isPresent()) {
        Dto.Run r = existing.get();
        // RUNNING again, and end time 0 (MLflow keeps an end time it is not given)
        api.updateRun(r.id(), RunStatus.RUNNING, 0);
        ref.experimentId = r.experimentId();
        ref.artifactUri = r.artifactUri();
        ref.sentParams.putAll(r.params());
        ref.paramsKnown = true;
        ref.serverId = r.id();
        log.info("attached to MLflow run {} of experiment {}: {}", r.id(), r.experimentId(),
            uiUrl(r.experimentId(), r.id()));
        return;
      }
    }
    String experimentId = c.experimentId() != null ? c.experimentId()
        : resolveExperiment(c.experimentName());
    Map<String, String> tags = new TreeMap<>(c.tags());
    tags.put(RUN_ID_TAG, c.runId());
    if (c.parentRunId() != null) {
      RunRef parent = runs.get(c.parentRunId());
      String parentId = parent != null ? parent.serverId : null;
      if (parentId == null) {
        parentId = findRun(c.parentRunId()).map(Dto.Run::id).orElse(null);
      }
      if (parentId != null) {
        tags.put(PARENT_TAG, parentId);
      } else {
        tags.remove(PARENT_TAG);
        log.warn("the parent of run {} ({}) was not created on {}; the run is created without"
            + " one", c.runId(), c.parentRunId(), server);
      }
    }
    JsonNode found = null;
    if (!attempted.add(c.runId())) {
      // an earlier attempt may have created the run although its answer was lost
      found = api.findRunByTrackerId(List.of(experimentId), c.runId());
    }
    Dto.Run r = found != null ? Dto.Run.from(found.path("run"))
        : api.createRun(experimentId, c.runName(), c.startTime(), tags);
    ref.experimentId = r.experimentId() != null ? r.experimentId() : experimentId;
    ref.artifactUri = r.artifactUri();
    // a run found rather than created may hold params already: read them before sending any
    ref.paramsKnown = found == null;
    ref.serverId = r.id();
    log.info("run '{}' ({}) is MLflow run {} in experiment '{}' (id {}): {}", c.runName(),
        c.runId(), r.id(), c.experimentName(), ref.experimentId, uiUrl(ref.experimentId,
        r.id()));
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
   * The run with this MLflow id, or else the run tagged {@value #RUN_ID_TAG} with it in any
   * experiment; empty when neither exists.
   */
  Optional<Dto.Run> findRun(String id) throws IOException {
    try {
      Optional<Dto.Run> r = api.run(id);
      if (r.isPresent()) {
        return r;
      }
    } catch (MlflowServerException e) {
      if (e.status() != 400) {
        throw e; // 400: not something MLflow takes for a run id; perhaps the tracker's
      }
    }
    List<String> experiments = new ArrayList<>();
    for (Dto.Experiment e : api.searchExperiments()) {
      experiments.add(e.id());
    }
    JsonNode found = api.findRunByTrackerId(experiments, id);
    return found == null ? Optional.empty() : Optional.of(Dto.Run.from(found.path("run")));
  }

  // ------------------------------------------------------------------------------ batches

  private void sendBatch(RunRef ref, Batch batch) throws IOException {
    String runId = ref.serverId;
    List<Wire.Entity> all = Wire.entities(batch);
    if (!ref.paramsKnown && !batch.params().isEmpty()) {
      // never send a param with another value than the server holds: learn what it holds
      api.run(runId).ifPresent(r -> ref.sentParams.putAll(r.params()));
      ref.paramsKnown = true;
    }
    List<DeliveryException.Rejected> rejected = new ArrayList<>();
    List<Wire.Entity> send = new ArrayList<>();
    Map<String, String> inBatch = new HashMap<>();
    for (Wire.Entity e : all) {
      if (e.kind() == Wire.Kind.PARAM) {
        String held = ref.sentParams.get(e.key());
        String earlier = held != null ? held : inBatch.get(e.key());
        if (earlier != null) {
          if (!earlier.equals(e.value())) {
            rejected.add(new DeliveryException.Rejected("param", e.key(),
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
    int done = 0; // records of the batch, in its order, up to the last one delivered
    for (List<Wire.Entity> chunk : Wire.chunks(runId, send)) {
      List<DeliveryException.Rejected> refused = List.of();
      try {
        api.logBatch(Wire.body(runId, chunk));
      } catch (MlflowServerException e) {
        if (e.status() != 400 || refusesRun(e)) {
          throw e;
        }
        refused = isolate(runId, chunk, e);
      } catch (DeliveryException e) {
        throw done == 0 ? e : e.afterDelivering(done);
      }
      Set<String> refusedParams = new HashSet<>();
      for (DeliveryException.Rejected r : refused) {
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
      done = chunk.get(chunk.size() - 1).index() + 1;
    }
    if (!rejected.isEmpty()) {
      throw DeliveryException.rejected("the MLflow server refused " + rejected.size()
          + " record" + (rejected.size() == 1 ? "" : "s") + " of " + ref.describe() + " ("
          + delivered + " other records were delivered): "
          + rejected.stream().map(DeliveryException.Rejected::toString)
          .collect(Collectors.joining("; ")), rejected);
    }
  }

  /**
   * Finds the records the server refused in a chunk it answered 400, delivering the others: a
   * param the message names is taken out first (MLflow names the param that conflicts), then
   * the chunk is halved until each refused record stands alone.
   */
  private List<DeliveryException.Rejected> isolate(String runId, List<Wire.Entity> chunk,
      MlflowServerException cause) throws IOException {
    List<DeliveryException.Rejected> out = new ArrayList<>();
    if (chunk.size() == 1) {
      Wire.Entity e = chunk.get(0);
      out.add(new DeliveryException.Rejected(e.kind().word, e.key(), reason(cause)));
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
        out.add(new DeliveryException.Rejected("param", e.key(), reason(cause)));
      }
      sendOrIsolate(runId, rest, out);
      return out;
    }
    int half = chunk.size() / 2;
    sendOrIsolate(runId, chunk.subList(0, half), out);
    sendOrIsolate(runId, chunk.subList(half, chunk.size()), out);
    return out;
  }

  private void sendOrIsolate(String runId, List<Wire.Entity> part,
      List<DeliveryException.Rejected> out) throws IOException {
    try {
      api.logBatch(Wire.body(runId, part));
    } catch (MlflowServerException e) {
      if (e.status() != 400 || refusesRun(e)) {
        throw e;
      }
      out.addAll(isolate(runId, part, e));
    }
  }

  // ------------------------------------------------------------------------------ verdicts

  /**
   * An MLflow error as a delivery verdict: one that refuses everyone (401, 403, 405, a 404 that
   * is not MLflow's) is kept and retried, and reported; any other is permanent.
   */
  static DeliveryException classify(MlflowServerException e) {
    int s = e.status();
    boolean everyone = s == 401 || s == 403 || s == 405
        || (s == 404 && (e.errorCode() == null || "ENDPOINT_NOT_FOUND".equals(e.errorCode())));
    return everyone ? DeliveryException.blocked(e.getMessage(), e)
        : DeliveryException.permanent(e.getMessage(), e);
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
}
