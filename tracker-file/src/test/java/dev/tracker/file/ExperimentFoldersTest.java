package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.ExperimentInfo;
import dev.tracker.Run;
import dev.tracker.RunData;
import dev.tracker.Tracker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Any experiment name MLflow accepts gets a folder; the real name stays in the files. */
class ExperimentFoldersTest {
  private static final String EMOJI_100 = "🔥".repeat(100);

  @TempDir Path root;

  private Tracker tracker() {
    return Tracker.builder().uri(root.toUri().toString()).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null).seed(7).build();
  }

  @Test
  void namesThatAreNotFolderNamesAreEncodedAndLongOnesCutWithAHash() {
    assertThat(ExperimentFolders.folderName("iris")).isEqualTo("iris");
    assertThat(ExperimentFolders.folderName("lr sweep é🔥")).isEqualTo("lr sweep é🔥");
    assertThat(ExperimentFolders.folderName("/Users/me/exp")).isEqualTo("%2FUsers%2Fme%2Fexp");
    assertThat(ExperimentFolders.folderName("..")).isEqualTo("%2E%2E");
    assertThat(ExperimentFolders.folderName(".")).isEqualTo("%2E");
    assertThat(ExperimentFolders.folderName("../x")).isEqualTo("..%2Fx");
    assertThat(ExperimentFolders.folderName("50% a\\b:c?\u001b")).isEqualTo("50%25 a%5Cb%3Ac%3F%1B");
    String cut = ExperimentFolders.folderName("a".repeat(300));
    assertThat(cut).startsWith("a".repeat(119) + "~").hasSize(128);
    assertThat(ExperimentFolders.folderName("a".repeat(299) + "b")).isNotEqualTo(cut)
        .startsWith("a".repeat(119) + "~");
    assertThat(ExperimentFolders.folderName("a".repeat(128))).isEqualTo("a".repeat(128));
    assertThat(ExperimentFolders.folderName("é".repeat(200)).getBytes(StandardCharsets.UTF_8))
        .hasSizeLessThanOrEqualTo(ExperimentFolders.MAX_BYTES);
    assertThat(ExperimentFolders.folderName(EMOJI_100).getBytes(StandardCharsets.UTF_8))
        .hasSizeLessThanOrEqualTo(ExperimentFolders.MAX_BYTES);
    assertThat(ExperimentFolders.folderName("/".repeat(200)))
        .matches("(%2F){39}~[0-9a-f]{8}");
  }

  @Test
  void windowsDeviceNamesAndTrailingDotsOrSpacesAreEncoded() {
    // Windows opens the device for CON, NUL, COM1, … (with any extension) and drops a name's
    // trailing dots and spaces, so "exp." would share the folder of "exp"
    assertThat(ExperimentFolders.folderName("CON")).isEqualTo("%43ON");
    assertThat(ExperimentFolders.folderName("nul")).isEqualTo("%6Eul");
    assertThat(ExperimentFolders.folderName("Aux.tar.gz")).isEqualTo("%41ux.tar.gz");
    assertThat(ExperimentFolders.folderName("prn ")).isEqualTo("%70rn%20");
    assertThat(ExperimentFolders.folderName("com1")).isEqualTo("%63om1");
    assertThat(ExperimentFolders.folderName("LPT9.log")).isEqualTo("%4CPT9.log");
    assertThat(ExperimentFolders.folderName("COM\u00b9")).isEqualTo("%43OM\u00b9");
    assertThat(ExperimentFolders.folderName("exp.")).isEqualTo("exp%2E");
    assertThat(ExperimentFolders.folderName("exp ")).isEqualTo("exp%20");
    assertThat(ExperimentFolders.folderName("...")).isEqualTo("..%2E");
    assertThat(ExperimentFolders.folderName("console")).isEqualTo("console");
    assertThat(ExperimentFolders.folderName("com10")).isEqualTo("com10");
    assertThat(ExperimentFolders.folderName("nul-run")).isEqualTo("nul-run");
    assertThat(ExperimentFolders.folderName(" lead")).isEqualTo(" lead");
    assertThat(ExperimentFolders.folderName("a.b")).isEqualTo("a.b");
  }

  static List<String> mlflowNames() {
    return List.of("/Users/me/exp", "..", ".", "../../etc", "x".repeat(300), "é".repeat(200),
        EMOJI_100, "esc \u001b[31m", "a\\b", "CON", "nul.txt", "exp.", "exp ");
  }

  @ParameterizedTest
  @MethodSource("mlflowNames")
  void aRunInAnyExperimentMlflowAcceptsIsStoredAndReadBackUnderItsName(String name)
      throws IOException {
    String id;
    try (Tracker tracker = tracker(); Run run = tracker.experiment(name).startRun("r")) {
      id = run.id();
      run.logMetric("loss", 0.5, 0);
    }
    try (Stream<Path> all = Files.walk(root)) {
      assertThat(all.filter(p -> !p.startsWith(root) || root.relativize(p).getNameCount() > 3))
          .as("everything stays inside the root, 3 levels deep at most").isEmpty();
    }
    try (FileBackend reader = FileBackend.create(root)) {
      assertThat(reader.listExperiments()).extracting(ExperimentInfo::name).containsExactly(name);
      assertThat(reader.listRuns(name)).hasSize(1);
      RunData run = reader.readRun(id).orElseThrow();
      assertThat(run.info().experimentName()).isEqualTo(name);
      assertThat(run.history("loss")).hasSize(1);
      Path folder = root.resolve(ExperimentFolders.folderName(name));
      assertThat(folder.getParent()).isEqualTo(root);
      assertThat(folder.resolve(id).resolve(FileBackend.RUN_FILE)).isRegularFile();
    }
  }

  @Test
  void aFolderAnEarlierVersionNamedByTheNameItselfIsStillUsed() throws IOException {
    Path legacy = root.resolve("50% off: a?b");
    Files.createDirectories(legacy);
    try (FileBackend backend = FileBackend.create(root)) {
      backend.createExperiment("50% off: a?b");
    }
    String id;
    try (Tracker tracker = tracker(); Run run = tracker.experiment("50% off: a?b").startRun("r")) {
      id = run.id();
    }
    List<String> folders = new ArrayList<>();
    try (Stream<Path> list = Files.list(root)) {
      list.forEach(p -> folders.add(p.getFileName().toString()));
    }
    assertThat(folders).containsExactly("50% off: a?b");
    assertThat(legacy.resolve(id).resolve(FileBackend.RUN_FILE)).isRegularFile();
    try (FileBackend reader = FileBackend.create(root)) {
      assertThat(reader.listRuns("50% off: a?b")).hasSize(1);
    }
  }
}
