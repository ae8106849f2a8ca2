package dev.tracker.examples;

import dev.tracker.Run;
import dev.tracker.Seeds;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Trains a {@link SoftmaxRegression} on Iris inside a tracked run: params, per-epoch loss and
 * accuracy, and the trained weights as an artifact. Everything random comes from the run's seeds,
 * so the same root seed gives the same metrics.
 */
public final class IrisTraining {
  /** Hyper-parameters of one training run. */
  public record Config(double learningRate, int epochs, int batchSize, double l2,
      double testFraction) {
    /** The params to log. */
    public Map<String, Object> params() {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("lr", learningRate);
      p.put("epochs", epochs);
      p.put("batch_size", batchSize);
      p.put("l2", l2);
      p.put("test_fraction", testFraction);
      p.put("model", "softmax-regression");
      return p;
    }
  }

  /** What a run ended with. */
  public record Result(String runId, String runName, long seed, double trainLoss,
      double testLoss, double trainAccuracy, double testAccuracy) {}

  private IrisTraining() {}

  /** Trains on {@code data} with {@code config}, logging to {@code run}. */
  public static Result train(Run run, Iris data, Config config) {
    Seeds seeds = run.seeds();
    run.logParams(config.params());
    // The split uses the shared generator seeded by SharedRandomSeedHook at run start.
    Iris[] split = data.split(config.testFraction(), SharedRandom.get());
    Iris train = split[0];
    Iris test = split[1];
    run.logParams(Map.of("train_size", train.size(), "test_size", test.size()));

    SoftmaxRegression model = new SoftmaxRegression(4, 3, seeds.generator("init"));
    model.fitScaler(train.features());
    Random shuffle = seeds.random("shuffle");
    double trainLoss = 0;
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      trainLoss = model.trainEpoch(train, config.learningRate(), config.l2(), config.batchSize(),
          shuffle);
      run.logMetric("loss", trainLoss, epoch);
      run.logMetric("test_loss", model.loss(test), epoch);
      run.logMetric("train_accuracy", model.accuracy(train), epoch);
      run.logMetric("accuracy", model.accuracy(test), epoch);
    }
    run.logText(model.toCsv(), "model/weights.csv");
    run.setTag("model.classes", String.join(",", Iris.SPECIES));
    return new Result(run.id(), run.name(), seeds.root(), trainLoss, model.loss(test),
        model.accuracy(train), model.accuracy(test));
  }
}
