package dev.tracker.spark;

import dev.tracker.Run;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.BinaryLogisticRegressionTrainingSummary;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.LogisticRegressionTrainingSummary;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.regression.LinearRegressionTrainingSummary;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;

/**
 * Training summaries of the fitted stages, as metrics under the stage's name ({@code
 * LogisticRegression/objectiveHistory} over iterations). The objective history is on the driver
 * already; accuracy, areaUnderROC, r2 and the like are computed by Spark jobs when first read, so
 * they are recorded only when asked ({@code summaryMetrics}, on by default).
 */
final class Summaries {
  private Summaries() {}

  static void record(Run run, Object model, boolean computed) {
    Map<String, Integer> seen = new HashMap<>();
    for (Transformer stage : stages(model)) {
      String name = stage.getClass().getSimpleName().replaceFirst("Model$", "");
      int n = seen.merge(name, 1, Integer::sum);
      String key = n == 1 ? name : name + "_" + n;
      if (stage instanceof LogisticRegressionModel lr && lr.hasSummary()) {
        LogisticRegressionTrainingSummary s = lr.summary();
        history(run, key, s.objectiveHistory(), s.totalIterations());
        if (computed) {
          run.logMetric(key + "/accuracy", s.accuracy());
          run.logMetric(key + "/weightedPrecision", s.weightedPrecision());
          run.logMetric(key + "/weightedRecall", s.weightedRecall());
          run.logMetric(key + "/weightedFMeasure", s.weightedFMeasure());
          if (s instanceof BinaryLogisticRegressionTrainingSummary b) {
            run.logMetric(key + "/areaUnderROC", b.areaUnderROC());
          }
        }
      } else if (stage instanceof LinearRegressionModel lr && lr.hasSummary()) {
        LinearRegressionTrainingSummary s = lr.summary();
        history(run, key, s.objectiveHistory(), s.totalIterations());
        if (computed) {
          run.logMetric(key + "/rootMeanSquaredError", s.rootMeanSquaredError());
          run.logMetric(key + "/meanAbsoluteError", s.meanAbsoluteError());
          run.logMetric(key + "/r2", s.r2());
        }
      }
    }
  }

  private static void history(Run run, String key, double[] objective, int iterations) {
    for (int i = 0; i < objective.length; i++) {
      run.logMetric(key + "/objectiveHistory", objective[i], i);
    }
    run.logMetric(key + "/totalIterations", iterations);
  }

  /** The fitted stages: a pipeline's, a tuning model's best model's, or the model itself. */
  private static List<Transformer> stages(Object model) {
    List<Transformer> out = new ArrayList<>();
    if (model instanceof PipelineModel pm) {
      for (Transformer t : pm.stages()) {
        out.addAll(stages(t));
      }
    } else if (model instanceof CrossValidatorModel cvm) {
      out.addAll(stages(cvm.bestModel()));
    } else if (model instanceof TrainValidationSplitModel tvm) {
      out.addAll(stages(tvm.bestModel()));
    } else if (model instanceof Transformer t) {
      out.add(t);
    }
    return out;
  }
}
