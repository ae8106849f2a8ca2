package dev.tracker.spark;

import dev.tracker.Tracker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spark ML fits tracked from the driver, in one line:
 *
 * <pre>{@code
 * try (Tracker tracker = Tracker.create();                          // MLFLOW_TRACKING_URI, or ./runs
 *      SparkTracking tracking = SparkTracking.autolog(spark, tracker)) {
 *   PipelineModel model = pipeline.fit(train);                      // a run, from Spark's own events
 *   CrossValidatorModel cv = tracking.fit(crossValidator, train);   // a run with a child per ParamMap
 * }                                                                 // waits for the recording to end
 * }</pre>
 *
 * <p>Each fit becomes a run named after the estimator, with every stage's params (set and
 * default) under uid-free keys ({@code LogisticRegression.regParam}), the input's schema, what
 * Spark did ({@code spark/jobs}, {@code spark/stages}, {@code spark/tasks}, {@code
 * spark/job_duration_ms}, {@code spark/stage_duration_ms}), the training summaries of the fitted
 * stages ({@code LogisticRegression/objectiveHistory} over iterations, {@code
 * LogisticRegression/accuracy}, …), and the fitted model saved with Spark's {@code MLWriter} as
 * the artifact directory {@code model}. A tuning fit ({@code CrossValidator}, {@code
 * TrainValidationSplit}) also gets a child run per param map with its params and metric ({@code
 * avg_f1}), the best child tagged {@code tracker.spark.best}, and the evaluator's metric name and
 * {@code isLargerBetter} as params.
 *
 * <p>What Spark announces and what it does not: Spark 3.5 posts {@code FitStart}/{@code FitEnd}
 * on its listener bus for {@code Pipeline.fit} only, and posts nothing when a fit throws. So a
 * {@code Pipeline.fit} called directly is tracked with no other change, while tuning, single
 * estimators and any fit that may throw go through {@link #fit(Estimator, Dataset)}, which ends
 * the run {@code FAILED} when the fit throws. Call a tuning estimator through {@code fit}: called
 * directly, its inner pipeline fits would each become a run. The jobs of a {@code fit} are
 * counted exactly (a local property marks them); a directly called {@code Pipeline.fit} counts
 * every job that starts while it runs, other threads' included.
 *
 * <p>The driver never waits for tracking: params are queued, everything after the fit is done
 * by one daemon thread ({@code tracker-spark}). Tracking itself runs no Spark job. The model save
 * and the summary metrics that Spark computes lazily (accuracy, areaUnderROC, r2) are Spark jobs;
 * they run in the job group {@value #JOB_GROUP}, off the driver's thread, are not counted in
 * {@code spark/}, and can be turned off ({@link Builder#saveModel}, {@link
 * Builder#summaryMetrics}).
 *
 * <p>On a cluster the tracker lives on the driver: point it at an MLflow server with {@code
 * MLFLOW_TRACKING_URI}. The model is saved under {@link Builder#modelDirectory} (default: the
 * driver's temporary directory, through a {@code file:} URI): executors write the model's data
 * files, so on a cluster that directory must be on a file system shared by the driver and the
 * executors, or turn the model save off.
 */
public final class SparkTracking implements AutoCloseable {
  /** The job group of the Spark jobs tracking runs: the model save and summary metrics. */
  public static final String JOB_GROUP = "dev.tracker.spark";
  /** Whether the fitted model is saved and logged: {@value}. */
  public static final boolean DEFAULT_SAVE_MODEL = true;
  /** Whether summary metrics that need a Spark job are recorded: {@value}. */
  public static final boolean DEFAULT_SUMMARY_METRICS = true;
  /** How long {@link #close()} waits for the recording to end: 60 seconds. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Tracker.DEFAULT_CLOSE_TIMEOUT;

  private static final Logger log = LoggerFactory.getLogger(SparkTracking.class);

  private final SparkContext sc;
  private final Settings settings;
  private final FitRecorder recorder;
  private final FitListener listener;
  private final ExecutorService tracking;
  private final AtomicBoolean closed = new AtomicBoolean();

  record Settings(String experiment, boolean saveModel, boolean summaryMetrics,
      Path modelDirectory, Duration closeTimeout) {}

  private SparkTracking(SparkSession spark, Tracker tracker, Settings settings) {
    this.sc = spark.sparkContext();
    this.settings = settings;
    this.recorder = new FitRecorder(sc, tracker, settings);
    this.tracking = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tracker-spark");
      t.setDaemon(true);
      return t;
    });
    this.listener = new FitListener(recorder, tracking);
    sc.addSparkListener(listener);
  }

  /**
   * Tracks the fits of this Spark application into the tracker's default experiment, with the
   * defaults: every {@code Pipeline.fit} from now on, and every {@link #fit(Estimator, Dataset)}.
   *
   * @throws NullPointerException when spark or tracker is null
   */
  public static SparkTracking autolog(SparkSession spark, Tracker tracker) {
    return builder(spark, tracker).build();
  }

  /** A builder to choose the experiment, the model save and the summary metrics. */
  public static Builder builder(SparkSession spark, Tracker tracker) {
    return new Builder(spark, tracker);
  }

  /**
   * Fits the estimator as a tracked run, on this thread, and returns its model. When the fit
   * throws, the run ends {@code FAILED} (the exception in the tag {@code tracker.failure}) and the
   * exception is rethrown unchanged. Works for any estimator: tuning ones get a child run per
   * param map.
   *
   * @throws IllegalStateException when tracking is closed
   */
  public <M extends Model<M>> M fit(Estimator<M> estimator, Dataset<?> dataset) {
    Objects.requireNonNull(estimator, "estimator");
    if (closed.get()) {
      throw new IllegalStateException("Spark tracking is closed; cannot track the fit of "
          + estimator.getClass().getSimpleName());
    }
    TrackedFit fit = recorder.start(estimator, dataset);
    sc.listenerBus().post(new FitListener.Begin(fit));
    String previous = sc.getLocalProperty(FitListener.RUN_PROPERTY);
    sc.setLocalProperty(FitListener.RUN_PROPERTY, fit.run.id());
    M model;
    try {
      model = estimator.fit(dataset);
    } catch (Throwable t) {
      sc.listenerBus().post(new FitListener.Done(fit, null, t));
      throw t;
    } finally {
      sc.setLocalProperty(FitListener.RUN_PROPERTY, previous);
    }
    sc.listenerBus().post(new FitListener.Done(fit, model, null));
    return model;
  }

  /**
   * Stops tracking and waits, up to the close timeout, until the runs of the fits that have
   * returned are recorded and ended (their records handed to the tracker and flushed). A pipeline
   * fit that began and never ended (it threw) ends {@code FAILED}. Close this before the tracker.
   * Safe to call twice.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
    try {
      CountDownLatch drained = new CountDownLatch(1);
      if (!sc.isStopped()) {
        sc.listenerBus().post(new FitListener.Drain(drained));
      }
      boolean handled = !sc.isStopped()
          && drained.await(settings.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
      sc.removeSparkListener(listener);
      if (handled) {
        tracking.execute(listener::abandonOpenFits); // the listener has no other caller now
      }
      tracking.shutdown();
      long left = deadline - System.nanoTime();
      if (!tracking.awaitTermination(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        log.warn("Spark tracking did not finish recording within {}", settings.closeTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      tracking.shutdown();
    }
  }

  @Override
  public String toString() {
    return "SparkTracking{app=" + sc.applicationId() + ", saveModel=" + settings.saveModel()
        + ", summaryMetrics=" + settings.summaryMetrics() + ", closed=" + closed.get() + "}";
  }

  /** Chooses how fits are tracked; {@link #build()} starts tracking. */
  public static final class Builder {
    private final SparkSession spark;
    private final Tracker tracker;
    private String experiment;
    private boolean saveModel = DEFAULT_SAVE_MODEL;
    private boolean summaryMetrics = DEFAULT_SUMMARY_METRICS;
    private Path modelDirectory;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

    private Builder(SparkSession spark, Tracker tracker) {
      this.spark = Objects.requireNonNull(spark, "spark");
      this.tracker = Objects.requireNonNull(tracker, "tracker");
    }

    /** The experiment of the runs, instead of the tracker's default one. */
    public Builder experiment(String name) {
      this.experiment = name;
      return this;
    }

    /** Whether the fitted model is saved with its {@code MLWriter} and logged as {@code model}. */
    public Builder saveModel(boolean enabled) {
      this.saveModel = enabled;
      return this;
    }

    /** Whether summary metrics that Spark computes with a job (accuracy, r2, …) are recorded. */
    public Builder summaryMetrics(boolean enabled) {
      this.summaryMetrics = enabled;
      return this;
    }

    /**
     * Where models are saved before they are logged (a new folder each time, deleted once the run
     * is flushed); default: the temporary directory. On a cluster: a shared file system.
     */
    public Builder modelDirectory(Path directory) {
      this.modelDirectory = directory;
      return this;
    }

    /** How long {@link SparkTracking#close()} waits; default {@link #DEFAULT_CLOSE_TIMEOUT}. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * Registers the listener and starts tracking.
     *
     * @throws IllegalArgumentException when the experiment name is blank or the close timeout is
     *     negative
     */
    public SparkTracking build() {
      if (experiment != null && experiment.isBlank()) {
        throw new IllegalArgumentException("experiment name must not be blank but was '"
            + experiment + "'");
      }
      if (closeTimeout == null || closeTimeout.isNegative()) {
        throw new IllegalArgumentException("close timeout must be at least 0 but was "
            + closeTimeout);
      }
      return new SparkTracking(spark, tracker,
          new Settings(experiment, saveModel, summaryMetrics, modelDirectory, closeTimeout));
    }
  }
}
