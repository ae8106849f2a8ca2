package dev.tracker.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's JUnit quick start lists tracker-junit alone: the file backend for the default
 * {@code file:./runs} has to come with it, or every test run is lost to "no backend for URI
 * scheme 'file'".
 */
class FileBackendIncludedTest {
  @TempDir Path runs;

  @Tracked(experiment = "iris-quality")
  static class QuickStartTestCase {
    @Test
    void reachesEightyPercent(Run run) {
      run.logMetric("accuracy", 0.9);
    }
  }

  @Test
  void aFileUriRecordsRunFoldersWithNothingButTheExtensionOnTheClassPath() throws IOException {
    Kit kit = new Kit().parameter(TrackerExtension.URI_KEY, runs.toUri().toString());

    kit.run(QuickStartTestCase.class).testEvents().assertStatistics(s -> s.succeeded(1));

    List<Path> folders;
    try (Stream<Path> s = Files.list(runs.resolve("iris-quality"))) {
      folders = s.filter(Files::isDirectory).toList();
    }
    assertThat(folders).hasSize(1);
    assertThat(Files.readString(folders.get(0).resolve("metrics.csv")))
        .startsWith("Name,Value,Timestamp,Step\n\"accuracy\",0.9,");
    assertThat(Files.readString(folders.get(0).resolve("run.yaml")))
        .contains("name: reachesEightyPercent(Run)", "status: FINISHED");
  }
}
