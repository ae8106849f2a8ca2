package dev.tracker.djl.example;

import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.djl.TrackerTrainingListener;

/**
 * The DJL demo: {@link MlpExample} at three learning rates, one tracked run each, offline.
 *
 * <pre>
 * ./mvnw -B -q -pl tracker-djl -am test-compile exec:java
 * </pre>
 *
 * <p>Records to {@code file:./runs} (experiment {@code djl-mlp}) unless {@code TRACKER_URI} /
 * {@code MLFLOW_TRACKING_URI} say otherwise; {@code TRACKER_SEED} fixes the root seed, and with
 * it the data, the shuffling and the initial weights.
 */
public final class DjlMlpDemo {
  private DjlMlpDemo() {}

  /** Runs the demo and prints each run's final values. */
  public static void main(String[] args) throws Exception {
    // DJL never goes to the network: libtorch comes from the class path (pytorch-native-cpu)
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    float[] learningRates = {0.01f, 0.05f, 0.2f};
    System.out.printf("%-34s %-8s %20s %10s %10s %9s%n", "run id", "name", "seed", "train_loss",
        "val_loss", "accuracy");
    try (Tracker tracker = Tracker.create()) {
      for (float lr : learningRates) {
        String[] row = new String[1];
        tracker.experiment("djl-mlp").run("lr-" + lr, run -> {
          MlpExample.Result r = MlpExample.fit(run, MlpExample.config(run, lr), 10, 32);
          row[0] = String.format("%-34s %-8s %20d %10.4f %10.4f %9.3f", run.id(), run.name(),
              run.seeds().root(), r.training().getTrainLoss(), r.training().getValidateLoss(),
              r.training().getValidateEvaluation("Accuracy"));
        });
        System.out.println(row[0]);
      }
      System.out.println("Tracked 3 runs of experiment 'djl-mlp' to " + tracker.uri()
          + " (metrics per " + TrackerTrainingListener.DEFAULT_EVERY_N_BATCHES
          + " batches and per epoch, params, model)");
    }
  }
}
