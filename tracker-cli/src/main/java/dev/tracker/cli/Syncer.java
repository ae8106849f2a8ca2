package dev.tracker.cli;

import dev.tracker.DatasetInput;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.Tag;
import dev.tracker.TrackerException;
import dev.tracker.spi.Batch;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.DirectDelivery;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.Secrets;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Uploads local runs to another backend (an MLflow server) through the delivery layer a tracker
 * uses ({@link DirectDelivery}: the same retries, back-off, {@code Retry-After} and requests in
 * flight), and records in each local run how far it got, so that the next sync sends only what
 * is new and an interrupted sync picks up where it stopped.
 *
 * <p>The record is a handful of tags of the local run, written with {@link
 * TrackingBackend#logBatch} after each step the target confirmed (its delivery returned), named {@code tracker.sync.<target>.<what>} where {@code <target>} is the target's
 * host, port and path ({@code http://mlflow:5000} gives {@code mlflow_5000}):
 *
 * <ul>
 *   <li>{@code run_id}: the run's id on the target;
 *   <li>{@code uri}: the target, without credentials, for people;
 *   <li>{@code meta}: a fingerprint of the params and tags sent;
 *   <li>{@code metrics}: how many of the run's metric points were sent, in the order the local
 *       backend lists them (which only ever grows at the end);
 *   <li>{@code metrics_last}: a fingerprint of the last point sent, so that a file changed before
 *       it is told rather than sent from the wrong row;
 *   <li>{@code artifacts}: a fingerprint of the artifacts sent, their paths and contents;
 *   <li>{@code end}: the status and end time sent ({@code FINISHED@1714564800000}).
 * </ul>
 *
 * <p>These tags are never uploaded. A run the target already holds under the local id (created
 * by a sync stopped before it recorded {@code run_id}) is found with {@link
 * TrackingBackend#readRun} rather than created again. A step interrupted before its record was
 * written is sent again: re-sent params and tags are idempotent and artifacts are overwritten;
 * metric points are counted per confirmed batch, so only a batch the target acknowledged just as
 * the sync was killed can arrive twice (MLflow's store drops identical points). Records the
 * target refuses (a param whose value it holds otherwise) are told in {@link Result#refused()}
 * and counted as sent, as a journal replay does: the rest of their batch went through.
 */
final class Syncer {
  static final String PREFIX = "tracker.sync.";
  static final String PARENT_TAG = "mlflow.parentRunId";

  /** The target of a sync, and the part of the tag names that stands for it. */
  record Target(String uri, String key) {
    static Target of(URI uri) {
      String hostPart;
      if (uri.getHost() != null) {
        hostPart = uri.getHost() + (uri.getPort() > 0 ? "_" + uri.getPort() : "")
            + (uri.getPath() == null ? "" : uri.getPath());
      } else {
        String ssp = uri.getSchemeSpecificPart() == null ? "" : uri.getSchemeSpecificPart();
        hostPart = uri.getScheme() + "_" + ssp.replaceAll("^//[^/@]*@", "//");
      }
      String key = hostPart.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "_")
          .replaceAll("\\.{2,}", ".").replaceAll("^[_.-]+|[_.-]+$", "");
      if (key.length() > 120) {
        key = key.substring(0, 103) + "_" + fingerprint(key);
      }
      return new Target(Secrets.redact(uri.toString()), key.isEmpty() ? "default" : key);
    }

    String tag(String what) {
      return PREFIX + key + "." + what;
    }
  }

  /**
   * What one run's sync sent; {@code again}: the target had lost the run synced before; {@code
   * refused}: what the target refused of it, one message per batch, never sent again.
   */
  record Result(String label, String remoteId, boolean created, boolean again, int params,
      int tags, int points, int artifacts, String ended, List<String> refused) {
    boolean upToDate() {
      return !created && params == 0 && tags == 0 && points == 0 && artifacts == 0
          && ended == null;
    }

    String line() {
      String head = label + " -> " + RunViews.shortId(remoteId) + ": ";
      if (upToDate()) {
        return head + "up to date";
      }
      List<String> parts = new ArrayList<>();
      if (created) {
        parts.add(again ? "created again (the target no longer had it)" : "created");
      }
      if (params > 0 || tags > 0) {
        parts.add(params + (params == 1 ? " param, " : " params, ") + tags
            + (tags == 1 ? " tag" : " tags"));
      }
      if (points > 0) {
        parts.add(points + (points == 1 ? " metric point" : " metric points"));
      }
      if (artifacts > 0) {
        parts.add(artifacts + (artifacts == 1 ? " artifact" : " artifacts"));
      }
      if (ended != null) {
        parts.add(ended);
      }
      return head + String.join(", ", parts);
    }
  }

  private final TrackingBackend local;
  private final String localName;
  private final TrackingBackend remote;
  private final DirectDelivery delivery;
  private final String remoteName;
  private final Target target;
  private final int batchSize;
  private final Progress progress;

  /**
   * A syncer; {@code delivery} delivers to {@code remote}, which is read directly (to find runs
   * synced before).
   */
  Syncer(TrackingBackend local, TrackingBackend remote, DirectDelivery delivery, Target target,
      int batchSize, Progress progress) {
    this.local = local;
    this.localName = Secrets.redact(local.describe());
    this.remote = remote;
    this.delivery = delivery;
    this.remoteName = target.uri();
    this.target = target;
    this.batchSize = batchSize;
    this.progress = progress;
  }

  /** The metric points of {@code run} not yet sent to this target. */
  long pending(RunData run) {
    long sent = count(run.tags().get(target.tag("metrics")));
    return Math.max(0, run.metrics().size() - sent);
  }

  /** The target's id of {@code run} when it was synced before, or null. */
  String remoteId(RunData run) {
    return run.tags().get(target.tag("run_id"));
  }

  /**
   * Sends what the target does not have of {@code run}.
   *
   * @param remoteParent the target's id of the run's parent, or null
   * @throws BackendException when either side fails; what was confirmed is recorded
   * @throws DataException when a param or tag breaks MLflow's rules or an artifact cannot be
   *     read; nothing was sent
   */
  Result sync(RunData run, String remoteParent) {
    RunInfo info = run.info();
    String label = info.name() + " (" + RunViews.shortId(info.id()) + ")";
    Map<String, String> recorded = run.tags();
    Map<String, String> tags = uploadTags(run, remoteParent);
    // what the target would refuse is told before anything of the run is sent
    List<Param> params = records(label, "params.yaml", run.params(), Param::new);
    List<Tag> tagList = records(label, "run.yaml", tags, Tag::new);
    try {
      run.inputs().forEach(DatasetInput::checkLimits);
    } catch (IllegalArgumentException e) {
      throw refused(label, "inputs.yaml", e);
    }
    // the parent goes with the run's creation only (RunSpec#parentRunId, which the target puts
    // in its own ids): as a batch tag it would hold the id the target reads back, the
    // tracker's, and MLflow would show the run under a parent it does not have
    tagList.removeIf(t -> t.key().equals(PARENT_TAG));
    List<String> paths = new ArrayList<>(run.artifacts());
    paths.sort(null);
    String artifactPrint = paths.isEmpty() ? "" : artifactPrint(label, info.id(), paths);

    String remoteId = recorded.get(target.tag("run_id"));
    boolean again = false;
    if (remoteId != null && Boolean.FALSE.equals(exists(label, remoteId))) {
      // the target lost the run (its store was reset, the run removed for good by mlflow gc; a
      // run only deleted is refused by readRemote): start over
      Map<String, String> rest = new TreeMap<>(recorded);
      rest.keySet().removeIf(k -> k.startsWith(PREFIX + target.key() + "."));
      recorded = rest;
      remoteId = null;
      again = true;
    }
    List<Metric> metrics = run.metrics();
    long already = count(recorded.get(target.tag("metrics")));
    if (already > metrics.size()) {
      // rows removed by hand, or the file replaced by an older copy: a bad run, not a bad server
      throw new DataException("cannot sync " + label + " from " + localName + ": metrics.csv"
          + " has " + metrics.size() + " metric points but " + already + " were sent to "
          + remoteName + " before; remove the tag " + target.tag("metrics") + " from run.yaml"
          + " to send them all again", null);
    }
    String last = recorded.get(target.tag("metrics_last"));
    if (already > 0 && last != null && !last.equals(pointPrint(metrics.get((int) already - 1)))) {
      // a row edited, or one the reader skipped before mended: the count no longer says which
      // points were sent, and going on would send one twice and another never
      throw new DataException("cannot sync " + label + " from " + localName + ": metrics.csv"
          + " changed before its " + already + " metric points sent to " + remoteName
          + " (point " + already + " is not the one sent); remove the tags "
          + target.tag("metrics") + " and " + target.tag("metrics_last") + " from run.yaml to"
          + " send them all again", null);
    }
    boolean created = false;
    if (remoteId == null) {
      // a run created by a sync that stopped before recording its id is found, not made again
      remoteId = find(label, info.id());
      if (remoteId == null) {
        String experiment = info.experimentName() == null ? "Default" : info.experimentName();
        RunSpec spec = new RunSpec(info.id(), null, experiment, info.name(),
            info.startTime(), tags, remoteParent, false);
        remote(label, () -> {
          delivery.createRun(spec);
          return null;
        });
        remoteId = find(label, info.id());
        if (remoteId == null) {
          throw new BackendException("cannot sync " + label + ": " + remoteName
              + " created the run but cannot find it by the id " + info.id(), null);
        }
        created = true;
      }
      record(info.id(), label,
          Map.of(target.tag("run_id"), remoteId, target.tag("uri"), target.uri()));
    }
    final String rid = remoteId;

    List<String> refused = new ArrayList<>();
    int paramsSent = 0;
    int tagsSent = 0;
    String meta = fingerprint(new TreeMap<>(run.params()) + "\u0000" + new TreeMap<>(tags));
    if (!meta.equals(recorded.get(target.tag("meta")))) {
      if (!params.isEmpty() || !tagList.isEmpty()) {
        logBatch(label, rid, new Batch(List.of(), params, tagList), refused);
      }
      record(info.id(), label, Map.of(target.tag("meta"), meta));
      paramsSent = params.size();
      tagsSent = tagList.size();
    }

    String inputPrint = fingerprint(run.inputs().toString());
    if (!run.inputs().isEmpty() && !inputPrint.equals(recorded.get(target.tag("inputs")))) {
      remote(label, () -> {
        delivery.logInputs(rid, run.inputs());
        return null;
      });
      record(info.id(), label, Map.of(target.tag("inputs"), inputPrint));
    }

    int points = 0;
    for (int from = (int) already; from < metrics.size(); from += batchSize) {
      List<Metric> chunk = metrics.subList(from, Math.min(metrics.size(), from + batchSize));
      logBatch(label, rid, Batch.ofMetrics(chunk), refused);
      long sent = from + chunk.size();
      points += chunk.size();
      progress.advance(chunk.size());
      record(info.id(), label, Map.of(target.tag("metrics"), Long.toString(sent),
          target.tag("metrics_last"), pointPrint(chunk.get(chunk.size() - 1))));
    }

    int artifacts = 0;
    if (!paths.isEmpty() && !artifactPrint.equals(recorded.get(target.tag("artifacts")))) {
      for (String path : paths) {
        upload(label, info.id(), rid, path);
        artifacts++;
      }
      record(info.id(), label, Map.of(target.tag("artifacts"), artifactPrint));
    }

    String ended = null;
    if (info.status().isTerminal()) {
      String end = info.status().name() + "@" + info.endTime();
      if (!end.equals(recorded.get(target.tag("end")))) {
        remote(label, () -> {
          delivery.endRun(rid, info.status(), info.endTime());
          return null;
        });
        record(info.id(), label, Map.of(target.tag("end"), end));
        ended = info.status().name();
      }
    }
    return new Result(label, rid, created, again, paramsSent, tagsSent, points, artifacts,
        ended, refused);
  }

  /**
   * The run's params or tags as records, which check MLflow's rules (key characters and length,
   * value length).
   *
   * @throws DataException naming the run, the file and the rule a key or value breaks
   */
  private <T> List<T> records(String label, String file, Map<String, String> values,
      BiFunction<String, String, T> record) {
    List<T> out = new ArrayList<>();
    try {
      values.forEach((k, v) -> out.add(record.apply(k, v)));
    } catch (IllegalArgumentException e) {
      throw refused(label, file, e);
    }
    return out;
  }

  /** What the target would refuse of a run's file, told before anything of the run is sent. */
  private DataException refused(String label, String file, IllegalArgumentException e) {
    return new DataException("cannot sync " + label + " from " + localName + ": " + file + ": "
        + e.getMessage(), e);
  }

  /**
   * The target's id of the run created from {@code localId}, or null when it has none; a target
   * that cannot read runs is taken to have none.
   */
  private String find(String label, String localId) {
    try {
      return readRemote(label, localId).map(r -> r.info().id()).orElse(null);
    } catch (UnsupportedOperationException e) {
      return null;
    }
  }

  /**
   * Whether the target still holds the run {@code remoteId}; null when it cannot read runs.
   */
  private Boolean exists(String label, String remoteId) {
    try {
      return readRemote(label, remoteId).isPresent();
    } catch (UnsupportedOperationException e) {
      return null;
    }
  }

  /**
   * The target's run by id. A run the target refuses to read (an MLflow run deleted there: it
   * stays in the server's trash and takes nothing until restored) is never created again: the
   * run is left out, with the target's reason.
   */
  private Optional<RunData> readRemote(String label, String id) {
    try {
      return remote(label, () -> remote.readRun(id));
    } catch (IllegalArgumentException refused) {
      String reason = Secrets.redact(String.valueOf(refused.getMessage()));
      throw new BackendException("cannot sync " + label + " to " + remoteName + ": " + reason,
          DeliveryException.permanent(reason, refused));
    }
  }

  /** The run's tags as the target gets them: no sync records, the parent's id on the target. */
  static Map<String, String> uploadTags(RunData run, String remoteParent) {
    Map<String, String> tags = new TreeMap<>();
    run.tags().forEach((k, v) -> {
      if (!k.startsWith(PREFIX)) {
        tags.put(k, v);
      }
    });
    tags.remove(PARENT_TAG);
    if (remoteParent != null) {
      tags.put(PARENT_TAG, remoteParent);
    }
    return tags;
  }

  /**
   * A fingerprint of the artifacts' paths and contents, so that an artifact replaced under its
   * path is sent again.
   *
   * @throws DataException when an artifact cannot be read
   */
  private String artifactPrint(String label, String localId, List<String> paths) {
    MessageDigest all = sha256();
    for (String path : paths) {
      MessageDigest one = sha256();
      try (InputStream in = local.openArtifact(localId, path)) {
        in.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), one));
      } catch (IOException | UncheckedIOException | TrackerException e) {
        throw new DataException("cannot read artifact " + path + " of " + label + " in "
            + localName + ": " + Secrets.redact(RunStore.reason(e)), e);
      } catch (UnsupportedOperationException e) {
        throw new UserException(Secrets.redact(e.getMessage()));
      }
      all.update((path + "\u0000").getBytes(StandardCharsets.UTF_8));
      all.update(one.digest());
    }
    return HexFormat.of().formatHex(all.digest(), 0, 8);
  }

  private void upload(String label, String localId, String remoteId, String path) {
    Path tmp = null;
    try {
      tmp = Files.createTempFile("tracker-sync", ".artifact");
      try (InputStream in = local.openArtifact(localId, path)) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | UncheckedIOException | TrackerException e) {
      deleteQuietly(tmp);
      throw new BackendException("cannot read artifact " + path + " of " + label + " from "
          + localName + ": " + Secrets.redact(RunStore.message(e)), e);
    } catch (UnsupportedOperationException e) {
      deleteQuietly(tmp);
      throw new UserException(Secrets.redact(e.getMessage()));
    }
    Path file = tmp;
    try {
      remote(label, () -> {
        delivery.logArtifact(remoteId, file, path);
        return null;
      });
    } finally {
      deleteQuietly(file);
    }
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a temporary file left behind is no reason to fail a sync
      }
    }
  }

  /**
   * Delivers a batch. Records the target refuses are told in {@code refused} and count as sent,
   * as they would be refused again; the rest of the batch went through.
   */
  private void logBatch(String label, String remoteId, Batch batch, List<String> refused) {
    remote(label, () -> {
      try {
        delivery.logBatch(remoteId, batch);
      } catch (DeliveryException e) {
        if (e.kind() != DeliveryException.Kind.REJECTED) {
          throw e;
        }
        refused.add(Secrets.redact(RunStore.message(e)));
      }
      return null;
    });
  }

  private <T> T remote(String label, RunStore.Read<T> call) {
    try {
      return call.get();
    } catch (IOException | UncheckedIOException | TrackerException e) {
      throw new BackendException("cannot sync " + label + " to " + remoteName + ": "
          + Secrets.redact(RunStore.message(e)), e);
    }
  }

  /** Writes sync records into the local run and makes them durable. */
  private void record(String localId, String label, Map<String, String> values) {
    List<Tag> tags = new ArrayList<>();
    values.forEach((k, v) -> tags.add(new Tag(k, v)));
    try {
      local.logBatch(localId, new Batch(List.of(), List.of(), tags));
      local.flush();
    } catch (IOException | UncheckedIOException | TrackerException e) {
      throw new BackendException("cannot record the sync of " + label + " in " + localName
          + ": " + Secrets.redact(RunStore.message(e)), e);
    }
  }

  static long count(String s) {
    if (s == null) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(s.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** A fingerprint of a metric point, its value to the bit. */
  static String pointPrint(Metric m) {
    return fingerprint(m.key() + "\u0000" + Long.toHexString(Double.doubleToRawLongBits(m.value()))
        + "\u0000" + m.timestamp() + "\u0000" + m.step());
  }

  static String fingerprint(String s) {
    byte[] d = sha256().digest(s.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(d, 0, 8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
