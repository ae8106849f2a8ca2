package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SystemMetricsTrackerTest {
  private final RecordingBackend recording = new RecordingBackend();

  @TempDir
  Path dir;

  private Tracker.Builder builder(Map<String, String> props, Map<String, String> env) {
    return Tracker.builder().backend(recording).shutdownHook(false)
        .systemProperties(new HashMap<>(props)::get).environment(new HashMap<>(env)::get);
  }

  private static boolean enabled(Tracker.Builder b) {
    try (Tracker t = b.build()) {
      return t.systemForTest().metricsEnabled();
    }
  }

  @Test
  void systemMetricsAreOffByDefaultWithATenSecondInterval() {
    try (Tracker t = builder(Map.of(), Map.of()).build()) {
      assertThat(t.systemForTest().metricsEnabled()).isFalse();
      assertThat(t.systemForTest().interval()).isEqualTo(Tracker.DEFAULT_SYSTEM_METRICS_INTERVAL)
          .isEqualTo(Duration.ofSeconds(10));
    }
  }

  @Test
  void mlflowsVariableTurnsThemOn() {
    assertThat(enabled(builder(Map.of(), Map.of("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "true"))))
        .isTrue();
    assertThat(enabled(builder(Map.of(), Map.of("TRACKER_SYSTEM_METRICS", "1")))).isTrue();
    assertThat(enabled(builder(Map.of("tracker.systemMetrics", "true"), Map.of()))).isTrue();
  }

  @Test
  void builderThenPropertyThenTrackerVariableThenMlflowVariableDecide() {
    Map<String, String> bothOn = Map.of("TRACKER_SYSTEM_METRICS", "false",
        "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "true");
    assertThat(enabled(builder(Map.of(), bothOn))).isFalse();
    assertThat(enabled(builder(Map.of("tracker.systemMetrics", "true"), bothOn))).isTrue();
    assertThat(enabled(builder(Map.of("tracker.systemMetrics", "true"), Map.of())
        .systemMetrics(false))).isFalse();
  }

  @Test
  void intervalComesFromConfigurationInSecondsOrAsIsoDuration() {
    try (Tracker t = builder(Map.of(), Map.of("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", "0.5"))
        .build()) {
      assertThat(t.systemForTest().interval()).isEqualTo(Duration.ofMillis(500));
    }
    try (Tracker t = builder(Map.of(), Map.of("TRACKER_SYSTEM_METRICS_INTERVAL", "PT2S",
        "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", "0.5")).build()) {
      assertThat(t.systemForTest().interval()).isEqualTo(Duration.ofSeconds(2));
    }
    try (Tracker t = builder(Map.of("tracker.systemMetricsInterval", "30"), Map.of())
        .systemMetricsInterval(Duration.ofSeconds(5)).build()) {
      assertThat(t.systemForTest().interval()).isEqualTo(Duration.ofSeconds(5));
    }
  }

  @Test
  void badSettingsAreRejectedNamingTheSetting() {
    assertThatThrownBy(() -> builder(Map.of(), Map.of("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING",
        "yes")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tracker.systemMetrics / TRACKER_SYSTEM_METRICS /"
            + " MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING must be one of true, false, 1, 0 but was"
            + " 'yes'");
    assertThatThrownBy(() -> builder(Map.of(), Map.of()).systemMetricsInterval(Duration.ofMillis(10))
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("systemMetricsInterval must be at least 100 ms but was 10 ms");
    assertThatThrownBy(() -> builder(Map.of(), Map.of("TRACKER_SYSTEM_METRICS_INTERVAL", "soon"))
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tracker.systemMetricsInterval / TRACKER_SYSTEM_METRICS_INTERVAL /"
            + " MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL must be a number of seconds (10, 0.5)"
            + " or an ISO-8601 duration (PT10S) but was 'soon'");
  }

  @Test
  void theNoopTrackerNeverSamples() {
    try (Tracker t = Tracker.noop()) {
      assertThat(t.systemForTest().metricsEnabled()).isFalse();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aRunRecordsSystemMetricsOnADaemonThreadUntilItEnds() throws Exception {
    SignallingBackend backend = new SignallingBackend(recording, dir);
    try (Tracker tracker = Tracker.builder().backend(backend).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null)
        .systemMetrics(true).systemMetricsInterval(Duration.ofMillis(100))
        .flushInterval(Duration.ofMillis(50)).build()) {
      Run run = tracker.experiment("e").startRun("r");

      assertThat(backend.secondSample.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(Thread.getAllStackTraces().keySet())
          .filteredOn(t -> t.getName().equals("tracker-system-metrics"))
          .isNotEmpty().allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
      assertThat(tracker.systemForTest().activeSamplers()).isEqualTo(1);
      run.close();
      assertThat(tracker.systemForTest().activeSamplers()).isZero();

      assertThat(recording.metrics(run.id()))
          .filteredOn(m -> m.step() == 1).extracting(Metric::key)
          .contains("system/cpu_utilization_percentage",
              "system/process_cpu_utilization_percentage",
              "system/system_memory_usage_megabytes", "system/system_memory_usage_percentage",
              "system/disk_usage_percentage", "system/disk_usage_megabytes",
              "system/disk_available_megabytes", "system/jvm_heap_used_megabytes",
              "system/jvm_heap_committed_megabytes", "system/jvm_gc_pause_ms",
              "system/jvm_gc_count", "system/jvm_threads")
          .allMatch(k -> k.startsWith("system/"));
      assertThat(recording.metrics(run.id())).extracting(Metric::step).contains(0L, 1L);
      assertThat(backend.localDirectoryCalls.get()).isPositive();
    }
  }

  @Test
  void runsGetTheContextTagsAndTheDependenciesArtifact() {
    try (Tracker tracker = builder(Map.of(), Map.of()).build()) {
      Run run = tracker.experiment("e").startRun("r");
      Run child = run.startChildRun("c");
      tracker.flush();

      assertThat(recording.spec(run.id()).tags())
          .containsEntry("tracker.cpu.count",
              String.valueOf(Runtime.getRuntime().availableProcessors()))
          .containsEntry("tracker.jvm.version", System.getProperty("java.vm.version"))
          .containsKey("tracker.jvm.max_heap_megabytes");
      // no PATH in this tracker's environment, so no git binary to ask
      assertThat(recording.tags(run.id())).containsEntry("mlflow.source.git.dirty", "unknown");
      assertThat(recording.artifactText(run.id(), "tracker.dependencies.txt"))
          .startsWith("# The class path of the JVM that recorded this run")
          .containsPattern("(?m)^assertj-core-[\\d.]+\\.jar\\t[\\d.]+$");
      assertThat(recording.artifacts(child.id())).doesNotContainKey("tracker.dependencies.txt");
    }
  }

  @Test
  void standardTagsOffMeansNoContext() {
    try (Tracker tracker = builder(Map.of(), Map.of()).standardTags(false).build()) {
      Run run = tracker.experiment("e").startRun("r");
      tracker.flush();

      assertThat(recording.tags(run.id())).doesNotContainKeys("tracker.cpu.count",
          "mlflow.source.git.dirty");
      assertThat(recording.artifacts(run.id())).isEmpty();
    }
  }

  /** Passes everything to a RecordingBackend; signals the second system-metrics sample. */
  private static final class SignallingBackend implements TrackingBackend {
    final RecordingBackend delegate;
    final Path local;
    final CountDownLatch secondSample = new CountDownLatch(1);
    final AtomicInteger localDirectoryCalls = new AtomicInteger();

    SignallingBackend(RecordingBackend delegate, Path local) {
      this.delegate = delegate;
      this.local = local;
    }

    @Override
    public String describe() {
      return "signalling";
    }

    @Override
    public String createExperiment(String name) throws IOException {
      return delegate.createExperiment(name);
    }

    @Override
    public void createRun(RunSpec spec) throws IOException {
      delegate.createRun(spec);
    }

    @Override
    public void logBatch(String runId, Batch batch) throws IOException {
      delegate.logBatch(runId, batch);
      if (batch.metrics().stream().anyMatch(m -> m.key().startsWith("system/") && m.step() >= 1)) {
        secondSample.countDown();
      }
    }

    @Override
    public void logArtifact(String runId, Path file, String artifactPath) throws IOException {
      delegate.logArtifact(runId, file, artifactPath);
    }

    @Override
    public void logArtifact(String runId, byte[] content, String artifactPath)
        throws IOException {
      delegate.logArtifact(runId, content, artifactPath);
    }

    @Override
    public void endRun(String runId, RunStatus status, long endTime) throws IOException {
      delegate.endRun(runId, status, endTime);
    }

    @Override
    public Optional<Path> localDirectory() {
      localDirectoryCalls.incrementAndGet();
      return Optional.of(local);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
