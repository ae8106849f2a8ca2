package dev.tracker.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.param.ParamMap;
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
}
