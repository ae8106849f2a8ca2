package dev.tracker.spark;

import dev.tracker.Tracker;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark ML example: a pipeline (VectorAssembler + LogisticRegression) tuned by a 3-fold
 * cross-validation over a 2x2 grid, on Iris, in local[2]. Run it from the repository root:
 *
 * <pre>{@code
 * ./mvnw -B -q -pl tracker-spark -am test-compile exec:exec
 * }</pre>
 *
 * <p>It records a {@code CrossValidator} run with a child per param map into {@code ./runs}
 * (experiment {@code iris-spark}), or to the MLflow server of {@code MLFLOW_TRACKING_URI} when it
 * is set.
 */
public final class SparkIrisExample {
  private SparkIrisExample() {}

  public static void main(String[] args) {
    SparkSession spark = TestSpark.session();
    Dataset<Row> iris = TestSpark.iris();
    LogisticRegression lr = new LogisticRegression().setMaxIter(20);
    Pipeline pipeline = TestSpark.pipeline(lr);
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(lr.regParam(), new double[] {0.01, 0.1})
        .addGrid(lr.elasticNetParam(), new double[] {0.0, 0.5})
        .build();
    CrossValidator cv = new CrossValidator().setEstimator(pipeline)
        .setEstimatorParamMaps(grid)
        .setEvaluator(new MulticlassClassificationEvaluator())
        .setNumFolds(3)
        .setSeed(42);
    try (Tracker tracker = Tracker.builder().experiment("iris-spark").build();
         SparkTracking tracking = SparkTracking.autolog(spark, tracker)) {
      CrossValidatorModel model = tracking.fit(cv, iris);
      ParamMap[] maps = model.getEstimatorParamMaps();
      for (int i = 0; i < maps.length; i++) {
        System.out.printf("f1 %.4f  %s%n", model.avgMetrics()[i],
            ParamTree.of(pipeline).describe(maps[i]));
      }
      System.out.println("tracked to " + tracker.uri() + ", experiment iris-spark");
    } finally {
      spark.stop();
    }
  }
}
