package dev.tracker.testing;

import dev.tracker.DatasetInput;
import dev.tracker.ExperimentInfo;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.spi.ArtifactPath;
import dev.tracker.spi.Batch;
import dev.tracker.spi.ModelStore;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A backend that keeps everything in memory, for tests: it records each call, can be told to
 * fail, and can be held (every call waits on a latch) to prove that callers do not wait for it.
 */
public final class RecordingBackend implements TrackingBackend {
  private final Map<String, ExperimentInfo> experiments = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Map<String, RunState> runs = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<Batch> batches = new CopyOnWriteArrayList<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private volatile CountDownLatch entered = new CountDownLatch(0);
  private volatile IOException failure;
  private volatile boolean closed;
  private final RecordingModelStore models = new RecordingModelStore(this);

  /** Every call waits until {@link #release()}; {@link #awaitBlocked} tells when one is waiting. */
  public void block() {
    entered = new CountDownLatch(1);
    gate = new CountDownLatch(1);
  }

  /** Lets waiting and later calls through. */
  public void release() {
    gate.countDown();
  }

  /** Waits until a call is held by {@link #block()}. */
  public boolean awaitBlocked(long seconds) throws InterruptedException {
    return entered.await(seconds, TimeUnit.SECONDS);
  }

  /** Makes every later writing call throw this; null stops failing. */
  public void failWith(IOException e) {
    this.failure = e;
  }

  private void enter(String call) throws IOException {
    calls.add(call);
    entered.countDown();
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    IOException f = failure;
    if (f != null) {
      throw f;
    }
  }

  /** The names of the calls made, in order ("createRun", "logBatch", …). */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** Every batch handed over, in order. */
  public List<Batch> batches() {
    return List.copyOf(batches);
  }

  /** The ids of the runs created. */
  public List<String> runIds() {
    synchronized (runs) {
      return new ArrayList<>(runs.keySet());
    }
  }

  /** The spec a run was created with. */
  public RunSpec spec(String runId) {
    return state(runId).spec;
  }

  /** Every metric point of a run, in arrival order. */
  public List<Metric> metrics(String runId) {
    return List.copyOf(state(runId).metrics);
  }

  /** The params of a run. */
  public Map<String, String> params(String runId) {
    return Map.copyOf(state(runId).params);
  }

  /** The tags of a run: those at creation, then those logged. */
  public Map<String, String> tags(String runId) {
    return Map.copyOf(state(runId).tags);
  }

  /** The artifacts of a run, path to content. */
  public Map<String, byte[]> artifacts(String runId) {
    return Map.copyOf(state(runId).artifacts);
  }

  /** The status of a run. */
  public RunStatus status(String runId) {
    return state(runId).status;
  }

  /** True once closed. */
  public boolean isClosed() {
    return closed;
  }

  private RunState state(String runId) {
    RunState s = runs.get(runId);
    if (s == null) {
      throw new AssertionError("no run " + runId + "; runs: " + runs.keySet());
    }
    return s;
  }

  @Override
  public String describe() {
    return "recording";
  }

  @Override
  public String createExperiment(String name) throws IOException {
    enter("createExperiment");
    experiments.putIfAbsent(name, new ExperimentInfo("exp-" + name, name, 0));
    return experiments.get(name).id();
  }

  @Override
  public void createRun(RunSpec spec) throws IOException {
    enter("createRun");
    RunState existing = runs.get(spec.runId());
    if (existing != null && spec.resume()) {
      synchronized (existing) {
        existing.status = RunStatus.RUNNING;
        existing.endTime = 0;
        spec.tags().forEach(existing.tags::putIfAbsent);
      }
      return;
    }
    RunState s = new RunState(spec);
    s.tags.putAll(spec.tags());
    runs.putIfAbsent(spec.runId(), s);
  }

  @Override
  public void logBatch(String runId, Batch batch) throws IOException {
    enter("logBatch");
    batches.add(batch);
    RunState s = state(runId);
    synchronized (s) {
      s.metrics.addAll(batch.metrics());
      for (Param p : batch.params()) {
        String old = s.params.putIfAbsent(p.key(), p.value());
        if (old != null && !old.equals(p.value())) {
          throw new IOException("param " + p.key() + " changed");
        }
      }
      for (Tag t : batch.tags()) {
        s.tags.put(t.key(), t.value());
      }
    }
  }

  @Override
  public void logArtifact(String runId, Path file, String artifactPath) throws IOException {
    enter("logArtifact");
    state(runId).artifacts.put(artifactPath, Files.readAllBytes(file));
  }

  @Override
  public void logArtifact(String runId, byte[] content, String artifactPath) throws IOException {
    enter("logArtifact");
    state(runId).artifacts.put(artifactPath, content.clone());
  }

  /** Keeps one input per (name, digest), as MLflow does. */
  @Override
  public void logInputs(String runId, List<DatasetInput> inputs) throws IOException {
    enter("logInputs");
    RunState s = state(runId);
    synchronized (s) {
      for (DatasetInput in : inputs) {
        if (s.inputs.stream().noneMatch(o -> o.name().equals(in.name())
            && java.util.Objects.equals(o.digest(), in.digest()))) {
          s.inputs.add(in);
        }
      }
    }
  }

  @Override
  public void endRun(String runId, RunStatus status, long endTime) throws IOException {
    enter("endRun");
    RunState s = state(runId);
    s.status = status;
    s.endTime = endTime;
  }

  @Override
  public void close() {
    calls.add("close");
    closed = true;
  }

  @Override
  public List<ExperimentInfo> listExperiments() {
    synchronized (experiments) {
      return new ArrayList<>(experiments.values());
    }
  }

  @Override
  public List<RunInfo> listRuns(String experimentName) {
    List<RunInfo> out = new ArrayList<>();
    synchronized (runs) {
      for (RunState s : runs.values()) {
        if (s.spec.experimentName().equals(experimentName)) {
          out.add(s.info());
        }
      }
    }
    Collections.reverse(out); // newest first; the stable sort keeps the later of equal starts first
    out.sort(Comparator.comparingLong(RunInfo::startTime).reversed());
    return out;
  }

  @Override
  public Optional<RunData> readRun(String runId) {
    RunState s = runs.get(runId);
    if (s == null) {
      return Optional.empty();
    }
    synchronized (s) {
      return Optional.of(new RunData(s.info(), s.params, s.tags, s.metrics,
          s.artifacts.keySet().stream().sorted().toList(), s.inputs));
    }
  }

  @Override
  public InputStream openArtifact(String runId, String artifactPath) throws IOException {
    RunState s = runs.get(runId);
    byte[] b = s == null ? null : s.artifacts.get(ArtifactPath.check(artifactPath));
    if (b == null) {
      throw new FileNotFoundException("no artifact " + artifactPath + " in run " + runId);
    }
    return new ByteArrayInputStream(b);
  }

  /** The artifact as UTF-8 text. */
  public String artifactText(String runId, String path) {
    byte[] b = artifacts(runId).get(path);
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public Optional<ModelStore> modelStore() {
    return Optional.of(models);
  }

  private static final class RunState {
    final RunSpec spec;
    final List<Metric> metrics = new ArrayList<>();
    final Map<String, String> params = new LinkedHashMap<>();
    final Map<String, String> tags = new LinkedHashMap<>();
    final Map<String, byte[]> artifacts = Collections.synchronizedMap(new LinkedHashMap<>());
    final List<DatasetInput> inputs = new ArrayList<>();
    volatile RunStatus status = RunStatus.RUNNING;
    volatile long endTime;

    RunState(RunSpec spec) {
      this.spec = spec;
    }

    RunInfo info() {
      return new RunInfo(spec.runId(), spec.runName(), spec.experimentId(),
          spec.experimentName(), status, spec.startTime(), endTime, spec.parentRunId());
    }
  }
}
