package dev.tracker.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;

/**
 * The {@link Workload} logged with MLflow's own Java client, the two ways its users write it:
 * one request per point, and {@code logBatch} split by hand into MLflow's limit of 1000.
 */
final class MlflowClientLoops {
  static final int BATCH = 1000;

  private MlflowClientLoops() {}

  /**
   * Creates a run named {@code runName}, logs every param and tag and the points of {@code
   * steps} steps with a request each, and ends the run. Every call returns once the server
   * answered.
   *
   * @return the run id
   */
  static String perPoint(MlflowClient client, String experimentId, String runName,
      int steps) {
    String runId = create(client, experimentId, runName);
    for (Map.Entry<String, String> p : Workload.PARAM_VALUES.entrySet()) {
      client.logParam(runId, p.getKey(), p.getValue());
    }
    for (Map.Entry<String, String> t : Workload.TAG_VALUES.entrySet()) {
      client.setTag(runId, t.getKey(), t.getValue());
    }
    List<String> keys = Workload.METRIC_KEYS;
    for (int step = 0; step < steps; step++) {
      for (int k = 0; k < keys.size(); k++) {
        client.logMetric(runId, keys.get(k), Workload.value(k, step), System.currentTimeMillis(),
            step);
      }
    }
    client.setTerminated(runId, RunStatus.FINISHED, System.currentTimeMillis());
    return runId;
  }

  /**
   * Creates a run, sends params and tags in one {@code logBatch}, then the points of {@code
   * steps} steps in {@code logBatch} calls of {@value #BATCH}, and ends the run.
   *
   * @return the run id
   */
  static String handBatched(MlflowClient client, String experimentId, String runName,
      int steps) {
    String runId = create(client, experimentId, runName);
    List<Param> params = new ArrayList<>();
    Workload.PARAM_VALUES.forEach((k, v) -> params.add(
        Param.newBuilder().setKey(k).setValue(v).build()));
    List<RunTag> tags = new ArrayList<>();
    Workload.TAG_VALUES.forEach((k, v) -> tags.add(
        RunTag.newBuilder().setKey(k).setValue(v).build()));
    client.logBatch(runId, List.of(), params, tags);
    List<String> keys = Workload.METRIC_KEYS;
    List<Metric> chunk = new ArrayList<>(BATCH);
    for (int step = 0; step < steps; step++) {
      for (int k = 0; k < keys.size(); k++) {
        chunk.add(Metric.newBuilder().setKey(keys.get(k)).setValue(Workload.value(k, step))
            .setTimestamp(System.currentTimeMillis()).setStep(step).build());
        if (chunk.size() == BATCH) {
          client.logBatch(runId, chunk, List.of(), List.of());
          chunk = new ArrayList<>(BATCH);
        }
      }
    }
    if (!chunk.isEmpty()) {
      client.logBatch(runId, chunk, List.of(), List.of());
    }
    client.setTerminated(runId, RunStatus.FINISHED, System.currentTimeMillis());
    return runId;
  }

  /**
   * The id of the experiment named {@code name}, created when missing. Creates first: the client
   * retries a 404 from {@code experiments/get-by-name} as if it were rate limiting, with pauses.
   */
  static String experiment(MlflowClient client, String name) {
    try {
      return client.createExperiment(name);
    } catch (MlflowHttpException e) {
      if (e.getStatusCode() != 400 || !e.getBodyMessage().contains("RESOURCE_ALREADY_EXISTS")) {
        throw e;
      }
      return client.getExperimentByName(name).orElseThrow().getExperimentId();
    }
  }

  private static String create(MlflowClient client, String experimentId, String runName) {
    return client.createRun(CreateRun.newBuilder().setExperimentId(experimentId)
        .setRunName(runName).setStartTime(System.currentTimeMillis()).build()).getRunId();
  }
}
