package dev.tracker.djl.example;

import ai.djl.Model;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingResult;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.translate.TranslateException;
import dev.tracker.Run;
import dev.tracker.djl.TrackerDjl;
import java.io.IOException;
import java.util.random.RandomGenerator;

/**
 * The DJL example: a small MLP (4 inputs, two hidden layers of 16, 3 classes) learns three
 * Gaussian blobs, generated from the run's seeds, with {@code EasyTrain.fit} on whatever engine
 * is on the class path (the build uses PyTorch on the CPU). {@link #config} is where the training
 * is tracked, in one line.
 */
public final class MlpExample {
  /** Features per sample. */
  public static final int FEATURES = 4;
  /** Classes. */
  public static final int CLASSES = 3;
  /** Samples per class, training and validation. */
  public static final int TRAIN_PER_CLASS = 160;
  /** Validation samples per class. */
  public static final int VALIDATE_PER_CLASS = 40;
  /** The inputs {@link Result#probe} predicts on: one point near each blob's centre. */
  public static final float[][] PROBE = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};

  private MlpExample() {}

  /**
   * What a training gave: the trainer's own summary and metrics, and the trained model's outputs
   * on {@link #PROBE}.
   */
  public record Result(TrainingResult training, Metrics metrics, float[] probe) {}

  /** The network: the same structure for training and for loading a saved model back. */
  public static Block block() {
    return new SequentialBlock()
        .add(Linear.builder().setUnits(16).build())
        .add(Activation::relu)
        .add(Linear.builder().setUnits(16).build())
        .add(Activation::relu)
        .add(Linear.builder().setUnits(CLASSES).build());
  }

  /** The example's training config: DJL's basic listeners, then the tracker (the one line). */
  public static DefaultTrainingConfig config(Run run, float learningRate) {
    DefaultTrainingConfig config = untracked(learningRate)
        .addTrainingListeners(TrainingListener.Defaults.basic());
    TrackerDjl.track(run, config);
    return config;
  }

  /** The loss, evaluator and optimizer of the example, with no listener. */
  public static DefaultTrainingConfig untracked(float learningRate) {
    return new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
        .addEvaluator(new Accuracy())
        .optOptimizer(Optimizer.sgd()
            .setLearningRateTracker(ai.djl.training.tracker.Tracker.fixed(learningRate))
            .build());
  }

  /**
   * Trains {@link #block()} with {@code config} for {@code epochs} epochs on the blobs, in
   * batches of {@code batchSize}; the data comes from {@code run.seeds()}, the shuffling and the
   * initial weights from the engine, seeded when the run started.
   */
  public static Result fit(Run run, DefaultTrainingConfig config, int epochs, int batchSize)
      throws IOException, TranslateException {
    RandomGenerator random = run.seeds().generator("data");
    try (Model model = Model.newInstance("mlp")) {
      model.setBlock(block());
      NDManager manager = model.getNDManager();
      ArrayDataset train = trainingSet(manager, random, batchSize);
      ArrayDataset validate = blobs(manager, random, VALIDATE_PER_CLASS, batchSize, false);
      TrainingResult result;
      Metrics metrics;
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(batchSize, FEATURES));
        trainer.setMetrics(new Metrics());   // DJL's own record, as DJL's examples keep it
        EasyTrain.fit(trainer, epochs, train, validate);
        result = trainer.getTrainingResult();
        metrics = trainer.getMetrics();
      }
      return new Result(result, metrics, predict(model, manager));
    }
  }

  /** The model's outputs on {@link #PROBE}, flattened. */
  public static float[] predict(Model model, NDManager manager) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray input = scope.create(PROBE);
      NDList out = model.getBlock().forward(new ParameterStore(scope, false), new NDList(input),
          false);
      return out.singletonOrThrow().toFloatArray();
    }
  }

  /** The training set: {@link #TRAIN_PER_CLASS} samples of each class, shuffled each epoch. */
  public static ArrayDataset trainingSet(NDManager manager, RandomGenerator random,
      int batchSize) {
    return blobs(manager, random, TRAIN_PER_CLASS, batchSize, true);
  }

  private static ArrayDataset blobs(NDManager manager, RandomGenerator random, int perClass,
      int batchSize, boolean shuffle) {
    int n = perClass * CLASSES;
    float[][] x = new float[n][FEATURES];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      int c = i % CLASSES;
      for (int f = 0; f < FEATURES; f++) {
        x[i][f] = (f == c ? 1f : 0f) + 0.35f * (float) random.nextGaussian();
      }
      y[i] = c;
    }
    return new ArrayDataset.Builder()
        .setData(manager.create(x))
        .optLabels(manager.create(y))
        .setSampling(batchSize, shuffle)
        .build();
  }
}
