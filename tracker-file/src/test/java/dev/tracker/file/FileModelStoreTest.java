package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.ModelRegistry;
import dev.tracker.ModelVersion;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.spi.ModelStore;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FileModelStoreTest {
  private static final int PER_WRITER = 12;

  @TempDir Path root;

  private static Tracker tracker(Path root) {
    return Tracker.builder().backend(FileBackend.create(root)).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null).build();
  }

  /** A second process: registers the run's "model" {@value #PER_WRITER} times. */
  public static void main(String[] args) {
    try (Tracker tracker = tracker(Path.of(args[0]))) {
      for (int i = 0; i < PER_WRITER; i++) {
        tracker.models().register("iris", args[1], "model");
      }
    }
  }

  private String runWithModel(Tracker tracker) {
    try (Run run = tracker.experiment("exp").startRun("train")) {
      run.logText("weights", "model/w.txt");
      return run.id();
    }
  }

  @Test
  void versionsAndAliasesAreYamlFilesBesideTheExperimentsPointingAtTheRun() throws Exception {
    try (Tracker tracker = tracker(root)) {
      String id = runWithModel(tracker);
      tracker.models().register("a/b: iris", id, "model");
      tracker.models().register("a/b: iris", id, "model");
      tracker.models().setAlias("a/b: iris", "yes", 2);
      tracker.models().setAlias("a/b: iris", "champion", 1);

      Path dir = root.resolve("models").resolve("a%2Fb%3A iris");
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("version-1.yaml", "version-2.yaml", "aliases.yaml",
                ".lock");
      }
      Path model = root.resolve("exp").resolve(id).resolve("artifacts/model");
      assertThat(dir.resolve("version-2.yaml")).content().startsWith(
          "name: 'a/b: iris'\nversion: 2\nrun_id: " + id + "\nartifact_path: model\nsource: "
              + model.toAbsolutePath().toUri().toString().replaceAll("/$", "")
              + "\ncreation_time: ");
      assertThat(dir.resolve("aliases.yaml")).hasContent("'yes': 2\nchampion: 1");
      assertThat(tracker.models().get("a/b: iris", "yes").version()).isEqualTo(2);
      try (Tracker other = tracker(root)) {
        assertThat(other.experiment("exp").name()).isEqualTo("exp");
        assertThat(FileBackend.create(root).listExperiments()).extracting(e -> e.name())
            .containsExactly("exp");
      }
    }
  }

  @Test
  void anAliasesFileEditedByHandToNameNoVersionIsRejectedNamingTheAlias() throws Exception {
    try (Tracker tracker = tracker(root)) {
      tracker.models().register("iris", runWithModel(tracker), "model");
      Path aliases = root.resolve("models/iris/aliases.yaml");
      for (String value : List.of("3000000000", "two", "0", "")) {
        Files.writeString(aliases, "champion: " + value + "\n");
        assertThatThrownBy(() -> tracker.models().get("iris", "champion"))
            .as(value).isExactlyInstanceOf(TrackerException.class)
            .hasMessage("cannot read alias 'champion' of model 'iris' in " + tracker.uri()
                + ": " + aliases + " was rejected: alias 'champion' must name a version (a whole"
                + " number from 1) but was " + (value.isEmpty() ? "empty" : "'" + value + "'"));
      }
    }
  }

  @Test
  void aVersionOfAMovedRootReadsItsFilesThroughItsRun() throws Exception {
    Path moved = root.resolveSibling(root.getFileName() + "-moved");
    try (Tracker tracker = tracker(root)) {
      tracker.models().register("iris", runWithModel(tracker), "model");
    }
    Files.move(root, moved);
    try (Tracker tracker = tracker(moved)) {
      Path out = tracker.models().download("iris", "1", moved.resolve("out"));
      assertThat(out.resolve("w.txt")).hasContent("weights");
    } finally {
      Files.move(moved, root);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void processesRegisteringAtOnceGetEveryNumberOnce() throws Exception {
    String id;
    try (Tracker tracker = tracker(root)) {
      id = runWithModel(tracker);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> children = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      children.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          FileModelStoreTest.class.getName(), root.toString(), id)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start());
    }
    try {
      main(new String[] {root.toString(), id});
      for (Process child : children) {
        assertThat(child.waitFor(100, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isZero();
      }
    } finally {
      children.forEach(Process::destroyForcibly);
    }
    int total = 3 * PER_WRITER;
    try (Tracker tracker = tracker(root)) {
      assertThat(tracker.models().list("iris")).extracting(ModelVersion::version)
          .containsExactlyElementsOf(IntStream.rangeClosed(1, total).boxed().toList());
      String lineage = tracker.run(id).tags().get(ModelRegistry.LINEAGE_TAG);
      assertThat(Arrays.stream(lineage.split(",")).sorted())
          .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, total)
              .mapToObj(v -> "iris/" + v).toList());
    }
  }

  @Test
  void onlyTheVersionsOwnFilesAreOpened() throws Exception {
    ModelVersion folder;
    ModelVersion single;
    try (Tracker tracker = tracker(root)) {
      String id;
      try (Run run = tracker.experiment("exp").startRun("train")) {
        id = run.id();
        run.logText("weights", "model/w.txt");
        run.logText("single", "model.bin");
      }
      folder = tracker.models().register("folder", id, "model");
      single = tracker.models().register("single", id, "model.bin");
    }
    ModelStore store = FileBackend.create(root).modelStore().orElseThrow();
    assertThat(store.files(single)).containsExactly("model.bin");
    try (InputStream in = store.open(single, "model.bin")) {
      assertThat(in.readAllBytes()).asString().isEqualTo("single");
    }
    assertThatThrownBy(() -> store.open(single, "w.txt"))
        .isExactlyInstanceOf(FileNotFoundException.class)
        .hasMessage("no file 'w.txt' in model version single/1");
    assertThatThrownBy(() -> store.open(folder, "../../run.yaml"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("artifact path must be a relative path inside the run's");
    assertThatThrownBy(() -> store.open(folder, "none.txt"))
        .isExactlyInstanceOf(FileNotFoundException.class)
        .hasMessage("no file 'none.txt' in model version folder/1");
  }
  @Test
  void aModelFileThatIsALinkOutOfTheRunIsNotRead(@TempDir Path outside) throws Exception {
    Path secret = Files.writeString(outside.resolve("secret.txt"), "secret");
    try (Tracker tracker = tracker(root)) {
      String id;
      try (Run run = tracker.experiment("exp").startRun("train")) {
        id = run.id();
        run.logText("single", "model.bin");
        run.logText("weights", "model/w.txt");
      }
      tracker.models().register("single", id, "model.bin");
      tracker.models().register("folder", id, "model");
      Path artifacts = root.resolve("exp").resolve(id).resolve("artifacts");
      Files.delete(artifacts.resolve("model.bin"));
      Files.createSymbolicLink(artifacts.resolve("model.bin"), secret);
      Path out = outside.resolve("out");
      assertThatThrownBy(() -> tracker.models().download("single", "1", out))
          .isExactlyInstanceOf(dev.tracker.TrackerException.class)
          .hasMessage("cannot download version single/1 of model 'single' in " + tracker.uri()
              + ": the files of model version single/1 lead outside the artifacts folder of run "
              + id + " through a symbolic link: " + artifacts.resolve("model.bin") + " is "
              + secret.toRealPath());
      Files.move(artifacts.resolve("model"), artifacts.resolve("moved"));
      Files.createSymbolicLink(artifacts.resolve("model"), outside);
      assertThatThrownBy(() -> tracker.models().download("folder", "1", out))
          .isExactlyInstanceOf(dev.tracker.TrackerException.class)
          .hasMessageEndingWith(" through a symbolic link: " + artifacts.resolve("model")
              + " is " + outside.toRealPath());
      assertThat(out).doesNotExist();
    }
  }
}
