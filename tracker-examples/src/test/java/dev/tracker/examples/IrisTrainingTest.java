package dev.tracker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.testing.RecordingBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

class IrisTrainingTest {
  private static final IrisTraining.Config CONFIG = new IrisTraining.Config(0.1, 30, 16, 1e-4, 0.2);

  private static List<Metric> trainWithSeed(long seed) {
    RecordingBackend backend = new RecordingBackend();
    String id;
    try (Tracker tracker = Tracker.builder().backend(backend).shutdownHook(false).seed(seed)
        .build()) {
      try (Run run = tracker.experiment("iris").startRun("r")) {
        IrisTraining.train(run, Iris.load(), CONFIG);
        id = run.id();
      }
    }
    return backend.metrics(id);
  }

  @Test
  void theSameRootSeedGivesTheSameMetricValues() {
    List<Double> first = trainWithSeed(1234).stream().map(Metric::value).toList();
    List<Double> second = trainWithSeed(1234).stream().map(Metric::value).toList();
    List<Double> other = trainWithSeed(99).stream().map(Metric::value).toList();
    assertThat(first).hasSize(4 * 30).isEqualTo(second);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void theModelLearnsIris() {
    List<Metric> metrics = trainWithSeed(7);
    Metric lastAccuracy = metrics.stream().filter(m -> m.key().equals("accuracy"))
        .reduce((a, b) -> b).orElseThrow();
    Metric firstLoss = metrics.get(0);
    Metric lastLoss = metrics.stream().filter(m -> m.key().equals("loss"))
        .reduce((a, b) -> b).orElseThrow();
    assertThat(lastAccuracy.value()).isGreaterThan(0.85);
    assertThat(lastLoss.value()).isLessThan(firstLoss.value());
  }

  @Test
  void theDataSetHas150FlowersOfThreeSpecies() {
    Iris iris = Iris.load();
    assertThat(iris.size()).isEqualTo(150);
    assertThat(java.util.Arrays.stream(iris.labels()).distinct().sorted().toArray())
        .containsExactly(0, 1, 2);
  }
}
