package dev.tracker.spark;

import dev.tracker.Experiment;
import dev.tracker.Run;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a fit into a run: {@link #start} on the thread that saw the fit begin (params only, no
 * I/O), {@link #finish} on the tracking thread (what Spark did, tuning, summaries, the model, the
 * end).
 */
final class FitRecorder {
  /** MLflow's limit on a param value. */
  static final int MAX_PARAM_LENGTH = 6000;
  /** The tag that holds a failed fit's exception. */
  static final String FAILURE_TAG = "tracker.failure";

  private static final Logger log = LoggerFactory.getLogger(FitRecorder.class);

  private final SparkContext sc;
  private final Tracker tracker;
  private final SparkTracking.Settings settings;

  FitRecorder(SparkContext sc, Tracker tracker, SparkTracking.Settings settings) {
    this.sc = sc;
    this.tracker = tracker;
    this.settings = settings;
  }

  /** Starts the run of a fit, named after the estimator, with its params and input schema. */
  TrackedFit start(Params estimator, Dataset<?> dataset) {
    Experiment experiment = settings.experiment() == null
        ? tracker.experiment() : tracker.experiment(settings.experiment());
    ParamTree tree = ParamTree.of(estimator);
    Run run = experiment.startRun(estimator.getClass().getSimpleName());
    logParams(run, tree.params());
    logParams(run, Tuning.params(estimator));
    if (dataset != null) {
      String schema = dataset.schema().simpleString();
      if (schema.length() <= MAX_PARAM_LENGTH) {
        run.logParam("dataset.schema", schema);
      } else {
        run.logText(dataset.schema().prettyJson(), "dataset/schema.json");
      }
    }
    return new TrackedFit(run, tree);
  }

  /**
   * Logs params; a value over MLflow's {@value #MAX_PARAM_LENGTH} characters is cut to them, as
   * MLflow's autologging cuts it, and kept whole as the artifact {@code params/<key>.txt}.
   */
  static void logParams(Run run, Map<String, String> params) {
    Map<String, String> out = new LinkedHashMap<>();
    params.forEach((k, v) -> {
      if (v.length() <= MAX_PARAM_LENGTH) {
        out.put(k, v);
      } else {
        out.put(k, cut(v, MAX_PARAM_LENGTH));
        run.logText(v, "params/" + k + ".txt");
      }
    });
    run.logParams(out);
  }

  /**
   * Records what the fit made and ends its run: FINISHED with the model, FAILED with the
   * exception. Runs on the tracking thread; Spark jobs it needs (summary metrics, the model
   * save) run in the job group {@link SparkTracking#JOB_GROUP}.
   */
  void finish(TrackedFit fit, Object model, Throwable failure) {
    Run run = fit.run;
    RunStatus status = failure == null ? RunStatus.FINISHED : RunStatus.FAILED;
    Path saved = null;
    // this thread may have inherited a fit's local properties from the thread that created it
    sc.setLocalProperty(FitListener.RUN_PROPERTY, null);
    try {
      fit.sparkMetrics().forEach((k, v) -> run.logMetric(k, v));
      if (failure != null) {
        run.setTag(FAILURE_TAG, describe(failure));
      } else {
        Tuning.record(run, fit.tree, model);
        sc.setJobGroup(SparkTracking.JOB_GROUP, "tracker-spark: summary metrics", false);
        Summaries.record(run, model, settings.summaryMetrics());
        if (settings.saveModel() && model instanceof MLWritable writable) {
          sc.setJobGroup(SparkTracking.JOB_GROUP, "tracker-spark: save model", false);
          saved = save(writable);
          run.logArtifact(saved, "model");
        }
      }
    } catch (RuntimeException | LinkageError e) {
      // the fit itself succeeded or failed on its own; what could not be recorded is told
      log.warn("could not record everything of run '{}' ({})", run.name(), run.id(), e);
    } finally {
      sc.clearJobGroup();
    }
    try {
      run.end(status);
      tracker.flush();
    } catch (RuntimeException e) {
      log.warn("could not end run '{}' ({})", run.name(), run.id(), e);
      saved = null; // the dispatcher may still read it
    }
    if (saved != null) {
      delete(saved.getParent());
    }
  }

  private Path save(MLWritable writable) {
    try {
      Path dir = settings.modelDirectory() == null
          ? Files.createTempDirectory("tracker-spark-")
          : Files.createTempDirectory(Files.createDirectories(settings.modelDirectory()),
              "tracker-spark-");
      Path target = dir.resolve("model");
      writable.write().save(target.toUri().toString());
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String describe(Throwable t) {
    String msg = t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    return cut(msg, 8000);
  }

  /**
   * The first {@code max} characters of {@code s}, one fewer where the cut would split a
   * character in two (a lone surrogate, which the run refuses as ill-formed text).
   */
  static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    return s.substring(0, Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max);
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      log.debug("could not delete {}", dir, e);
    }
  }
}
