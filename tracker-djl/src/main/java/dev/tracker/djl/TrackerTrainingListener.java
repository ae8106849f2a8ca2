package dev.tracker.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.listener.TrainingListener;
import dev.tracker.Run;
import dev.tracker.RunStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DJL {@link TrainingListener} that records a training into a {@link Run}: what was trained
 * (params), how it went (metrics per batch and per epoch) and what it made (the model). Added to
 * a training config with {@link TrackerDjl#track(Run, DefaultTrainingConfig)}.
 *
 * <h2>What is recorded</h2>
 *
 * <table>
 *   <caption>Params, metrics and artifacts</caption>
 *   <tr><th>when</th><th>kind</th><th>key</th><th>value</th></tr>
 *   <tr><td>training start</td><td>param</td><td>{@code djl.version}, {@code djl.engine},
 *       {@code djl.engine.version}</td><td>DJL's version, the engine's name and version</td></tr>
 *   <tr><td></td><td>param</td><td>{@code djl.seed}</td><td>the engine's random seed, when set
 *       (by {@link DjlSeedHook} or the user)</td></tr>
 *   <tr><td></td><td>param</td><td>{@code model.name}, {@code model.block}</td><td>the model's
 *       name, the block's class</td></tr>
 *   <tr><td></td><td>param</td><td>{@code loss}, {@code evaluators}, {@code devices}</td>
 *       <td>the loss's name, the other evaluators' names and the devices, comma-separated</td></tr>
 *   <tr><td></td><td>param</td><td>{@code optimizer}, {@code optimizer.<setting>}</td><td>the
 *       optimizer's class; each number it holds ({@code optimizer.learningRate} is its learning
 *       rate tracker's first value, {@code optimizer.learningRateTracker} the tracker's class;
 *       also {@code optimizer.momentum}, {@code optimizer.beta1},
 *       {@code optimizer.weightDecays}, {@code optimizer.clipGrad},
 *       {@code optimizer.rescaleGrad}, … as the class has them)</td></tr>
 *   <tr><td>first batch</td><td>param</td><td>{@code model.parameters}, {@code initializer},
 *       {@code batch_size}</td><td>the number of parameter values, the initializers' classes,
 *       the first batch's size</td></tr>
 *   <tr><td></td><td>artifact</td><td>{@value #SUMMARY_ARTIFACT}</td><td>the block's summary
 *       ({@code block.toString()})</td></tr>
 *   <tr><td>every {@code everyNBatches}-th training batch</td><td>metric</td>
 *       <td>{@code train_all_<evaluator>}</td><td>the batch's value of each evaluator, the loss
 *       included (DJL's {@code EvaluatorTrainingListener.TRAIN_ALL} name); step = the batch's
 *       index counted over all epochs from 0</td></tr>
 *   <tr><td>each epoch</td><td>metric</td><td>{@code train_epoch_<evaluator>}, {@code
 *       validate_epoch_<evaluator>}</td><td>each evaluator's value over the epoch's training and
 *       validation batches (DJL's names; validation only when there was a validation set);
 *       step = the epoch, from 0</td></tr>
 *   <tr><td></td><td>metric</td><td>{@value #EPOCH_TIME}</td><td>the epoch's wall time in
 *       milliseconds, validation included</td></tr>
 *   <tr><td>training end</td><td>metric</td><td>{@code train_<evaluator>}, {@code
 *       validate_<evaluator>}, {@code train_loss}, {@code validate_loss}</td><td>the last
 *       epoch's values (the keys of DJL's {@code TrainingResult}); step = the last epoch</td></tr>
 *   <tr><td></td><td>metric</td><td>{@value #EPOCHS}</td><td>the number of epochs trained</td></tr>
 *   <tr><td></td><td>artifact</td><td>{@value #MODEL_ARTIFACT}{@code /}</td><td>the model,
 *       saved with {@code model.save(dir, model.getName())}; load it back with {@code
 *       model.load(dir)} (opt out with {@link Builder#saveModel(boolean)})</td></tr>
 * </table>
 *
 * <p>An evaluator's name is used as it is when it is a valid key, with each other character
 * replaced by {@code _} (and empty, {@code .} or {@code ..} path segments left out); an evaluator
 * whose keys another one's (or this table's) hold already gets its name numbered ({@code acc_2}).
 * A param the run holds already with another value (the user's own {@code optimizer}, an earlier
 * training's {@code batch_size}) keeps that value, with a WARN: tracking never stops the
 * training.
 *
 * <h2>Cost</h2>
 *
 * <p>The listener only calls the {@link Run} API, which validates and queues: the training thread
 * never waits for a file or a server. A batch that is not logged costs a counter; a logged one
 * costs a {@code logMetric} per evaluator, and, when the config's {@link
 * EvaluatorTrainingListener} comes after this listener, an evaluation of each evaluator on the
 * batch (add the tracker after DJL's listeners to spare it). The one write on the training
 * thread is the model's {@code model.save} at the end of the training, into a temporary
 * directory that the tracker copies in the background (deleted when the JVM exits).
 *
 * <p>The per-epoch values are those of DJL's {@link EvaluatorTrainingListener}: the config's,
 * before or after this listener, or, when the config has none, one that this listener runs
 * itself.
 *
 * <p>A listener tracks one training (one trainer); callbacks come from the training thread.
 */
public final class TrackerTrainingListener implements TrainingListener {
  /**
   * Batches between two logged ones: at DJL's per-batch cost on a CPU (about a millisecond or
   * more), a one-hour training logs at most 36,000 batches, under 100,000 points with a loss and
   * one or two evaluators.
   */
  public static final int DEFAULT_EVERY_N_BATCHES = 100;
  /** The metric of each epoch's wall time in milliseconds. */
  public static final String EPOCH_TIME = "epoch_time_ms";
  /** The metric of the number of epochs trained, logged at the training's end. */
  public static final String EPOCHS = "epochs";
  /** The final metric of the loss over the last epoch's training batches (DJL's name). */
  public static final String TRAIN_LOSS = "train_loss";
  /** The final metric of the loss over the last epoch's validation batches (DJL's name). */
  public static final String VALIDATE_LOSS = "validate_loss";
  /** The artifact directory of the saved model. */
  public static final String MODEL_ARTIFACT = "model";
  /** The artifact of the block's summary. */
  public static final String SUMMARY_ARTIFACT = "djl/summary.txt";

  /**
   * The accumulator this listener adds to each evaluator to evaluate a logged batch, when DJL's
   * {@link EvaluatorTrainingListener} runs after it (and so has not evaluated the batch yet).
   */
  static final String BATCH_ACCUMULATOR = "tracker/batch";

  private static final Logger log = LoggerFactory.getLogger(TrackerTrainingListener.class);

  private final Run run;
  private final int everyNBatches;
  private final boolean saveModel;
  private final TrainingParams params;

  private boolean begun;
  private boolean described;
  private EpochSource epochSource;
  private EvaluatorTrainingListener ownEvaluation;
  private EvaluatorTrainingListener djlEvaluation;
  private List<Evaluator> evaluators = List.of();
  private MetricKeys[] keys = new MetricKeys[0];
  private int lossIndex;
  private float[] lastTrain = new float[0];
  private float[] lastValidate = new float[0];
  private long batch;
  private int epoch;
  private int validationBatches;
  private long epochStart;

  private TrackerTrainingListener(Builder b, DefaultTrainingConfig config) {
    this.run = b.run;
    this.everyNBatches = b.everyNBatches;
    this.saveModel = b.saveModel;
    this.params = new TrainingParams(config);
  }

  /** A builder of a listener that records into {@code run}. */
  static Builder builder(Run run) {
    if (run == null) {
      throw new IllegalArgumentException("run must not be null");
    }
    return new Builder(run);
  }

  /** Batches between two logged ones. */
  public int everyNBatches() {
    return everyNBatches;
  }

  /** Whether the model is saved and logged at the end of the training. */
  public boolean saveModel() {
    return saveModel;
  }

  @Override
  public void onTrainingBegin(Trainer trainer) {
    if (begun) {
      throw new IllegalStateException("a TrackerTrainingListener tracks one training, and this "
          + "one has begun already; add a new one (TrackerDjl.track) for each trainer");
    }
    begun = true;
    epochSource = epochSource(trainer);
    if (epochSource == EpochSource.OWN) {
      ownEvaluation = new EvaluatorTrainingListener();
      ownEvaluation.onTrainingBegin(trainer);
    }
    evaluators = List.copyOf(trainer.getEvaluators());
    keys = MetricKeys.of(evaluators, trainer.getLoss()).toArray(MetricKeys[]::new);
    for (int i = 0; i < keys.length; i++) {
      Evaluator e = evaluators.get(i);
      if (epochSource == EpochSource.ACCUMULATORS) {
        e.addAccumulator(BATCH_ACCUMULATOR);
      }
      if (e == trainer.getLoss()) {
        lossIndex = i;
      }
    }
    lastTrain = new float[keys.length];
    lastValidate = new float[keys.length];
    Arrays.fill(lastValidate, Float.NaN);
    if (isRunning()) {
      logParams(params.atStart(trainer));
      describeModelOnce(trainer, null);
    }
    epochStart = System.nanoTime();
  }

  @Override
  public void onTrainingBatch(Trainer trainer, BatchData batchData) {
    if (ownEvaluation != null) {
      ownEvaluation.onTrainingBatch(trainer, batchData);
    }
    long step = batch++;
    if (!isRunning()) {
      return;
    }
    if (!described) {
      describeModelOnce(trainer, batchData);
    }
    if (step % everyNBatches == 0) {
      logBatch(batchData, step);
    }
  }

  @Override
  public void onValidationBatch(Trainer trainer, BatchData batchData) {
    if (ownEvaluation != null) {
      ownEvaluation.onValidationBatch(trainer, batchData);
    }
    validationBatches++;
  }

  @Override
  public void onEpoch(Trainer trainer) {
    long now = System.nanoTime();
    if (isRunning()) {
      logEpoch(now);
    }
    if (ownEvaluation != null) {
      ownEvaluation.onEpoch(trainer);
    }
    epoch++;
    validationBatches = 0;
    epochStart = now;
  }

  @Override
  public void onTrainingEnd(Trainer trainer) {
    if (ownEvaluation != null) {
      ownEvaluation.onTrainingEnd(trainer);
    }
    if (!isRunning()) {
      return;
    }
    if (!described) {
      describeModelOnce(trainer, null);
    }
    long last = Math.max(epoch - 1, 0);
    if (epoch > 0) {
      for (int i = 0; i < keys.length; i++) {
        logFinal(keys[i].trainFinal(), lastTrain[i], last);
        logFinal(keys[i].validateFinal(), lastValidate[i], last);
      }
      if (!keys[lossIndex].trainFinal().equals(TRAIN_LOSS)) { // a loss named "loss" has them
        logFinal(TRAIN_LOSS, lastTrain[lossIndex], last);
        logFinal(VALIDATE_LOSS, lastValidate[lossIndex], last);
      }
    }
    run.logMetric(EPOCHS, epoch, last);
    if (saveModel && trainer.getModel().getBlock().isInitialized()) {
      Path dir = ModelSaver.save(trainer.getModel());
      if (dir != null) {
        run.logArtifact(dir, MODEL_ARTIFACT);
      }
    }
  }

  /** A final value; none for validation when the last epoch had no validation set. */
  private void logFinal(String key, float value, long step) {
    if (!Float.isNaN(value)) {
      run.logMetric(key, value, step);
    }
  }

  /**
   * Logs the batch's value of each evaluator: DJL's {@code TRAIN_ALL} accumulator when DJL's
   * {@link EvaluatorTrainingListener} (or this listener's own) has evaluated the batch already,
   * else an evaluation of the batch into this listener's accumulator.
   */
  private void logBatch(BatchData data, long step) {
    Map<Device, NDList> labels = data.getLabels();
    Map<Device, NDList> predictions = data.getPredictions();
    for (int i = 0; i < keys.length; i++) {
      Evaluator e = evaluators.get(i);
      float value;
      if (epochSource == EpochSource.ACCUMULATORS) {
        e.resetAccumulator(BATCH_ACCUMULATOR);
        for (Map.Entry<Device, NDList> l : labels.entrySet()) {
          e.updateAccumulator(BATCH_ACCUMULATOR, l.getValue(), predictions.get(l.getKey()));
        }
        value = e.getAccumulator(BATCH_ACCUMULATOR);
      } else {
        value = e.getAccumulator(EvaluatorTrainingListener.TRAIN_ALL);
      }
      run.logMetric(keys[i].trainBatch(), value, step);
    }
  }

  private void logEpoch(long now) {
    Map<String, Float> latest = djlEvaluation == null ? Map.of()
        : djlEvaluation.getLatestEvaluations();
    for (int i = 0; i < keys.length; i++) {
      Evaluator e = evaluators.get(i);
      MetricKeys k = keys[i];
      float train;
      float validate;
      if (epochSource == EpochSource.LATEST) {
        train = latest.getOrDefault(k.djlTrain(), Float.NaN);
        validate = latest.getOrDefault(k.djlValidate(), Float.NaN);
      } else {
        train = e.getAccumulator(EvaluatorTrainingListener.TRAIN_EPOCH);
        validate = e.getAccumulator(EvaluatorTrainingListener.VALIDATE_EPOCH);
      }
      lastTrain[i] = train;
      run.logMetric(k.trainEpoch(), train, epoch);
      if (validationBatches > 0) {
        lastValidate[i] = validate;
        run.logMetric(k.validateEpoch(), validate, epoch);
      } else {
        lastValidate[i] = Float.NaN;
      }
    }
    run.logMetric(EPOCH_TIME, (now - epochStart) / 1e6, epoch);
  }

  private void describeModelOnce(Trainer trainer, BatchData data) {
    if (described || !trainer.getModel().getBlock().isInitialized()) {
      return;
    }
    described = true;
    logParams(params.ofModel(trainer.getModel(), data));
    run.logText(trainer.getModel().getBlock().toString(), SUMMARY_ARTIFACT);
  }

  /**
   * Logs the training's params one by one: one the user logged before with another value (their
   * own {@code optimizer}, a second training in the run) is left as it is, with a WARN, and the
   * training goes on, as MLflow's autologging does.
   */
  private void logParams(Map<String, Object> params) {
    params.forEach((key, value) -> {
      try {
        run.logParam(key, value);
      } catch (IllegalArgumentException e) {
        log.warn("param of the DJL training not recorded: {}", e.getMessage());
      }
    });
  }

  private boolean isRunning() {
    return run.status() == RunStatus.RUNNING;
  }

  /**
   * Where the epoch's values are read: DJL's {@link EvaluatorTrainingListener} resets its
   * accumulators at the end of its {@code onEpoch}, so a listener that runs after it reads the
   * values it kept ({@code getLatestEvaluations()}).
   */
  private EpochSource epochSource(Trainer trainer) {
    List<TrainingListener> all = new ArrayList<>();
    trainer.notifyListeners(all::add);
    boolean seenThis = false;
    EpochSource source = EpochSource.OWN;
    for (TrainingListener l : all) {
      if (l == this) {
        seenThis = true;
      } else if (l instanceof EvaluatorTrainingListener e && source == EpochSource.OWN) {
        djlEvaluation = e;
        source = seenThis ? EpochSource.ACCUMULATORS : EpochSource.LATEST;
      }
    }
    return source;
  }

  private enum EpochSource {
    /** No EvaluatorTrainingListener in the config: this listener runs one. */
    OWN,
    /** DJL's runs after this one: its accumulators still hold the epoch. */
    ACCUMULATORS,
    /** DJL's runs before this one: read the values it kept. */
    LATEST
  }

  /** Builds a {@link TrackerTrainingListener}; {@link #addTo} adds it to a config. */
  public static final class Builder {
    private final Run run;
    private int everyNBatches = DEFAULT_EVERY_N_BATCHES;
    private boolean saveModel = true;

    private Builder(Run run) {
      this.run = run;
    }

    /**
     * Logs every n-th training batch (the first, the n+1-th, …); default {@value
     * #DEFAULT_EVERY_N_BATCHES}; 1 logs every batch.
     *
     * @throws IllegalArgumentException when n is less than 1
     */
    public Builder everyNBatches(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("everyNBatches must be at least 1 but was " + n);
      }
      this.everyNBatches = n;
      return this;
    }

    /** Whether to save the model at the end of the training and log it (default true). */
    public Builder saveModel(boolean saveModel) {
      this.saveModel = saveModel;
      return this;
    }

    /**
     * Builds the listener and adds it to {@code config}; its optimizer is recorded when a trainer
     * is made from it.
     *
     * @return the listener added
     * @throws IllegalArgumentException when config is null, or has a listener recording into
     *     this run already (each value would be logged twice)
     */
    public TrackerTrainingListener addTo(DefaultTrainingConfig config) {
      if (config == null) {
        throw new IllegalArgumentException("training config must not be null");
      }
      for (TrainingListener l : config.getTrainingListeners()) {
        if (l instanceof TrackerTrainingListener t && t.run == run) {
          throw new IllegalArgumentException("the training config has a TrackerTrainingListener"
              + " recording into run '" + run.name() + "' (" + run.id() + ") already; a second"
              + " one would log every value twice");
        }
      }
      TrackerTrainingListener listener = new TrackerTrainingListener(this, config);
      config.addTrainingListeners(listener);
      return listener;
    }
  }
}
