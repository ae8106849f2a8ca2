package dev.tracker.examples;

import dev.tracker.Experiment;
import dev.tracker.Run;
import dev.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo: softmax regression on Iris at several learning rates, one tracked run each.
 *
 * <p>Records to {@code file:./runs} unless {@code TRACKER_URI} / {@code MLFLOW_TRACKING_URI} say
 * otherwise; {@code TRACKER_SEED} fixes the root seed, so two demos with the same seed log the
 * same values.
 */
public final class IrisDemo {
  private IrisDemo() {}

  /** Runs the demo and prints a table of each run's final metrics. */
  public static void main(String[] args) {
    double[] learningRates = {0.01, 0.05, 0.1, 0.5};
    Iris data = Iris.load();
    List<IrisTraining.Result> results = new ArrayList<>();
    try (Tracker tracker = Tracker.create()) {
      Experiment experiment = tracker.experiment("iris");
      for (double lr : learningRates) {
        try (Run run = experiment.startRun("lr-" + lr)) {
          results.add(IrisTraining.train(run, data,
              new IrisTraining.Config(lr, 50, 16, 1e-4, 0.2)));
        }
      }
      System.out.println("Tracked " + results.size() + " runs of experiment 'iris' to "
          + tracker.uri());
    }
    System.out.printf("%-34s %-9s %20s %10s %10s %9s %9s%n", "run id", "name", "seed",
        "loss", "test_loss", "train_acc", "accuracy");
    for (IrisTraining.Result r : results) {
      System.out.printf("%-34s %-9s %20d %10.4f %10.4f %9.3f %9.3f%n", r.runId(), r.runName(),
          r.seed(), r.trainLoss(), r.testLoss(), r.trainAccuracy(), r.testAccuracy());
    }
  }
}
