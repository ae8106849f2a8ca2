package dev.tracker.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What benchmark 3 logs, the same for every client: {@value #POINTS} metric points (10 keys, each
 * at steps {@code 0..9999}, step by step as a training loop logs them), {@value #PARAMS} params
 * and {@value #TAGS} tags.
 */
final class Workload {
  static final int POINTS = 100_000;
  static final int PARAMS = 50;
  static final int TAGS = 20;
  static final List<String> METRIC_KEYS = List.of("train/loss", "train/accuracy", "train/lr",
      "train/grad_norm", "val/loss", "val/accuracy", "val/f1", "system/gpu_util",
      "system/gpu_mem", "epoch_time");
  static final int STEPS = POINTS / METRIC_KEYS.size();
  /**
   * How many requests MLflow's per-point loop sends for {@code steps} steps: one per point,
   * param and tag, plus the run's creation and end ({@value #POINTS} points: 100,072).
   */
  static int perPointRequests(int steps) {
    return steps * METRIC_KEYS.size() + PARAMS + TAGS + 2;
  }

  /** The params, in order: {@code param_00} … with values like a config file's. */
  static final Map<String, String> PARAM_VALUES = numbered("param_", PARAMS, "value-");
  /** The tags, in order. */
  static final Map<String, String> TAG_VALUES = numbered("tag_", TAGS, "tag value ");

  private Workload() {}

  /** The value of metric {@code key} (an index into {@link #METRIC_KEYS}) at {@code step}. */
  static double value(int key, int step) {
    // decimals of full length, like real losses; cheap to compute, same for every client
    return 1.0 / (1.0 + step) + key * 0.1234567;
  }

  /** Every metric key, for checking what a server received. */
  static List<String> keys() {
    return new ArrayList<>(METRIC_KEYS);
  }

  private static Map<String, String> numbered(String prefix, int n, String valuePrefix) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      m.put(String.format("%s%02d", prefix, i), valuePrefix + (i * 7919 % 1000));
    }
    return Collections.unmodifiableMap(m);
  }
}
