package dev.tracker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFilesTest {
  @TempDir Path root;

  @Test
  void findsARunsMetricsFileUnderItsExperiment() throws IOException {
    Path run = Files.createDirectories(root.resolve("bench").resolve("0123abcd"));

    assertThat(RunFiles.metricsCsv(root, "0123abcd")).isEqualTo(run.resolve("metrics.csv"));
  }

  @Test
  void namesTheRunThatIsMissing() {
    assertThatThrownBy(() -> RunFiles.metricsCsv(root, "nope"))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("no folder of run nope under " + root);
  }

  @Test
  void countsOnlyCompleteLines() throws IOException {
    Path f = Files.writeString(root.resolve("m.csv"), "Name,Value,Timestamp,Step\na\nb\ntorn");

    assertThat(RunFiles.lines(f)).isEqualTo(3);
    RunFiles.requireRows(f, 2);
    assertThatThrownBy(() -> RunFiles.requireRows(f, 3))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("expected a header and 3 rows in " + f + " but found 2 rows");
  }

  @Test
  void deletesAFolderWithEverythingInIt() throws IOException {
    Path dir = Files.createDirectories(root.resolve("a").resolve("b"));
    Files.writeString(dir.resolve("f"), "x");

    RunFiles.delete(root.resolve("a"));

    assertThat(root.resolve("a")).doesNotExist();
  }
}
