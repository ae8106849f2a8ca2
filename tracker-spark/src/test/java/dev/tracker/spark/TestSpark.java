package dev.tracker.spark;

import dev.tracker.Tracker;
import dev.tracker.testing.RecordingBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The one Spark session of the module's tests (and of the example): local[2], no UI, bound to
 * the loopback address, so it runs offline. Spark stops it when the JVM exits.
 */
final class TestSpark {
  static final String[] FEATURES = {"sepal_length", "sepal_width", "petal_length", "petal_width"};
  private static final List<String> SPECIES = List.of("setosa", "versicolor", "virginica");
  private static SparkSession session;

  private TestSpark() {}

  static synchronized SparkSession session() {
    if (session == null) {
      session = SparkSession.builder()
          .appName("tracker-spark")
          .master("local[2]")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "2")
          .getOrCreate();
    }
    return session;
  }

  /**
   * Iris from the class path as a local data set (no Spark job to read it): the four features and
   * {@code label} (0, 1, 2 for the species).
   */
  static Dataset<Row> iris() {
    StructType schema = new StructType();
    for (String f : FEATURES) {
      schema = schema.add(f, DataTypes.DoubleType, false);
    }
    schema = schema.add("label", DataTypes.DoubleType, false);
    List<Row> rows = new ArrayList<>();
    try (InputStream in = TestSpark.class.getResourceAsStream("/iris.csv");
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      r.readLine();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String[] f = line.split(",");
        rows.add(RowFactory.create(Double.parseDouble(f[0]), Double.parseDouble(f[1]),
            Double.parseDouble(f[2]), Double.parseDouble(f[3]), (double) SPECIES.indexOf(f[4])));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return session().createDataFrame(rows, schema);
  }

  /** VectorAssembler + LogisticRegression, few iterations. */
  static Pipeline pipeline(LogisticRegression lr) {
    VectorAssembler assembler = new VectorAssembler().setInputCols(FEATURES)
        .setOutputCol("features");
    return new Pipeline().setStages(new PipelineStage[] {assembler, lr});
  }

  static LogisticRegression logisticRegression() {
    return new LogisticRegression().setMaxIter(10);
  }

  /** A tracker over an in-memory backend, without shutdown hook or standard tags. */
  static Tracker tracker(RecordingBackend backend) {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false).build();
  }

  /** The one run's id of a backend that holds one top-level run with this name. */
  static String onlyRun(RecordingBackend backend, String name) {
    List<String> ids = backend.runIds().stream()
        .filter(id -> backend.spec(id).parentRunId() == null)
        .toList();
    if (ids.size() != 1 || !backend.spec(ids.get(0)).runName().equals(name)) {
      throw new AssertionError("expected one run named " + name + " but runs were "
          + backend.runIds().stream().map(id -> backend.spec(id).runName()).toList());
    }
    return ids.get(0);
  }

  /** A metric's values in step order. */
  static double[] values(RecordingBackend backend, String runId, String key) {
    return backend.metrics(runId).stream().filter(m -> m.key().equals(key))
        .sorted(java.util.Comparator.comparingLong(m -> m.step()))
        .mapToDouble(m -> m.value()).toArray();
  }
}
