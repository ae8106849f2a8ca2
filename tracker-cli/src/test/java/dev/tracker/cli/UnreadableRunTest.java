package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.RunData;
import dev.tracker.file.FileBackend;
import dev.tracker.testing.ForwardingBackend;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run whose files the reader rejects: the commands over several runs show the others and
 * name it, a command about that run exits 3 (bad data), never 2 (backend unreachable).
 */
class UnreadableRunTest {
  @TempDir
  Path root;

  private Path params;

  @BeforeEach
  void threeRunsOneWithParamsTheReaderRejects() throws IOException {
    try (FileBackend b = Fixtures.threeRuns(FileBackend.create(root))) {
      b.flush();
    }
    params = runFolder(Fixtures.B).resolve(FileBackend.PARAMS_FILE);
    Files.writeString(params, "lr: !evil 0.1\n", StandardCharsets.UTF_8);
  }

  private Path runFolder(String id) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(p -> p.getFileName().toString().equals(id)).findFirst().orElseThrow();
    }
  }

  private Harness.Result run(String... args) {
    return new Harness(uri -> FileBackend.create(root)).run(args);
  }

  /** The line the commands print for run B, less the reader's own words after the file. */
  private String unreadable(String command) {
    return "tracker " + command + ": cannot read run " + Fixtures.B + " (lr-0.1) in file:"
        + root + ": " + params;
  }

  @Test
  void runsListsTheOtherRunsNamesTheUnreadableOneAndExitsThree() {
    Harness.Result r = run("runs", "-e", "iris", "-f", "csv");

    assertThat(r.code()).isEqualTo(TrackerCli.DATA_ERROR);
    assertThat(r.out().lines().skip(1).map(l -> l.substring(0, 8)))
        .containsExactly("c3d4e5f6", "a1b2c3d4");
    assertThat(r.err().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith(unreadable("runs")).contains("!evil").endsWith("; left out"));
  }

  @Test
  void showOfTheUnreadableRunExitsThreeNamingTheFile() {
    Harness.Result r = run("show", Fixtures.B);

    assertThat(r.code()).isEqualTo(TrackerCli.DATA_ERROR);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("tracker show: cannot read run " + Fixtures.B + " in file:" + root + ": "
            + params).contains("!evil"));
  }

  @Test
  void showOfARunWhoseRunYamlIsRejectedExitsThree() throws IOException {
    Path runYaml = runFolder(Fixtures.C).resolve(FileBackend.RUN_FILE);
    Files.writeString(runYaml, "id: [unclosed\n", StandardCharsets.UTF_8);

    Harness.Result r = run("show", Fixtures.C);

    assertThat(r.code()).isEqualTo(TrackerCli.DATA_ERROR);
    assertThat(r.err()).startsWith("tracker show: cannot read run " + Fixtures.C + " in file:"
        + root + ": " + runYaml);
  }

  @Test
  void showOfAnotherRunOfTheSameExperimentWorks() {
    Harness.Result r = run("show", "lr-0.01");

    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("id          " + Fixtures.A + "\n");
  }

  @Test
  void reportDrawsTheOtherRunsAndNamesTheUnreadableOne() throws IOException {
    Path html = root.resolveSibling(root.getFileName() + "-report.html");

    Harness.Result r = run("report", "-o", html.toString());

    assertThat(r.code()).isEqualTo(TrackerCli.DATA_ERROR);
    assertThat(r.out()).isEqualTo("Wrote " + html + ": 2 runs, 2 charts\n");
    assertThat(r.err()).startsWith(unreadable("report"));
    assertThat(Files.readString(html)).contains(Fixtures.A).contains(Fixtures.C)
        .doesNotContain(Fixtures.B);
    Files.delete(html);
  }

  @Test
  void aRemoteRunThatCannotBeReadIsTheBackendFailingExitTwo() {
    ForwardingBackend timingOut = new ForwardingBackend(Fixtures.threeRuns()) {
      @Override
      public String describe() {
        return "http://localhost:5000";
      }

      @Override
      public Optional<RunData> readRun(String runId) throws IOException {
        throw new SocketTimeoutException("timeout");
      }
    };

    Harness.Result r = new Harness(timingOut).run("runs");

    assertThat(r.code()).isEqualTo(TrackerCli.BACKEND_ERROR);
    assertThat(r.err()).isEqualTo("tracker runs: cannot read from http://localhost:5000:"
        + " timeout\n");
  }
}
