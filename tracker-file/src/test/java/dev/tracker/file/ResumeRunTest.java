package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.Run;
import dev.tracker.RunData;
import dev.tracker.Tracker;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code resumeRun(id)} finds the run by id or unique prefix, in its own experiment, or fails. */
class ResumeRunTest {
  @TempDir Path root;

  private Tracker.Builder builder() {
    return Tracker.builder().uri("file:" + root).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null);
  }

  private String firstRun(String experiment) {
    try (Tracker tracker = builder().seed(11).build();
        Run run = tracker.experiment(experiment).startRun("first")) {
      run.logMetric("loss", 1, 0);
      return run.id();
    }
  }

  @Test
  void theShortIdTrackerRunsShowsResumesThatRun() throws IOException {
    String id = firstRun("exp");
    try (Tracker tracker = builder().resumeRun(id.substring(0, 8)).build();
        Run run = tracker.experiment("exp").startRun("first")) {
      assertThat(run.id()).isEqualTo(id);
      assertThat(run.seeds().root()).isEqualTo(11);
      run.logMetric("loss", 2, 1);
    }
    try (FileBackend reader = FileBackend.create(root)) {
      assertThat(reader.listRuns("exp")).hasSize(1);
      assertThat(reader.readRun(id).orElseThrow().history("loss")).extracting(Metric::step)
          .containsExactly(0L, 1L);
    }
  }

  @Test
  void anIdThatNamesNoRunFailsAtStartNamingItAndWhereItLooked() throws IOException {
    firstRun("exp");
    try (Tracker tracker = builder().resumeRun("not-an-id").build()) {
      assertThatThrownBy(() -> tracker.experiment("exp").startRun("r"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("resumeRun id 'not-an-id' names no run in file:" + root + ": no run has"
              + " that id or an id starting with it (looked in experiments 'exp'); give the id"
              + " `tracker runs` shows, or a new 32-hex-character id to start a run with that id");
      assertThatThrownBy(() -> tracker.experiment("exp").startRun("again"))
          .as("the id stays to resume; nothing was created")
          .isExactlyInstanceOf(IllegalArgumentException.class);
    }
    try (Stream<Path> folders = Files.list(root.resolve("exp"))) {
      assertThat(folders.filter(Files::isDirectory)).hasSize(1);
    }
  }

  @Test
  void aPrefixOfSeveralRunsFailsListingThem() throws IOException {
    try (FileBackend backend = FileBackend.create(root)) {
      for (String id : new String[] {"abcd0000000000000000000000000001",
          "abcd0000000000000000000000000002"}) {
        backend.createRun(new RunSpec(id, "exp", "exp", "r" + id.charAt(31), 0,
            Map.of(), null, false));
      }
    }
    try (Tracker tracker = builder().resumeRun("abcd").build()) {
      assertThatThrownBy(() -> tracker.experiment("exp").startRun("r"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("resumeRun id 'abcd' matches 2 runs in file:" + root + ":"
              + " abcd0000000000000000000000000001 ('r1' in 'exp'),"
              + " abcd0000000000000000000000000002 ('r2' in 'exp'); give more of the id");
    }
  }

  @Test
  void aRunResumedUnderAnotherExperimentNameStaysInItsOwnExperiment() throws IOException {
    String id = firstRun("mine");
    try (Tracker tracker = builder().resumeRun(id).build();
        Run run = tracker.experiment("other").startRun("first")) {
      assertThat(run.experiment().name()).isEqualTo("mine");
      run.logMetric("loss", 2, 1);
    }
    try (FileBackend reader = FileBackend.create(root)) {
      RunData run = reader.readRun(id).orElseThrow();
      assertThat(run.info().experimentName()).isEqualTo("mine");
      assertThat(run.history("loss")).hasSize(2);
      assertThat(reader.listRuns("other")).isEmpty();
    }
  }

  @Test
  void aNewFullIdStartsARunWithThatId() throws IOException {
    String id = "0123456789abcdef0123456789abcdef";
    try (Tracker tracker = builder().resumeRun(id).build();
        Run run = tracker.experiment("exp").startRun("chosen")) {
      assertThat(run.id()).isEqualTo(id);
    }
    try (FileBackend reader = FileBackend.create(root)) {
      assertThat(reader.readRun(id).orElseThrow().info().name()).isEqualTo("chosen");
    }
  }

  @Test
  void aResumedRunRefusesAnotherValueForAParamItRecordedAtTheCall() throws IOException {
    String id;
    try (Tracker tracker = builder().seed(11).build();
        Run run = tracker.experiment("exp").startRun("first")) {
      id = run.id();
      run.logParam("lr", 0.1);
    }
    try (Tracker tracker = builder().resumeRun(id).build();
        Run run = tracker.experiment("exp").startRun("first")) {
      assertThatThrownBy(() -> run.logParam("lr", 0.5))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("param 'lr' was already logged with value '0.1' and cannot be changed to"
              + " '0.5' (params are write-once)");
      run.logParam("lr", 0.1); // the value it recorded: a no-op
      run.logParam("epochs", 5);
      assertThat(tracker.flush()).isEqualTo(FlushResult.DELIVERED);
    }
    try (FileBackend reader = FileBackend.create(root)) {
      assertThat(reader.readRun(id).orElseThrow().params())
          .isEqualTo(Map.of("seed", "11", "lr", "0.1", "epochs", "5"));
    }
  }

  @Test
  void aResumedRunGivenAnotherSeedThanItRecordedFailsAtStartAndStaysToResume()
      throws IOException {
    String id = firstRun("exp");
    try (Tracker tracker = builder().resumeRun(id).build()) {
      assertThatThrownBy(() -> tracker.experiment("exp").newRun("first").seed(99).start())
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("param 'seed' of resumed run " + id + " was already logged with value"
              + " '11' and cannot be changed to '99' (params are write-once); leave out"
              + " seed(..) to go on with 11");
      try (Run run = tracker.experiment("exp").newRun("first").seed(11).start()) {
        assertThat(run.id()).isEqualTo(id);
        assertThat(run.seeds().root()).isEqualTo(11);
      }
      assertThat(tracker.flush()).isEqualTo(FlushResult.DELIVERED);
    }
    try (FileBackend reader = FileBackend.create(root)) {
      assertThat(reader.listRuns("exp")).hasSize(1);
      assertThat(reader.readRun(id).orElseThrow().params()).isEqualTo(Map.of("seed", "11"));
    }
  }

  @Test
  void aRunFolderThatLostItsRunYamlKeepsItsParamsAndMetricsWhenResumedByItsFullId()
      throws IOException {
    String id;
    try (Tracker tracker = builder().seed(11).build();
        Run run = tracker.experiment("exp").startRun("first")) {
      id = run.id();
      run.logParam("lr", 0.1);
      run.logMetric("loss", 1, 0);
    }
    Files.delete(root.resolve("exp").resolve(id).resolve(FileBackend.RUN_FILE));
    try (Tracker tracker = builder().seed(11).resumeRun(id).build();
        Run run = tracker.experiment("exp").startRun("again")) {
      assertThat(run.id()).isEqualTo(id);
      run.logMetric("loss", 2, 1);
    }
    try (FileBackend reader = FileBackend.create(root)) {
      RunData run = reader.readRun(id).orElseThrow();
      assertThat(run.params()).isEqualTo(Map.of("seed", "11", "lr", "0.1"));
      assertThat(run.history("loss")).extracting(Metric::step).containsExactly(0L, 1L);
    }
  }
}
