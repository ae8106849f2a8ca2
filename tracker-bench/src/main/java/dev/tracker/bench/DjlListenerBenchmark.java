package dev.tracker.bench;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.translate.TranslateException;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.djl.TrackerDjl;
import dev.tracker.djl.TrackerTrainingListener;
import dev.tracker.djl.example.MlpExample;
import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What tracker-djl's listener costs a DJL training: one training step of the README's example
 * MLP (tracker-djl's {@code MlpExample}: batch of 32, forward, loss, backward, optimizer step,
 * DJL's basic listeners, an epoch's end every 15 steps) on the PyTorch CPU engine, with a
 * listener that does nothing ({@code noop}), with the tracker's at its defaults ({@code tracker},
 * every 100th batch logged), and logging every batch ({@code tracker-every-batch}); each after
 * DJL's basic listeners, as the example adds it ({@code tracker-first-every-batch}: before them,
 * so that the tracker evaluates each batch itself). The tracker
 * records to a backend that discards, so the figure is the training thread's cost only.
 *
 * <p>{@link #onTrainingBatch} measures the listener's own share alone: its {@code
 * onTrainingBatch} called on one trained batch, over and over (every 100th call, or every call,
 * evaluates the batch and logs). The goal: the tracker's cost within 1 % of a training step.
 *
 * <p>PyTorch runs on one thread: on a small machine shared with other jobs, its thread pool's
 * spinning makes a step 10 to 50 times slower and the figures noise.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
    "-Dai.djl.pytorch.num_interop_threads=1"})
public class DjlListenerBenchmark {
  private static final int BATCH = 32;

  /** The example's trainer with one of the listeners. */
  @State(Scope.Benchmark)
  public static class Training {
    @Param({"noop", "tracker", "tracker-every-batch"})
    public String listener;

    private Tracker tracker;
    private Run run;
    private Model model;
    private Trainer trainer;
    private ArrayDataset train;
    private Iterator<Batch> batches;
    private TrackerTrainingListener trackerListener;
    private TrainingListener.BatchData[] capture;

    @Setup(Level.Trial)
    public void start() throws IOException, TranslateException {
      tracker = Tracker.builder().backend(new DiscardingBackend()).shutdownHook(false)
          .standardTags(false).seed(1).build();
      run = tracker.experiment("bench").startRun("djl-" + listener);
      DefaultTrainingConfig config = MlpExample.untracked(0.1f)
          .addTrainingListeners(TrainingListener.Defaults.basic());
      switch (listener) {
        case "noop" -> config.addTrainingListeners(new TrainingListenerAdapter() {});
        case "tracker" ->
            trackerListener = TrackerDjl.listener(run).saveModel(false).addTo(config);
        case "tracker-every-batch" -> trackerListener =
            TrackerDjl.listener(run).everyNBatches(1).saveModel(false).addTo(config);
        case "tracker-first-every-batch" -> {
          // before DJL's listeners: the tracker evaluates each batch itself
          config = MlpExample.untracked(0.1f);
          trackerListener = TrackerDjl.listener(run).everyNBatches(1).saveModel(false)
              .addTo(config);
          config.addTrainingListeners(TrainingListener.Defaults.basic());
        }
        default -> throw new IllegalArgumentException("unknown listener " + listener);
      }
      // hands the Callback state a trained batch's data
      config.addTrainingListeners(new TrainingListenerAdapter() {
        @Override
        public void onTrainingBatch(Trainer t, BatchData batchData) {
          if (capture != null) {
            capture[0] = batchData;
            capture = null;
          }
        }
      });
      model = Model.newInstance("mlp");
      model.setBlock(MlpExample.block());
      train = MlpExample.trainingSet(model.getNDManager(), run.seeds().generator("data"), BATCH);
      trainer = model.newTrainer(config);
      trainer.initialize(new Shape(BATCH, MlpExample.FEATURES));
      batches = trainer.iterateDataset(train).iterator();
    }

    @TearDown(Level.Trial)
    public void stop() {
      trainer.close();
      model.close();
      run.close();
      tracker.close();
    }
  }

  /** The tracker's listener alone, called on one trained batch that stays open. */
  @State(Scope.Benchmark)
  public static class Callback {
    @Param({"tracker", "tracker-every-batch", "tracker-first-every-batch"})
    public String listener;

    private Training training;
    private Batch kept;
    private TrainingListener.BatchData data;

    @Setup(Level.Trial)
    public void start() throws IOException, TranslateException {
      training = new Training();
      training.listener = listener;
      training.start();
      kept = training.train.getData(training.model.getNDManager()).iterator().next();
      TrainingListener.BatchData[] captured = new TrainingListener.BatchData[1];
      training.capture = captured;
      EasyTrain.trainBatch(training.trainer, kept);
      data = captured[0];
    }

    @TearDown(Level.Trial)
    public void stop() {
      kept.close();
      training.stop();
    }
  }

  /** One step of {@code EasyTrain.fit}: a batch trained, the parameters updated. */
  @Benchmark
  public void trainingStep(Training t) throws IOException, TranslateException {
    if (!t.batches.hasNext()) {
      t.trainer.notifyListeners(l -> l.onEpoch(t.trainer));
      t.batches = t.trainer.iterateDataset(t.train).iterator();
    }
    Batch batch = t.batches.next();
    EasyTrain.trainBatch(t.trainer, batch);
    t.trainer.step();
    batch.close();
  }

  /** One call of the tracker listener's {@code onTrainingBatch}. */
  @Benchmark
  public void onTrainingBatch(Callback c) {
    c.training.trackerListener.onTrainingBatch(c.training.trainer, c.data);
  }
}
