package dev.tracker.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Tracker;
import dev.tracker.testing.RecordingBackend;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobCountTest {
  private final SparkContext sc = TestSpark.session().sparkContext();
  private final Jobs jobs = new Jobs();

  /** The job group of every job started, "" for none. */
  static final class Jobs extends SparkListener {
    final List<String> groups = new CopyOnWriteArrayList<>();

    @Override
    public void onJobStart(SparkListenerJobStart event) {
      String group = event.properties() == null ? null
          : event.properties().getProperty("spark.jobGroup.id");
      groups.add(group == null ? "" : group);
    }
  }

  @AfterEach
  void removeListener() {
    sc.removeSparkListener(jobs);
  }

  @Test
  @SuppressWarnings("try") // the tracking resource is only there to be closed
  void trackingRunsNoSparkJobBeyondTheFitsOwnAndTheOnesItIsAskedFor() throws TimeoutException {
    Pipeline pipeline = TestSpark.pipeline(TestSpark.logisticRegression());
    Dataset<Row> iris = TestSpark.iris();
    sc.addSparkListener(jobs);

    pipeline.fit(iris);
    sc.listenerBus().waitUntilEmpty(60_000);
    int untracked = jobs.groups.size();
    assertThat(untracked).isGreaterThan(0);

    RecordingBackend backend = new RecordingBackend();
    jobs.groups.clear();
    try (Tracker tracker = TestSpark.tracker(backend);
         SparkTracking tracking = SparkTracking.autolog(TestSpark.session(), tracker)) {
      pipeline.fit(iris);
    }
    sc.listenerBus().waitUntilEmpty(60_000);
    // the model save and the summary metrics are asked for by default: in their own job group
    assertThat(jobs.groups.stream().filter(g -> !g.equals(SparkTracking.JOB_GROUP)))
        .hasSize(untracked);
    assertThat(jobs.groups).contains(SparkTracking.JOB_GROUP);
    String id = TestSpark.onlyRun(backend, "Pipeline");
    assertThat(TestSpark.values(backend, id, "spark/jobs")).containsExactly(untracked);

    RecordingBackend quiet = new RecordingBackend();
    jobs.groups.clear();
    try (Tracker tracker = TestSpark.tracker(quiet);
         SparkTracking tracking = SparkTracking.builder(TestSpark.session(), tracker)
             .saveModel(false).summaryMetrics(false).build()) {
      tracking.fit(pipeline, iris);
    }
    sc.listenerBus().waitUntilEmpty(60_000);
    assertThat(jobs.groups).hasSize(untracked).containsOnly("");
    String quietId = TestSpark.onlyRun(quiet, "Pipeline");
    assertThat(TestSpark.values(quiet, quietId, "spark/jobs")).containsExactly(untracked);
    assertThat(TestSpark.values(quiet, quietId, "LogisticRegression/objectiveHistory"))
        .isNotEmpty();
    assertThat(TestSpark.values(quiet, quietId, "LogisticRegression/accuracy")).isEmpty();
  }
}
