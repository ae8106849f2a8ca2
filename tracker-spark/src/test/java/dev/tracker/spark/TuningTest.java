package dev.tracker.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.testing.RecordingBackend;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two 2-fold 2x2 cross-validations with the same seed, the second over the grid reversed; a
 * train-validation split of a regression.
 */
class TuningTest {
  private static final RecordingBackend backend = new RecordingBackend();
  private static final LogisticRegression lr = TestSpark.logisticRegression().setMaxIter(5);
  private static CrossValidatorModel first;
  private static CrossValidatorModel second;
  private static String firstRun;
  private static String secondRun;

  @BeforeAll
  static void fitTwice() {
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(lr.regParam(), new double[] {0.01, 0.3})
        .addGrid(lr.elasticNetParam(), new double[] {0.0, 1.0})
        .build();
    ParamMap[] reversed = grid.clone();
    java.util.Collections.reverse(Arrays.asList(reversed));
    try (Tracker tracker = TestSpark.tracker(backend);
         SparkTracking tracking = SparkTracking.builder(TestSpark.session(), tracker)
             .saveModel(false).build()) {
      first = tracking.fit(crossValidator(grid), TestSpark.iris());
      second = tracking.fit(crossValidator(reversed), TestSpark.iris());
    }
    List<String> parents = backend.runIds().stream()
        .filter(id -> backend.spec(id).parentRunId() == null).toList();
    assertThat(parents).hasSize(2);
    firstRun = parents.get(0);
    secondRun = parents.get(1);
  }

  private static CrossValidator crossValidator(ParamMap[] grid) {
    return new CrossValidator().setEstimator(TestSpark.pipeline(lr))
        .setEstimatorParamMaps(grid)
        .setEvaluator(new MulticlassClassificationEvaluator())
        .setNumFolds(2)
        .setSeed(7);
  }

  @Test
  void eachChildHoldsTheMetricOfItsOwnParamMap() {
    for (Map.Entry<String, CrossValidatorModel> fit
        : Map.of(firstRun, first, secondRun, second).entrySet()) {
      String parent = fit.getKey();
      CrossValidatorModel model = fit.getValue();
      List<String> children = children(parent);
      assertThat(children).hasSize(4);
      ParamMap[] maps = model.getEstimatorParamMaps();
      for (int i = 0; i < maps.length; i++) {
        String reg = String.valueOf(maps[i].apply(lr.regParam()));
        String net = String.valueOf(maps[i].apply(lr.elasticNetParam()));
        List<String> matching = children.stream()
            .filter(c -> reg.equals(backend.params(c).get("LogisticRegression.regParam"))
                && net.equals(backend.params(c).get("LogisticRegression.elasticNetParam")))
            .toList();
        assertThat(matching).as("children with regParam %s, elasticNetParam %s", reg, net)
            .hasSize(1);
        assertThat(TestSpark.values(backend, matching.get(0), "avg_f1"))
            .containsExactly(model.avgMetrics()[i]);
        assertThat(backend.params(matching.get(0)))
            .containsEntry("LogisticRegression.maxIter", "5")
            .containsEntry("VectorAssembler.outputCol", "features");
        assertThat(backend.status(matching.get(0))).isEqualTo(RunStatus.FINISHED);
      }
    }
  }

  @Test
  void theBestChildIsTaggedAndTheEvaluatorRecorded() {
    double[] avg = first.avgMetrics();
    int best = 0;
    for (int i = 1; i < avg.length; i++) {
      best = avg[i] > avg[best] ? i : best;
    }
    List<String> tagged = children(firstRun).stream()
        .filter(c -> "true".equals(backend.tags(c).get(Tuning.BEST_TAG))).toList();
    assertThat(tagged).hasSize(1);
    assertThat(TestSpark.values(backend, tagged.get(0), "avg_f1")).containsExactly(avg[best]);
    assertThat(backend.tags(firstRun)).containsEntry(Tuning.BEST_RUN_TAG, tagged.get(0));
    assertThat(backend.spec(firstRun).runName()).isEqualTo("CrossValidator");
    assertThat(backend.status(firstRun)).isEqualTo(RunStatus.FINISHED);
    assertThat(backend.params(firstRun))
        .containsEntry("tuning.metric", "f1")
        .containsEntry("tuning.isLargerBetter", "true")
        .containsEntry("CrossValidator.numFolds", "2")
        .containsEntry("CrossValidator.seed", "7")
        .containsEntry("MulticlassClassificationEvaluator.metricName", "f1");
    assertThat(TestSpark.values(backend, firstRun, "best_avg_f1")).containsExactly(avg[best]);
  }

  @Test
  void theSameSeedGivesTheSameMetricsWhateverTheGridOrder() {
    assertThat(metricsByChildName(secondRun)).isEqualTo(metricsByChildName(firstRun));
    // the loss is summed over partitions in the order their tasks finish: equal up to rounding
    double[] objective = TestSpark.values(backend, firstRun, "LogisticRegression/objectiveHistory");
    assertThat(objective).isNotEmpty();
    assertThat(TestSpark.values(backend, secondRun, "LogisticRegression/objectiveHistory"))
        .containsExactly(objective, within(1e-12));
    assertThat(TestSpark.values(backend, secondRun, "LogisticRegression/accuracy"))
        .containsExactly(TestSpark.values(backend, firstRun, "LogisticRegression/accuracy"));
  }

  @Test
  void aTrainValidationSplitWhereSmallerIsBetterTagsTheSmallestAndRecordsTheRegressionSummary() {
    LinearRegression linear = new LinearRegression().setLabelCol("petal_width");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
        new VectorAssembler().setInputCols(new String[] {"sepal_length", "sepal_width",
            "petal_length"}).setOutputCol("features"), linear});
    ParamMap[] grid = new ParamGridBuilder().addGrid(linear.regParam(), new double[] {0.0, 1.0})
        .build();
    TrainValidationSplit split = new TrainValidationSplit().setEstimator(pipeline)
        .setEstimatorParamMaps(grid)
        .setEvaluator(new RegressionEvaluator().setLabelCol("petal_width"))
        .setTrainRatio(0.75)
        .setSeed(3);
    RecordingBackend own = new RecordingBackend();
    TrainValidationSplitModel model;
    try (Tracker tracker = TestSpark.tracker(own);
         SparkTracking tracking = SparkTracking.builder(TestSpark.session(), tracker)
             .saveModel(false).build()) {
      model = tracking.fit(split, TestSpark.iris());
    }

    String parent = TestSpark.onlyRun(own, "TrainValidationSplit");
    assertThat(own.params(parent)).containsEntry("tuning.metric", "rmse")
        .containsEntry("tuning.isLargerBetter", "false")
        .containsEntry("TrainValidationSplit.trainRatio", "0.75");
    double[] rmse = model.validationMetrics();
    int best = rmse[1] < rmse[0] ? 1 : 0;
    List<String> children = own.runIds().stream()
        .filter(id -> parent.equals(own.spec(id).parentRunId())).toList();
    assertThat(children).hasSize(2);
    for (String child : children) {
      int i = own.params(child).get("LinearRegression.regParam")
          .equals(String.valueOf(model.getEstimatorParamMaps()[0].apply(linear.regParam())))
          ? 0 : 1;
      assertThat(TestSpark.values(own, child, "validation_rmse")).containsExactly(rmse[i]);
      assertThat(own.tags(child).get(Tuning.BEST_TAG)).isEqualTo(i == best ? "true" : null);
    }
    LinearRegressionModel fitted =
        (LinearRegressionModel) ((PipelineModel) model.bestModel()).stages()[1];
    assertThat(TestSpark.values(own, parent, "LinearRegression/r2"))
        .containsExactly(fitted.summary().r2());
    assertThat(TestSpark.values(own, parent, "LinearRegression/objectiveHistory"))
        .containsExactly(fitted.summary().objectiveHistory());
  }

  private static Map<String, Double> metricsByChildName(String parent) {
    Map<String, Double> out = new TreeMap<>();
    for (String c : children(parent)) {
      double[] v = TestSpark.values(backend, c, "avg_f1");
      assertThat(v).hasSize(1);
      out.put(backend.spec(c).runName(), v[0]);
    }
    assertThat(out).hasSize(4);
    return out;
  }

  private static List<String> children(String parent) {
    return backend.runIds().stream()
        .filter(id -> parent.equals(backend.spec(id).parentRunId())).toList();
  }
}
