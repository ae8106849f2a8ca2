package dev.tracker.djl;

import ai.djl.training.DefaultTrainingConfig;
import dev.tracker.Run;

/**
 * Tracks a Deep Java Library (DJL) training in one line.
 *
 * <pre>{@code
 * tracker.experiment("mlp").run("mlp", run -> {       // FAILED, with the exception, if it throws
 *   DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
 *       .addEvaluator(new Accuracy())
 *       .addTrainingListeners(TrainingListener.Defaults.basic());
 *   TrackerDjl.track(run, config);                     // the one line
 *   try (Model model = Model.newInstance("mlp")) {
 *     model.setBlock(block);
 *     try (Trainer trainer = model.newTrainer(config)) {
 *       trainer.initialize(new Shape(batchSize, 4));
 *       EasyTrain.fit(trainer, epochs, train, validate);
 *     }                                               // training end: final metrics, model saved
 *   }
 * });
 * }</pre>
 *
 * <p>What is recorded, under which keys, is listed on {@link TrackerTrainingListener}. The
 * engine is seeded from the run's seeds when the run starts, by {@link DjlSeedHook}.
 */
public final class TrackerDjl {
  private TrackerDjl() {}

  /**
   * Adds a {@link TrackerTrainingListener} with the default settings to {@code config}: every
   * trainer made from it records into {@code run}.
   *
   * @return the listener added
   * @throws IllegalArgumentException when run or config is null
   */
  public static TrackerTrainingListener track(Run run, DefaultTrainingConfig config) {
    return listener(run).addTo(config);
  }

  /**
   * A builder of a listener that records into {@code run}, for settings other than the defaults:
   * {@code TrackerDjl.listener(run).everyNBatches(10).saveModel(false).addTo(config)}.
   *
   * @throws IllegalArgumentException when run is null
   */
  public static TrackerTrainingListener.Builder listener(Run run) {
    return TrackerTrainingListener.builder(run);
  }
}
