package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.TrackerException;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.RunSpec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

/** Artifacts go to the server's artifact proxy, streamed; other locations are a clear error. */
class ArtifactTest extends ServerTest {
  @Override
  Path journalDirectory() {
    return tmp.resolve("spool");
  }

  private void createRun() throws Exception {
    backend.createRun(new RunSpec(RUN, backend.createExperiment("e"), "e", "r", 1, Map.of(),
        null, false));
  }

  @Test
  void aLargeFileArrivesByteForByte() throws Exception {
    createRun();
    byte[] content = new byte[5 * 1024 * 1024];
    new Random(1).nextBytes(content);
    Path file = Files.write(tmp.resolve("weights.bin"), content);

    backend.logArtifact(RUN, file, "models/weights.bin");

    assertThat(fake.run(SERVER_RUN).artifacts().get("models/weights.bin")).isEqualTo(content);
  }

  @Test
  void bytesAreStoredThroughATemporaryFile() throws Exception {
    createRun();
    backend.logArtifact(RUN, "hello".getBytes(), "notes/hello.txt");

    assertThat(fake.run(SERVER_RUN).artifacts().get("notes/hello.txt")).isEqualTo(
        "hello".getBytes());
  }

  @Test
  void anArtifactRootWithAFolderOfItsOwnIsWrittenAndReadBackThroughTheProxy() throws Exception {
    fake.artifactRoot("mlflow-artifacts:/team-a/mlruns"); // --default-artifact-root
    createRun();
    backend.logArtifact(RUN, "hello".getBytes(), "notes/hello.txt");

    assertThat(fake.run(SERVER_RUN).artifacts().get("notes/hello.txt"))
        .isEqualTo("hello".getBytes());
    try (InputStream in = backend.openArtifact(RUN, "notes/hello.txt")) {
      assertThat(in.readAllBytes()).isEqualTo("hello".getBytes());
    }
  }

  @Test
  void aServerThatDoesNotServeArtifactsIsAClearError() throws Exception {
    fake.artifactRoot("s3://bucket/mlruns");
    createRun();
    Path file = Files.writeString(tmp.resolve("a.txt"), "x");

    assertThatThrownBy(() -> backend.logArtifact(RUN, file, "a.txt"))
        .isInstanceOf(DeliveryException.class)
        .satisfies(e -> assertThat(((DeliveryException) e).kind())
            .isEqualTo(DeliveryException.Kind.PERMANENT))
        .hasMessage("run " + RUN + " (MLflow run " + SERVER_RUN + ") stores artifacts at"
            + " 's3://bucket/mlruns/1/" + SERVER_RUN + "/artifacts', which the tracking server"
            + " does not serve: artifacts are uploaded through MLflow's artifact proxy only."
            + " Start the server with artifact serving (mlflow server --serve-artifacts, the"
            + " default since MLflow 2.0) and log to an experiment whose artifact location is"
            + " mlflow-artifacts:/…");
    assertThat(fake.count("mlflow-artifacts")).isZero();
  }

  @Test
  void aMissingFileIsReportedWithoutContactingTheServer() throws Exception {
    createRun();
    int before = fake.requests().size();

    assertThatThrownBy(() -> backend.logArtifact(RUN, tmp.resolve("gone.bin"), "gone.bin"))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("artifact 'gone.bin' of run " + RUN + " (MLflow run " + SERVER_RUN
            + ") is missing: " + tmp.resolve("gone.bin"));
    assertThat(fake.requests()).hasSize(before);
  }

  @Test
  void artifactUrisResolveAsMlflowResolvesThem() {
    HttpUrl dagshub = HttpUrl.get("https://dagshub.com/owner/repo.mlflow/");
    assertThat(ArtifactLocation.resolve(dagshub, "mlflow-artifacts:/abc/r1/artifacts", "run")
        .toString()).isEqualTo("https://dagshub.com/owner/repo.mlflow/api/2.0/mlflow-artifacts"
            + "/artifacts/abc/r1/artifacts");
    HttpUrl local = HttpUrl.get("http://localhost:5000/");
    assertThat(ArtifactLocation.resolve(local, "mlflow-artifacts://store:8080/1/r1/artifacts",
        "run").toString())
        .isEqualTo("http://store:8080/api/2.0/mlflow-artifacts/artifacts/1/r1/artifacts");
    assertThat(ArtifactLocation.resolve(local,
        "https://proxy/api/2.0/mlflow-artifacts/artifacts/1/r1/artifacts", "run").toString())
        .isEqualTo("https://proxy/api/2.0/mlflow-artifacts/artifacts/1/r1/artifacts");
    assertThatThrownBy(() -> ArtifactLocation.resolve(local, "/mlruns/1/r1/artifacts", "run"))
        .isInstanceOf(TrackerException.class)
        .hasMessageStartingWith("run stores artifacts at '/mlruns/1/r1/artifacts', which the"
            + " tracking server does not serve");
    assertThatThrownBy(() -> ArtifactLocation.resolve(local, "dbfs:/databricks/mlflow/1", "run"))
        .isInstanceOf(TrackerException.class);
  }
}
