package dev.tracker.cli;

import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Three small runs of experiment "iris", with fixed ids, times and values. */
final class Fixtures {
  static final String A = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
  static final String B = "b2c3d4e5f60718293a4b5c6d7e8f90a1";
  static final String C = "c3d4e5f60718293a4b5c6d7e8f90a1b2";
  /** 2024-05-01T12:00:00Z. */
  static final long T0 = 1_714_564_800_000L;

  private Fixtures() {}

  /** lr-0.01 (A, finished), lr-0.1 (B, finished, best), lr-0.5 (C, failed, NaN loss). */
  static RecordingBackend threeRuns() {
    return threeRuns(new RecordingBackend());
  }

  /** The three runs written to {@code b}. */
  static <B extends TrackingBackend> B threeRuns(B b) {
    run(b, "iris", A, "lr-0.01", T0, 3_000, RunStatus.FINISHED,
        params("lr", "0.01", "epochs", "50", "model", "softmax"),
        Map.of("loss", new double[] {1.2, 0.9, 0.7}, "accuracy", new double[] {0.5, 0.7, 0.9}));
    run(b, "iris", B, "lr-0.1", T0 + 60_000, 2_500, RunStatus.FINISHED,
        params("lr", "0.1", "epochs", "50", "model", "softmax"),
        Map.of("loss", new double[] {1.0, 0.5, 0.3},
            "accuracy", new double[] {0.6, 0.9, 0.9666666666666667}));
    run(b, "iris", C, "lr-0.5", T0 + 120_000, 1_000, RunStatus.FAILED,
        params("lr", "0.5", "epochs", "50", "model", "softmax"),
        Map.of("loss", new double[] {0.8, Double.NaN}, "accuracy", new double[] {0.7}));
    return b;
  }

  static Map<String, String> params(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  /**
   * Creates a run: params, then metrics ("loss" before "accuracy" at each step, step i at
   * start + i seconds), then the end unless the status is RUNNING.
   */
  static void run(TrackingBackend b, String experiment, String id, String name, long start,
      long duration, RunStatus status, Map<String, String> params,
      Map<String, double[]> metrics) {
    run(b, experiment, id, name, start, duration, status, params, metrics, null);
  }

  static void run(TrackingBackend b, String experiment, String id, String name, long start,
      long duration, RunStatus status, Map<String, String> params,
      Map<String, double[]> metrics, String parent) {
    try {
      String expId = b.createExperiment(experiment);
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put("mlflow.runName", name);
      if (parent != null) {
        tags.put("mlflow.parentRunId", parent);
      }
      b.createRun(new RunSpec(id, expId, experiment, name, start, tags, parent, false));
      List<Param> ps = new ArrayList<>();
      params.forEach((k, v) -> ps.add(new Param(k, v)));
      b.logBatch(id, new Batch(List.of(), ps, List.of(new Tag("stage", "test"))));
      List<Metric> ms = new ArrayList<>();
      int steps = 0;
      for (double[] v : metrics.values()) {
        steps = Math.max(steps, v.length);
      }
      for (int step = 0; step < steps; step++) {
        for (String key : List.of("loss", "accuracy")) {
          double[] v = metrics.get(key);
          if (v != null && step < v.length) {
            ms.add(new Metric(key, v[step], start + step * 1000L, step));
          }
        }
        for (Map.Entry<String, double[]> e : metrics.entrySet()) {
          if (!e.getKey().equals("loss") && !e.getKey().equals("accuracy")
              && step < e.getValue().length) {
            ms.add(new Metric(e.getKey(), e.getValue()[step], start + step * 1000L, step));
          }
        }
      }
      b.logBatch(id, Batch.ofMetrics(ms));
      if (status != RunStatus.RUNNING) {
        b.endRun(id, status, start + duration);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void artifact(RecordingBackend b, String runId, String path, String text) {
    try {
      b.logArtifact(runId, text.getBytes(StandardCharsets.UTF_8), path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
