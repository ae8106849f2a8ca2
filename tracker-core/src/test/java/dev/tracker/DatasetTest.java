package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A data set is checked where it is made and logged; its digest is computed by the dispatcher. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DatasetTest {
  @TempDir Path tmp;

  private Tracker tracker(RecordingBackend backend) {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).build();
  }

  @Test
  void anInputOverMlflowsLimitsIsNamedWithTheFieldAndTheLimit() {
    DatasetInput ok = new DatasetInput("n".repeat(500), "d".repeat(36), "s3", "s3://b/k",
        "c".repeat(500), -1, -1, null, null);
    assertThat(ok.checkLimits()).isSameAs(ok);
    assertThatThrownBy(() -> new DatasetInput("n".repeat(501), null, "s3", "s3://b/k",
        "training", -1, -1, null, null).checkLimits())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset input name must be at most 500 characters but was 501 characters");
    assertThatThrownBy(() -> new DatasetInput("iris", "d".repeat(37), "s3", "s3://b/k",
        "training", -1, -1, null, null).checkLimits())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset input 'iris' digest must be at most 36 characters but was 37"
            + " characters");
    assertThatThrownBy(() -> new DatasetInput("iris", null, "s3", "s3://" + "k".repeat(59_996),
        "training", -1, -1, null, null).checkLimits())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset input 'iris' source must be at most 60000 characters but was 60001"
            + " characters");
    assertThatThrownBy(() -> new DatasetInput("iris", null, "s3", "s3://b/k", "c".repeat(501),
        -1, -1, null, null).checkLimits())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset input 'iris' context must be at most 500 characters but was 501"
            + " characters");
    assertThatThrownBy(() -> new DatasetInput("iris", null, "s3", "s3://b/k", "training", -1,
        -1, "s".repeat(1_048_576), null).checkLimits())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset input 'iris' schema must be at most 1048575 characters but was"
            + " 1048576 characters");
  }

  @Test
  void aPathDataSetIsNamedByItsFileAndAUriByItsLastSegment() {
    Dataset d = Dataset.of(Path.of("data", "..", "data", "train.csv"));
    assertThat(d.name()).isEqualTo("train.csv");
    assertThat(d.path()).contains(Path.of("data/train.csv").toAbsolutePath());
    assertThat(d.source()).isEqualTo(Path.of("data/train.csv").toAbsolutePath().toString());
    assertThat(d.context()).isEqualTo("training");
    assertThat(d.schema()).isEmpty();
    Dataset u = Dataset.ofUri("https://example.org/iris/train.csv/");
    assertThat(u.name()).isEqualTo("train.csv");
    assertThat(u.path()).isEmpty();
    assertThat(u.source()).isEqualTo("https://example.org/iris/train.csv/");
    assertThat(Dataset.ofUri("hf://iris").name()).isEqualTo("hf://iris");
    assertThat(Dataset.ofUri(tmp.toUri().toString()).path()).contains(tmp.toAbsolutePath());
  }

  @Test
  void aNameTakenFromALongUriIsCutToTheLongestNameMlflowKeeps() {
    assertThat(Dataset.ofUri("s3://bucket/" + "k".repeat(600)).name())
        .isEqualTo("k".repeat(Dataset.MAX_NAME_LENGTH));
    assertThat(Dataset.ofUri("hf://" + "h".repeat(700)).name())
        .isEqualTo("hf://" + "h".repeat(Dataset.MAX_NAME_LENGTH - 5));
    // never half a character: an emoji that would straddle the limit is left out whole
    assertThat(Dataset.ofUri("s3://b/" + "k".repeat(499) + "\uD83D\uDE00" + "k").name())
        .isEqualTo("k".repeat(499));
  }

  @Test
  void changingAPartMakesANewDataSet() {
    Dataset d = Dataset.of(Path.of("a.csv"));
    Dataset named = d.name("iris").context("validation").schema("{}");
    assertThat(d.name()).isEqualTo("a.csv");
    assertThat(d.context()).isEqualTo("training");
    assertThat(named.name()).isEqualTo("iris");
    assertThat(named.context()).isEqualTo("validation");
    assertThat(named.schema()).contains("{}");
    assertThat(named.schema(null).schema()).isEmpty();
    assertThat(named).isEqualTo(Dataset.of(Path.of("a.csv")).name("iris").context("validation")
        .schema("{}")).hasSameHashCodeAs(named.schema("{}")).isNotEqualTo(d);
    assertThat(named.toString()).isEqualTo("Dataset{name=iris, source="
        + Path.of("a.csv").toAbsolutePath() + ", context=validation, schema=2 characters}");
  }

  @Test
  void badPartsAreRefusedNamingTheRule() {
    Dataset d = Dataset.of(Path.of("a.csv"));
    assertThatThrownBy(() -> Dataset.of(null)).isExactlyInstanceOf(
        IllegalArgumentException.class).hasMessage("dataset path must not be null");
    assertThatThrownBy(() -> d.name(" ")).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset name must not be blank but was ' '");
    assertThatThrownBy(() -> d.name(null)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset name must not be null");
    assertThatThrownBy(() -> d.name("n".repeat(501))).isExactlyInstanceOf(
        IllegalArgumentException.class)
        .hasMessage("dataset name must be at most 500 characters but was 501 characters");
    assertThatThrownBy(() -> d.context("")).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset context must not be blank but was ''");
    assertThatThrownBy(() -> d.schema("\t")).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset schema must not be blank but was '\t'");
    assertThatThrownBy(() -> Dataset.ofUri("data/train.csv")).isExactlyInstanceOf(
        IllegalArgumentException.class).hasMessage("dataset URI must have a scheme (s3:, https:,"
            + " file:, ...) but was 'data/train.csv'; use Dataset.of(Path) for a local file");
    assertThatThrownBy(() -> Dataset.ofUri("s3://b/a b")).isExactlyInstanceOf(
        IllegalArgumentException.class)
        .hasMessage("dataset URI must be a valid URI but is not: Illegal character in path at"
            + " index 8");
    assertThatThrownBy(() -> Dataset.ofUri("https://me:secret@host/d.csv"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset URI must not hold credentials (user info before '@'): it is"
            + " recorded and shown as it is");
    assertThatThrownBy(() -> Dataset.ofUri(null)).isExactlyInstanceOf(
        IllegalArgumentException.class).hasMessage("dataset URI must not be null");
  }

  @Test
  void loggingAPathThatDoesNotExistFailsAtTheCallAndLosesNothing() {
    RecordingBackend backend = new RecordingBackend();
    Path missing = tmp.resolve("missing.csv");
    String id;
    try (Tracker tracker = tracker(backend); Run run = tracker.experiment("e").startRun("r")) {
      id = run.id();
      run.logMetric("loss", 1);
      assertThatThrownBy(() -> run.logInput(Dataset.of(missing)))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("dataset path must exist but '" + missing.toAbsolutePath()
              + "' does not");
      assertThatThrownBy(() -> run.logInput(null))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("dataset must not be null");
      run.end(RunStatus.FINISHED);
      assertThatThrownBy(() -> run.logInput(Dataset.ofUri("s3://b/k")))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("run 'r' (" + id + ") has ended with status FINISHED; cannot log input"
              + " 'k'");
    }
    assertThat(backend.metrics(id)).hasSize(1);
    assertThat(backend.readRun(id).orElseThrow().inputs()).isEmpty();
  }

  @Test
  void theDigestIsReadByTheDispatcherAfterLogInputReturned() throws Exception {
    Path file = Files.writeString(tmp.resolve("train.csv"), "abc");
    RecordingBackend backend = new RecordingBackend();
    String id;
    try (Tracker tracker = tracker(backend)) {
      backend.block();
      Run run = tracker.experiment("e").startRun("r");
      id = run.id();
      try {
        assertThat(backend.awaitBlocked(10)).as("the dispatcher is held in the backend").isTrue();
        run.logInput(Dataset.of(file).name("train"));
        // had logInput read the file, the digest would be of "abc"
        Files.writeString(file, "xyz");
      } finally {
        backend.release();
      }
      run.close();
      tracker.flush(Duration.ofSeconds(10));
    }
    assertThat(backend.readRun(id).orElseThrow().inputs()).singleElement()
        .extracting(DatasetInput::name, DatasetInput::digest)
        .containsExactly("train", "d16fb36f0911f878998c136191af705e");
  }

  @Test
  void aPathThatIsNeitherAFileNorAFolderIsRefusedAtTheCall() throws Exception {
    Path fifo = tmp.resolve("fifo");
    Process mkfifo;
    try {
      mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (java.io.IOException e) {
      Assumptions.abort("needs mkfifo: " + e.getMessage());
      return;
    }
    Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo failed");
    RecordingBackend backend = new RecordingBackend();
    String id;
    try (Tracker tracker = tracker(backend); Run run = tracker.experiment("e").startRun("r")) {
      id = run.id();
      // a named pipe, a device or a socket: the digest would wait for a writer, or never end
      assertThatThrownBy(() -> run.logInput(Dataset.of(fifo)))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("dataset path must be a file or a folder but '" + fifo
              + "' is neither (a named pipe, a device or a socket)");
      run.logMetric("m", 1);
    }
    assertThat(backend.readRun(id).orElseThrow().inputs()).isEmpty();
    assertThat(backend.metrics(id)).hasSize(1);
  }
}
