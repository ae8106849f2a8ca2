package dev.tracker.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.Bucketizer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.testing.RecordingBackend;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParamTreeTest {
  private final LogisticRegression first = new LogisticRegression().setRegParam(0.1);
  private final LogisticRegression second = new LogisticRegression().setRegParam(0.2);
  private final Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
      new StandardScaler().setInputCol("raw").setOutputCol("features"), first, second});

  @Test
  void aSecondStageOfAClassIsNumberedInTreeOrder() {
    assertThat(ParamTree.of(pipeline).params())
        .containsEntry("StandardScaler.inputCol", "raw")
        .containsEntry("LogisticRegression.regParam", "0.1")
        .containsEntry("LogisticRegression_2.regParam", "0.2")
        .doesNotContainKey("Pipeline.stages");
  }

  @Test
  void keysAndValuesHoldNoUid() {
    ParamTree tree = ParamTree.of(pipeline);
    for (String uid : tree.uids()) {
      assertThat(tree.params().keySet()).noneMatch(k -> k.contains(uid));
      assertThat(tree.params().values()).noneMatch(v -> v.contains(uid));
    }
    assertThat(tree.uids()).contains(pipeline.uid(), first.uid(), second.uid());
  }

  @Test
  void aParamMapIsDescribedTheSameWhateverItsOrder() {
    ParamMap a = new ParamMap().put(first.regParam(), 0.5).put(second.maxIter(), 3)
        .put(first.elasticNetParam(), 1.0);
    ParamMap b = new ParamMap().put(first.elasticNetParam(), 1.0).put(first.regParam(), 0.5)
        .put(second.maxIter(), 3);
    ParamTree tree = ParamTree.of(pipeline);
    assertThat(tree.describe(a)).isEqualTo(tree.describe(b)).isEqualTo(
        "LogisticRegression.elasticNetParam=1.0 LogisticRegression.regParam=0.5"
            + " LogisticRegression_2.maxIter=3");
  }

  @Test
  void nestedArraysAreWrittenByTheirValues() {
    Bucketizer b = new Bucketizer().setInputCols(new String[] {"a", "b"})
        .setOutputCols(new String[] {"a_bin", "b_bin"})
        .setSplitsArray(new double[][] {{0, 1, 2}, {-1, 0, 1}});
    assertThat(ParamTree.of(b).params())
        .containsEntry("Bucketizer.splitsArray", "[[0.0, 1.0, 2.0], [-1.0, 0.0, 1.0]]")
        .containsEntry("Bucketizer.inputCols", "[a, b]");
  }

  @Test
  void aParamOverMlflowsLimitIsCutAndKeptWholeAsAnArtifact() {
    String[] columns = IntStream.range(0, 1000).mapToObj(i -> "feature_" + i)
        .toArray(String[]::new);
    VectorAssembler wide = new VectorAssembler().setInputCols(columns).setOutputCol("features");
    String full = ParamTree.of(wide).params().get("VectorAssembler.inputCols");
    assertThat(full).hasSizeGreaterThan(FitRecorder.MAX_PARAM_LENGTH);
    RecordingBackend backend = new RecordingBackend();
    String id;
    try (Tracker tracker = TestSpark.tracker(backend);
         dev.tracker.Run run = tracker.experiment().startRun("wide")) {
      id = run.id();
      FitRecorder.logParams(run, ParamTree.of(wide).params());
    }
    assertThat(backend.params(id).get("VectorAssembler.inputCols"))
        .isEqualTo(full.substring(0, FitRecorder.MAX_PARAM_LENGTH));
    assertThat(backend.params(id)).containsEntry("VectorAssembler.outputCol", "features");
    assertThat(new String(backend.artifacts(id).get("params/VectorAssembler.inputCols.txt"),
        StandardCharsets.UTF_8)).isEqualTo(full);
  }

  @Test
  void mapsOverStagesGetAChildEachNamedByTheStagesClasses() {
    LogisticRegression other = new LogisticRegression();
    Pipeline tuned = new Pipeline();
    ParamMap[] grid = {
        new ParamMap().put(tuned.stages(), new PipelineStage[] {first}),
        new ParamMap().put(tuned.stages(), new PipelineStage[] {new StandardScaler(), other}),
        new ParamMap().put(tuned.stages(), new PipelineStage[] {first})};
    RecordingBackend backend = new RecordingBackend();
    String id;
    try (Tracker tracker = TestSpark.tracker(backend);
         dev.tracker.Run run = tracker.experiment().startRun("tuning")) {
      id = run.id();
      Tuning.children(run, ParamTree.of(tuned), tuned, grid,
          new MulticlassClassificationEvaluator(), "avg_", new double[] {0.7, 0.9, 0.8}, null);
    }
    List<String> children = backend.runIds().stream()
        .filter(c -> id.equals(backend.spec(c).parentRunId())).toList();
    assertThat(children).extracting(c -> backend.spec(c).runName()).containsExactly(
        "Pipeline.stages=[LogisticRegression]", "Pipeline.stages=[LogisticRegression] (2)",
        "Pipeline.stages=[StandardScaler, LogisticRegression]");
    assertThat(children).extracting(c -> backend.metrics(c).get(0).value())
        .containsExactly(0.7, 0.8, 0.9);
    assertThat(children).extracting(c -> backend.status(c)).containsOnly(RunStatus.FINISHED);
    assertThat(backend.tags(children.get(2))).containsEntry(Tuning.BEST_TAG, "true");
  }

  @Test
  void aChildWhoseParamsReadLongerThanARunNameMayBeIsStillRecorded() {
    VectorAssembler assembler = new VectorAssembler().setOutputCol("features");
    String[] narrow = IntStream.range(0, 900).mapToObj(i -> "feature_" + i).toArray(String[]::new);
    String[] wide = IntStream.range(0, 1000).mapToObj(i -> "feature_" + i).toArray(String[]::new);
    ParamMap[] grid = {new ParamMap().put(assembler.inputCols(), narrow),
        new ParamMap().put(assembler.inputCols(), wide)};
    RecordingBackend backend = new RecordingBackend();
    String id;
    try (Tracker tracker = TestSpark.tracker(backend);
         dev.tracker.Run run = tracker.experiment().startRun("tuning")) {
      id = run.id();
      Pipeline tuned = new Pipeline().setStages(new PipelineStage[] {assembler});
      Tuning.children(run, ParamTree.of(tuned), tuned, grid,
          new MulticlassClassificationEvaluator(), "avg_", new double[] {0.7, 0.9}, null);
    }
    List<String> children = backend.runIds().stream()
        .filter(c -> id.equals(backend.spec(c).parentRunId())).toList();
    // cut, the two names read the same: the second is numbered
    assertThat(children).extracting(c -> backend.spec(c).runName()).satisfiesExactly(
        first -> assertThat(first).hasSize(Tuning.MAX_NAME).endsWith("…")
            .startsWith("VectorAssembler.inputCols=[feature_0, feature_1, "),
        second -> assertThat(second).isEqualTo(backend.spec(children.get(0)).runName() + " (2)"));
    assertThat(new String(backend.artifacts(children.get(1))
        .get("params/VectorAssembler.inputCols.txt"), StandardCharsets.UTF_8))
        .startsWith("[feature_0, ").endsWith("feature_999]");
    assertThat(backend.tags(id)).containsEntry(Tuning.BEST_RUN_TAG, children.get(1));
  }

  @Test
  void aCutNeverSplitsACharacter() {
    String smile = "\uD83D\uDE00";
    assertThat(FitRecorder.cut("x".repeat(5999) + smile, FitRecorder.MAX_PARAM_LENGTH))
        .isEqualTo("x".repeat(5999));
    // "java.lang.IllegalStateException: " is 33 characters: the smile spans the 8000th
    assertThat(FitRecorder.describe(new IllegalStateException("y".repeat(7966) + smile)))
        .hasSize(7999).endsWith("y");
  }
}
