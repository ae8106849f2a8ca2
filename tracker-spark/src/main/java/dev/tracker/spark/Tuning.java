package dev.tracker.spark;

import dev.tracker.Run;
import dev.tracker.RunStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;

/**
 * Tuning ({@link CrossValidator}, {@link TrainValidationSplit}): the evaluator's metric on the
 * parent, and a child run per {@link ParamMap} with that map's params and metric. Each metric is
 * paired with the map it was computed for in the fitted model, and the children are created in
 * the order of their params' text, so neither depends on the order of the grid.
 */
final class Tuning {
  /** Tag on the child run whose param map won. */
  static final String BEST_TAG = "tracker.spark.best";
  /** Tag on the parent: the winning child's run id. */
  static final String BEST_RUN_TAG = "tracker.spark.bestRunId";
  /**
   * The most characters of a child run's name (MLflow keeps run names in a 250-character
   * column); a longer one is cut, ending with "…". The whole params are the child's params.
   */
  static final int MAX_NAME = 250;

  private Tuning() {}

  /** The evaluator's metric name and direction, for a tuning estimator; none for others. */
  static Map<String, String> params(Params estimator) {
    Evaluator evaluator = null;
    if (estimator instanceof CrossValidator cv) {
      evaluator = cv.getEvaluator();
    } else if (estimator instanceof TrainValidationSplit tvs) {
      evaluator = tvs.getEvaluator();
    }
    if (evaluator == null) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    out.put("tuning.metric", metricName(evaluator));
    out.put("tuning.isLargerBetter", String.valueOf(evaluator.isLargerBetter()));
    return out;
  }

  static String metricName(Evaluator evaluator) {
    if (evaluator.hasParam("metricName")) {
      return String.valueOf(evaluator.getOrDefault(evaluator.getParam("metricName")));
    }
    return evaluator.getClass().getSimpleName();
  }

  /** Records the children of a fitted tuning model; does nothing for other models. */
  static void record(Run parent, ParamTree tree, Object model) {
    if (model instanceof CrossValidatorModel cvm) {
      double[] std = stdMetrics(cvm);
      children(parent, tree, cvm.getEstimator(), cvm.getEstimatorParamMaps(), cvm.getEvaluator(),
          "avg_", cvm.avgMetrics(), std != null && std.length == cvm.avgMetrics().length ? std : null);
    } else if (model instanceof TrainValidationSplitModel tvm) {
      children(parent, tree, tvm.getEstimator(), tvm.getEstimatorParamMaps(), tvm.getEvaluator(),
          "validation_", tvm.validationMetrics(), null);
    }
  }

  /** {@code stdMetrics} where the Spark version has it (3.5 has not), else null. */
  static double[] stdMetrics(CrossValidatorModel model) {
    try {
      return (double[]) CrossValidatorModel.class.getMethod("stdMetrics").invoke(model);
    } catch (ReflectiveOperationException | ClassCastException e) {
      return null;
    }
  }

  static void children(Run parent, ParamTree tree, Estimator<?> estimator,
      ParamMap[] maps, Evaluator evaluator, String prefix, double[] metrics, double[] std) {
    String metric = metricName(evaluator).replaceAll("[^\\w./ :-]", "_");
    boolean larger = evaluator.isLargerBetter();
    int best = -1;
    for (int i = 0; i < metrics.length; i++) {
      // the first of equal values wins, as in Spark's own choice of the best model
      if (best < 0 || (larger ? metrics[i] > metrics[best] : metrics[i] < metrics[best])) {
        best = i;
      }
    }
    Map<String, Integer> byName = new TreeMap<>();
    for (int i = 0; i < maps.length && i < metrics.length; i++) {
      String name = tree.describe(maps[i]);
      name = name.isEmpty() ? "default"
          : name.length() > MAX_NAME ? FitRecorder.cut(name, MAX_NAME - 1) + "…" : name;
      // maps that read the same (a value given twice) keep a child each, numbered in grid order
      String unique = name;
      for (int n = 2; byName.containsKey(unique); n++) {
        unique = name + " (" + n + ")";
      }
      byName.put(unique, i);
    }
    for (Map.Entry<String, Integer> e : byName.entrySet()) {
      int i = e.getValue();
      Run child = parent.startChildRun(e.getKey());
      FitRecorder.logParams(child, ParamTree.of(estimator.copy(maps[i])).params());
      child.logMetric(prefix + metric, metrics[i]);
      if (std != null) {
        child.logMetric("std_" + metric, std[i]);
      }
      if (i == best) {
        child.setTag(BEST_TAG, "true");
        parent.setTag(BEST_RUN_TAG, child.id());
        parent.logMetric("best_" + prefix + metric, metrics[i]);
      }
      child.end(RunStatus.FINISHED);
    }
  }
}
