package dev.tracker.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PipelineFitTest {
  private final RecordingBackend backend = new RecordingBackend();

  @Test
  @SuppressWarnings("try") // the tracking resource is only there to be closed
  void pipelineFitIsOneRunWithStageParamsSummaryAndALoadableModel(@TempDir Path dir)
      throws IOException {
    LogisticRegression lr = TestSpark.logisticRegression().setRegParam(0.01);
    Pipeline pipeline = TestSpark.pipeline(lr);
    PipelineModel model;
    try (Tracker tracker = TestSpark.tracker(backend);
         SparkTracking tracking = SparkTracking.autolog(TestSpark.session(), tracker)) {
      model = pipeline.fit(TestSpark.iris()); // no wrapper: Spark's FitStart/FitEnd
    }

    String id = TestSpark.onlyRun(backend, "Pipeline");
    assertThat(backend.status(id)).isEqualTo(RunStatus.FINISHED);
    Map<String, String> params = backend.params(id);
    assertThat(params)
        .containsEntry("VectorAssembler.inputCols",
            "[sepal_length, sepal_width, petal_length, petal_width]")
        .containsEntry("VectorAssembler.outputCol", "features")
        .containsEntry("LogisticRegression.regParam", "0.01")   // set
        .containsEntry("LogisticRegression.maxIter", "10")      // set
        .containsEntry("LogisticRegression.family", "auto")     // default
        .containsEntry("LogisticRegression.featuresCol", "features")
        .containsKey("dataset.schema");
    for (String uid : new String[] {pipeline.uid(), lr.uid(), pipeline.getStages()[0].uid()}) {
      assertThat(params.keySet()).noneMatch(k -> k.contains(uid));
      assertThat(params.values()).noneMatch(v -> v.contains(uid));
    }

    LogisticRegressionModel fitted = (LogisticRegressionModel) model.stages()[1];
    assertThat(TestSpark.values(backend, id, "LogisticRegression/objectiveHistory"))
        .containsExactly(fitted.summary().objectiveHistory());
    assertThat(TestSpark.values(backend, id, "LogisticRegression/accuracy"))
        .containsExactly(fitted.summary().accuracy());
    double[] jobs = TestSpark.values(backend, id, "spark/jobs");
    assertThat(jobs).hasSize(1);
    assertThat(jobs[0]).isGreaterThan(0);

    Map<String, byte[]> artifacts = backend.artifacts(id);
    assertThat(artifacts).containsKey("model/metadata/part-00000");
    Path copy = dir.resolve("model");
    for (Map.Entry<String, byte[]> a : artifacts.entrySet()) {
      Path file = dir.resolve(a.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, a.getValue());
    }
    PipelineModel loaded = PipelineModel.load(copy.toUri().toString());
    LogisticRegressionModel reloaded = (LogisticRegressionModel) loaded.stages()[1];
    assertThat(reloaded.uid()).isEqualTo(fitted.uid());
    assertThat(reloaded.coefficientMatrix().toArray())
        .containsExactly(fitted.coefficientMatrix().toArray());
  }

  @Test
  void aFitThatThrowsEndsFailedAndTheExceptionReachesTheCaller() {
    Pipeline pipeline = TestSpark.pipeline(TestSpark.logisticRegression().setLabelCol("nope"));
    Dataset<Row> iris = TestSpark.iris();
    Throwable thrown;
    try (Tracker tracker = TestSpark.tracker(backend);
         SparkTracking tracking = SparkTracking.autolog(TestSpark.session(), tracker)) {
      thrown = catchThrowable(() -> tracking.fit(pipeline, iris));
    }

    assertThat(thrown).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("nope does not exist.");
    String id = TestSpark.onlyRun(backend, "Pipeline");
    assertThat(backend.status(id)).isEqualTo(RunStatus.FAILED);
    assertThat(backend.tags(id)).containsEntry(FitRecorder.FAILURE_TAG,
        thrown.getClass().getName() + ": " + thrown.getMessage());
    assertThat(backend.artifacts(id)).isEmpty();
  }

  @Test
  @SuppressWarnings("try") // the tracking resource is only there to be closed
  void aPipelineFitThatThrowsWithoutTheWrapperEndsFailedWhenTrackingCloses() {
    Pipeline pipeline = TestSpark.pipeline(TestSpark.logisticRegression().setLabelCol("nope"));
    Dataset<Row> iris = TestSpark.iris();
    try (Tracker tracker = TestSpark.tracker(backend);
         SparkTracking tracking = SparkTracking.builder(TestSpark.session(), tracker)
             .experiment("direct").build()) {
      assertThatThrownBy(() -> pipeline.fit(iris))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("nope does not exist.");
    }

    String id = TestSpark.onlyRun(backend, "Pipeline");
    assertThat(backend.spec(id).experimentName()).isEqualTo("direct");
    assertThat(backend.status(id)).isEqualTo(RunStatus.FAILED);
    assertThat(backend.tags(id)).containsEntry(FitRecorder.FAILURE_TAG,
        "java.lang.IllegalStateException: the fit had not ended when tracking closed: it threw,"
            + " or was still running");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void theFitReturnsWhileTheBackendIsBlocked() {
    Pipeline pipeline = TestSpark.pipeline(TestSpark.logisticRegression());
    Dataset<Row> iris = TestSpark.iris();
    try (Tracker tracker = TestSpark.tracker(backend);
         SparkTracking tracking = SparkTracking.builder(TestSpark.session(), tracker)
             .saveModel(false).summaryMetrics(false).build()) {
      backend.block();
      try {
        PipelineModel model = tracking.fit(pipeline, iris);
        assertThat(model.stages()).hasSize(2);
      } finally {
        backend.release();
      }
    }
    String id = TestSpark.onlyRun(backend, "Pipeline");
    assertThat(backend.status(id)).isEqualTo(RunStatus.FINISHED);
  }
}
