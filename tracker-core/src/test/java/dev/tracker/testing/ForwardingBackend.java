package dev.tracker.testing;

import dev.tracker.ExperimentInfo;
import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.RunData;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.ModelStore;
import dev.tracker.spi.RemoteDelivery;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.SearchPage;
import dev.tracker.spi.SearchRequest;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A backend that hands every call to another; tests override the calls they change. */
public class ForwardingBackend implements TrackingBackend {
  protected final TrackingBackend delegate;

  /** Forwards to {@code delegate}. */
  public ForwardingBackend(TrackingBackend delegate) {
    this.delegate = delegate;
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public Optional<RemoteDelivery> remoteDelivery() {
    return delegate.remoteDelivery();
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
  }

  @Override
  public void logArtifact(String runId, Path file, String artifactPath) throws IOException {
    delegate.logArtifact(runId, file, artifactPath);
  }

  @Override
  public void logArtifact(String runId, byte[] content, String artifactPath) throws IOException {
    delegate.logArtifact(runId, content, artifactPath);
  }

  @Override
  public void endRun(String runId, RunStatus status, long endTime) throws IOException {
    delegate.endRun(runId, status, endTime);
  }

  @Override
  public FlushResult flush() throws IOException {
    return delegate.flush();
  }

  @Override
  public Optional<Path> localDirectory() {
    return delegate.localDirectory();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public List<ExperimentInfo> listExperiments() throws IOException {
    return delegate.listExperiments();
  }

  @Override
  public List<RunInfo> listRuns(String experimentName) throws IOException {
    return delegate.listRuns(experimentName);
  }

  @Override
  public SearchPage searchRuns(SearchRequest request) throws IOException {
    return delegate.searchRuns(request);
  }

  @Override
  public Optional<RunData> readRun(String runId) throws IOException {
    return delegate.readRun(runId);
  }

  @Override
  public List<Metric> metricHistory(String runId, String key) throws IOException {
    return delegate.metricHistory(runId, key);
  }

  @Override
  public InputStream openArtifact(String runId, String artifactPath) throws IOException {
    return delegate.openArtifact(runId, artifactPath);
  }

  @Override
  public void logInputs(String runId, List<dev.tracker.DatasetInput> inputs) throws IOException {
    delegate.logInputs(runId, inputs);
  }

  @Override
  public Optional<ModelStore> modelStore() {
    return delegate.modelStore();
  }
}
