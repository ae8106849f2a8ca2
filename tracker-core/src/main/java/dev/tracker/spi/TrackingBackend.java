package dev.tracker.spi;

import dev.tracker.DatasetInput;
import dev.tracker.ExperimentInfo;
import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.RunSummary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Where records go: implemented by each backend (files, an MLflow server).
 *
 * <p>A {@link dev.tracker.Tracker} calls the writing methods in order per run: {@code createRun},
 * then batches and artifacts, then {@code endRun}; from its dispatcher thread for a local backend,
 * from its uploader for a remote one (see {@link #remoteDelivery()}). They may block on I/O and
 * throw; they try once and do not retry. Concurrency: for a local backend no two writing calls
 * run at once. A remote backend's {@code logBatch} may be called from up to {@code
 * uploadsInFlight} threads at once, for the same run, with batches whose metric keys are disjoint
 * (a key's points stay in one lane, in order; params and tags go in one of them); every other
 * writing call runs alone, after the batches before it returned.
 *
 * <p>A remote backend is a synchronous translator: it classifies each failure by throwing a
 * {@link DeliveryException} (transient, blocked, rejected records, permanent) and the delivery
 * layer in core retries, journals and reports. A remote backend's writes may be repeated: after a
 * transient failure, and when another process replays a journal. {@code createRun} with {@link
 * RunSpec#resume()} must then attach to the run created before rather than create another, and a
 * batch may arrive again (its records are idempotent on an MLflow server's SQL store).
 *
 * <p>The reading methods serve {@link dev.tracker.Tracker#runs()}, the {@code tracker} command and
 * tests; they may be called from any thread, also while a {@code Tracker} writes through this
 * instance (a tracker reads on its caller's thread, never through its dispatcher). New methods are
 * added as
 * {@code default} methods so that existing backends keep working.
 */
public interface TrackingBackend extends AutoCloseable {

  /** Where this backend writes, for logs and messages, with any credential removed. */
  String describe();

  /**
   * Returns the id of the experiment with this name, creating it when missing. Must succeed when
   * another process creates the same experiment at the same time.
   */
  String createExperiment(String name) throws IOException;

  /** Creates the run described (or attaches to it when {@link RunSpec#resume()} is true). */
  void createRun(RunSpec spec) throws IOException;

  /**
   * Records a batch of metrics, params and tags of one run.
   *
   * <p>Besides the runs a {@code Tracker} created through this instance, it must accept a batch
   * for any run that already exists in the backend, without changing the run's status or times:
   * {@code tracker sync} records its progress as tags of the local run this way.
   */
  void logBatch(String runId, Batch batch) throws IOException;

  /**
   * Stores a file as an artifact of a run.
   *
   * @param runId the run
   * @param file a regular file, read by this call
   * @param artifactPath the file's '/'-separated path under the run's artifacts, already validated
   *     to be relative and normalized (no '..')
   */
  void logArtifact(String runId, Path file, String artifactPath) throws IOException;

  /**
   * Stores bytes as an artifact of a run. The default writes them to a temporary file and calls
   * {@link #logArtifact(String, Path, String)}.
   */
  default void logArtifact(String runId, byte[] content, String artifactPath) throws IOException {
    Path tmp = Files.createTempFile("tracker-artifact", ".tmp");
    try {
      Files.write(tmp, content);
      logArtifact(runId, tmp, artifactPath);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Ends a run with a status and an end time in milliseconds since the epoch. */
  void endRun(String runId, RunStatus status, long endTime) throws IOException;

  /**
   * Makes what was handed over so far durable (written out, acknowledged by the server, or
   * spooled). Called by the pipeline at every {@code flush()}; the default does nothing.
   *
   * @return how the records were made durable, for {@code flush()}'s result; the default says
   *     "delivered"
   */
  default FlushResult flush() throws IOException {
    return FlushResult.DELIVERED;
  }

  /**
   * Present for a remote backend that wants its writes journal-first: appended to a local journal
   * by the dispatcher and delivered by an uploader with retries (see {@link RemoteDelivery});
   * empty (the default) for a backend that writes directly, like the file backend. Called once,
   * when a tracker starts; must do no I/O.
   */
  default Optional<RemoteDelivery> remoteDelivery() {
    return Optional.empty();
  }

  /**
   * The local directory this backend writes runs under (the file backend's root), if it has one.
   * System metrics report the disk usage of that directory's file system; when empty (the
   * default, right for remote backends) they report the working directory's. Called from any
   * thread; must be cheap and do no I/O.
   */
  default Optional<Path> localDirectory() {
    return Optional.empty();
  }

  /**
   * Checks, before the first record, that this backend can store records at all, so that a long
   * job learns it at start rather than from the last {@code flush()}: the file backend creates
   * its root folder and writes a file there. Called by {@code Tracker.build()} on the caller's
   * thread for backends it created from a URI; the default checks nothing.
   *
   * @throws IOException saying what cannot be written and why
   */
  default void checkWritable() throws IOException {}

  /** Releases what the backend holds (files, connections). Called once, after the last flush. */
  @Override
  void close() throws IOException;

  /** Lists the experiments. */
  default List<ExperimentInfo> listExperiments() throws IOException {
    throw new UnsupportedOperationException(describe() + " cannot list experiments");
  }

  /** Lists the runs of an experiment, by experiment name, newest first. */
  default List<RunInfo> listRuns(String experimentName) throws IOException {
    throw new UnsupportedOperationException(describe() + " cannot list runs");
  }

  /**
   * Reads a whole run: info, params, tags, every metric point and the artifact list.
   *
   * <p>The id is the backend's own id of the run or the id it was created with ({@link
   * RunSpec#runId()}); where the two differ (an MLflow server chooses its own ids), the returned
   * {@link RunInfo#id()} is the backend's: {@code tracker sync} finds the server's id of a run it
   * created this way.
   *
   * <p>Metric points come in the order the backend stored them, and points stored later come
   * after those already stored (for the file backend, the row order of {@code metrics.csv}):
   * {@code tracker sync} uploads a run's points past the number it uploaded before.
   */
  default Optional<RunData> readRun(String runId) throws IOException {
    throw new UnsupportedOperationException(describe() + " cannot read runs");
  }

  /**
   * Opens an artifact of a run for reading; the caller closes the stream.
   *
   * @param runId the run
   * @param artifactPath the artifact's '/'-separated path, as listed by {@link RunData#artifacts()}
   * @throws java.io.FileNotFoundException when the run has no such artifact
   */
  default InputStream openArtifact(String runId, String artifactPath) throws IOException {
    throw new UnsupportedOperationException(describe() + " cannot read artifacts");
  }

  /** Reads the history of one metric of a run, in logging order. */
  default List<Metric> metricHistory(String runId, String key) throws IOException {
    return readRun(runId).map(r -> r.history(key)).orElse(List.of());
  }

  /**
   * One page of the runs of the request's experiments that pass its filter, in its order.
   *
   * <p>The default evaluates the filter locally: it lists the runs ({@link #listRuns}), reads
   * each ({@link #readRun}; a run gone meanwhile is left out) and pages by position, so every
   * backend that can read runs can search them. A backend with a server that searches sends the
   * filter there; its results must agree with {@link RunFilter}'s.
   *
   * @throws IllegalArgumentException when the page token was not made by this backend
   */
  default SearchPage searchRuns(SearchRequest request) throws IOException {
    // a name given twice is searched once, as a server searches a set of experiments
    Collection<String> names = new LinkedHashSet<>(request.experimentNames());
    if (names.isEmpty()) {
      for (ExperimentInfo e : listExperiments()) {
        names.add(e.name());
      }
    }
    List<RunSummary> runs = new ArrayList<>();
    for (String name : names) {
      for (RunInfo info : listRuns(name)) {
        readRun(info.id()).map(RunSummary::of).ifPresent(runs::add);
      }
    }
    List<RunSummary> found = request.filter().select(runs);
    int from = 0;
    if (request.pageToken() != null) {
      try {
        from = Integer.parseInt(request.pageToken());
      } catch (NumberFormatException e) {
        from = -1;
      }
      if (from < 0) {
        throw new IllegalArgumentException("page token '" + request.pageToken()
            + "' was not made by " + describe());
      }
    }
    int to = (int) Math.min(found.size(), (long) from + request.maxResults());
    return new SearchPage(found.subList(Math.min(from, to), to),
        to < found.size() ? Integer.toString(to) : null);
  }

  /**
   * Records data sets a run used ({@code Run.logInput}), their digests already computed. An
   * input with the same name and digest as one the run has keeps one record (MLflow's rule).
   * Called like the other writing methods: after {@code createRun}, in logging order; a remote
   * backend's call may be repeated. The default refuses: a backend that cannot record inputs
   * reports it at the next flush rather than losing them silently.
   *
   * @throws UnsupportedOperationException when this backend does not record inputs
   */
  default void logInputs(String runId, List<DatasetInput> inputs) throws IOException {
    throw new UnsupportedOperationException(describe() + " cannot record dataset inputs");
  }

  /**
   * This backend's model registry ({@link dev.tracker.Tracker#models()}), or empty (the default)
   * when it has none. Called from any thread; must be cheap and do no I/O.
   */
  default Optional<ModelStore> modelStore() {
    return Optional.empty();
  }
}
