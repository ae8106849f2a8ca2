package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.http.MlflowBackend;
import dev.tracker.http.testing.FakeMlflowServer;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tracker runs} against a server: the server searches, only the runs found are read. */
class RunsOnMlflowTest {
  @TempDir Path spool;

  private final FakeMlflowServer fake = new FakeMlflowServer();
  private MockWebServer server;
  private String url;

  @BeforeEach
  void threeRunsOnTheServer() throws Exception {
    server = fake.start();
    url = server.url("/").toString();
    try (MlflowBackend backend = MlflowBackend.builder().uri(url).spoolDir(spool).build()) {
      Fixtures.threeRuns(backend);
      backend.flush();
    }
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void theFilterAndOrderAreTheServersAndOnlyTheRunsFoundAreReadWhole() {
    int histories = fake.count("metrics/get-history");

    Harness.Result r = Harness.real().run("runs", "--uri", url, "-e", "iris", "--filter",
        "metrics.accuracy >= 0.9 and attributes.status = 'FINISHED'", "--sort",
        "metrics.accuracy DESC", "-f", "csv");

    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out().lines().skip(1).map(l -> l.substring(0, 32)))
        .containsExactly(Fixtures.B, Fixtures.A);
    assertThat(fake.count("runs/search")).isGreaterThanOrEqualTo(1);
    // two runs found, two metrics each: the third run's history is never read
    assertThat(fake.count("metrics/get-history") - histories).isEqualTo(4);
  }

  @Test
  void anUnknownExperimentIsNamedWithTheOnesThereAre() {
    Harness.Result r = Harness.real().run("runs", "--uri", url, "-e", "nope");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker runs: no experiment 'nope' in " + url.replaceAll("/$",
        "") + "; experiments: Default, iris\n");
  }
}
