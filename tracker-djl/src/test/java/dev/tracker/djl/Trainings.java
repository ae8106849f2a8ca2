package dev.tracker.djl;

import ai.djl.training.DefaultTrainingConfig;
import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunData;
import dev.tracker.Tracker;
import dev.tracker.djl.example.MlpExample;
import dev.tracker.file.FileBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** Trains the example MLP in a tracked run to run folders, and reads the run back. */
final class Trainings {
  static final int EPOCHS = 3;
  static final int BATCH_SIZE = 32;
  /** 480 training samples in batches of 32. */
  static final int BATCHES_PER_EPOCH = 15;

  private Trainings() {}

  /** What a tracked training left: the run as read back from its folder, and the result. */
  record Trained(RunData run, MlpExample.Result result, Path runDir) {
    List<Metric> history(String key) {
      return run.history(key);
    }

    List<Long> steps(String key) {
      return history(key).stream().map(Metric::step).toList();
    }

    List<Double> values(String key) {
      return history(key).stream().map(Metric::value).toList();
    }
  }

  /** The example's config (DJL's basic listeners, then the tracker's). */
  static Trained train(Path root, long seed) throws Exception {
    return train(root, seed, run -> MlpExample.config(run, 0.1f));
  }

  static Trained train(Path root, long seed, Function<Run, DefaultTrainingConfig> config)
      throws Exception {
    String id;
    MlpExample.Result result;
    try (Tracker tracker = Tracker.builder().backend(FileBackend.create(root))
        .shutdownHook(false).standardTags(false).seed(seed).build()) {
      try (Run run = tracker.experiment("djl").startRun("mlp")) {
        id = run.id();
        result = MlpExample.fit(run, config.apply(run), EPOCHS, BATCH_SIZE);
      }
    }
    return new Trained(read(root, id), result, root.resolve("djl").resolve(id));
  }

  static RunData read(Path root, String runId) throws IOException {
    try (FileBackend reader = FileBackend.create(root)) {
      return reader.readRun(runId).orElseThrow();
    }
  }
}
