package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.spi.RunSpec;
import dev.tracker.spi.SearchPage;
import dev.tracker.spi.SearchRequest;
import dev.tracker.testing.ForwardingBackend;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RunQueryTest {
  private final RecordingBackend recording = new RecordingBackend();
  private final List<SearchRequest> requests = new ArrayList<>();
  private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  private Tracker tracker;

  /** Answers at most two runs per page, so that paging shows. */
  private final ForwardingBackend backend = new ForwardingBackend(recording) {
    @Override
    public SearchPage searchRuns(SearchRequest request) throws IOException {
      requests.add(request);
      return super.searchRuns(new SearchRequest(request.experimentNames(), request.filter(),
          Math.min(2, request.maxResults()), request.pageToken()));
    }
  };

  @TempDir Path dir;

  @BeforeEach
  void fiveRuns() {
    tracker = Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null)
        .clock(() -> Instant.ofEpochMilli(now.get())).build();
    for (int i = 0; i < 5; i++) {
      now.addAndGet(1000);
      try (Run run = tracker.experiment(i < 4 ? "iris" : "mnist").startRun("run-" + i)) {
        run.logParam("lr", "0." + i);
        run.logMetric("accuracy", 0.5 + i / 10.0, 0);
      }
    }
    tracker.flush();
  }

  @AfterEach
  void close() {
    tracker.close();
  }

  private static List<String> names(List<RunSummary> runs) {
    return runs.stream().map(r -> r.info().name()).toList();
  }

  @Test
  void listsEveryExperimentNewestFirstFollowingPages() {
    assertThat(names(tracker.runs().list()))
        .containsExactly("run-4", "run-3", "run-2", "run-1", "run-0");
    assertThat(requests).extracting(SearchRequest::pageToken).containsExactly(null, "2", "4");
  }

  @Test
  void filtersOrdersAndLimitsInOneExperiment() {
    RunQuery q = tracker.runs().experiment("iris").filter("metrics.accuracy >= 0.6")
        .orderBy("metrics.accuracy ASC").limit(2);
    assertThat(names(q.list())).containsExactly("run-1", "run-2");
    assertThat(q.first().map(r -> r.params().get("lr"))).contains("0.1");
    assertThat(names(tracker.runs().experiment("iris", "mnist").filter("params.lr LIKE '0.4'")
        .list())).containsExactly("run-4");
    assertThat(tracker.runs().experiment("never-created").list()).isEmpty();
  }

  @Test
  void anExperimentNamedTwiceGivesEachRunOnce() {
    assertThat(names(tracker.runs().experiment("mnist", "iris", "mnist").list()))
        .containsExactly("run-4", "run-3", "run-2", "run-1", "run-0");
  }

  @Test
  void aQueryIsImmutable() {
    RunQuery all = tracker.runs();
    RunQuery some = all.filter("params.lr = '0.2'");
    assertThat(all.list()).hasSize(5);
    assertThat(names(some.list())).containsExactly("run-2");
    assertThat(names(some.orderBy("attributes.start_time").list())).containsExactly("run-2");
  }

  @Test
  void theStreamFetchesPagesOnlyAsItIsConsumed() {
    assertThat(tracker.runs().stream().limit(2).map(r -> r.info().name()).toList())
        .containsExactly("run-4", "run-3");
    assertThat(requests).hasSize(1);
  }

  @Test
  void aBadFilterFailsAtTheCallNamingThePosition() {
    RunQuery q = tracker.runs();
    assertThatThrownBy(() -> q.filter("metrics.accuracy > 0.5 or params.lr = '0.1'"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad filter at position 24: 'or' is not supported; comparisons join with"
            + " 'and' only");
    assertThatThrownBy(() -> q.orderBy("metrics.accuracy DOWN"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad order_by 'metrics.accuracy DOWN' at position 18: expected ASC, DESC or"
            + " the end but found 'DOWN'");
    assertThatThrownBy(() -> q.limit(0)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be at least 1 but was 0");
    assertThatThrownBy(() -> q.experiment()).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("experiment needs at least one name");
  }

  @Test
  void aNullOrderClauseFailsAtTheCallAsAMistake() {
    RunQuery q = tracker.runs();
    assertThatThrownBy(() -> q.orderBy("metrics.accuracy", null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad order_by 'null' at position 1: expected metrics.KEY, params.KEY,"
            + " tags.KEY or attributes.NAME but found the end");
    assertThatThrownBy(() -> q.orderBy((String[]) null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("orderBy needs clauses but was given null; call orderBy() for the default"
            + " order");
  }

  @Test
  void aRunIsFoundByIdOrUniquePrefix() {
    RunSummary newest = tracker.runs().first().orElseThrow();
    assertThat(tracker.run(newest.id()).info().name()).isEqualTo("run-4");
    assertThat(tracker.run(newest.id().substring(0, 8)).info().name()).isEqualTo("run-4");
    assertThatThrownBy(() -> tracker.run("zz"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("no run 'zz' in recording: no run has that id or an id starting with it");
    assertThatThrownBy(() -> tracker.run(""))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("run id must not be null or blank but was ''");
  }

  @Test
  void severalRunsMatchingAPrefixAreNamed() throws IOException {
    String exp = recording.createExperiment("ids");
    for (String id : List.of("abc00000000000000000000000000001", "abc00000000000000000000000000002")) {
      recording.createRun(new RunSpec(id, exp, "ids", "r" + id.charAt(31), 1, Map.of(), null,
          false));
    }
    assertThatThrownBy(() -> tracker.run("abc"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("run id 'abc' matches 2 runs in recording:"
            + " abc00000000000000000000000000002 ('r2' in 'ids'),"
            + " abc00000000000000000000000000001 ('r1' in 'ids'); give more of the id");
    assertThat(tracker.run("abc00000000000000000000000000001").info().name()).isEqualTo("r1");
  }

  @Test
  void historyReadsEveryPointOfAMetric() {
    Run run = tracker.experiment("iris").startRun("h");
    run.logMetric("loss", 3, 0);
    run.logMetric("loss", 2, 1);
    run.close();
    tracker.flush();
    assertThat(tracker.history(run.id(), "loss")).extracting(Metric::value)
        .containsExactly(3.0, 2.0);
    assertThat(tracker.history(run.id().substring(0, 10), "loss")).hasSize(2);
    assertThat(tracker.history(run.id(), "nothing")).isEmpty();
    assertThatThrownBy(() -> tracker.history("0123456789abcdef0123456789abcdef", "loss"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("no run '0123456789abcdef0123456789abcdef' in recording");
  }

  @Test
  void artifactsDownloadUnderTheirPaths() throws IOException {
    Run run = tracker.experiment("iris").startRun("a");
    run.logText("w", "model/weights.txt");
    run.logText("c", "model/conf/c.txt");
    run.logText("n", "notes.txt");
    run.close();
    tracker.flush();
    Path model = tracker.downloadArtifacts(run.id(), "model", dir);
    assertThat(model).isEqualTo(dir.toAbsolutePath().normalize().resolve("model"));
    assertThat(Files.readString(model.resolve("weights.txt"), StandardCharsets.UTF_8))
        .isEqualTo("w");
    assertThat(Files.readString(model.resolve("conf/c.txt"), StandardCharsets.UTF_8))
        .isEqualTo("c");
    assertThat(dir.resolve("notes.txt")).doesNotExist();
    assertThatThrownBy(() -> tracker.downloadArtifacts(run.id(), "mod", dir))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("run " + run.id() + " has no artifact 'mod'; its artifacts:"
            + " model/conf/c.txt, model/weights.txt, notes.txt");
  }

  @Test
  void artifactsDownloadIntoAFileIsRefusedAtTheCall() throws IOException {
    Run run = tracker.experiment("iris").startRun("a");
    run.logText("w", "model/weights.txt");
    run.close();
    tracker.flush();
    Path file = Files.writeString(dir.resolve("out"), "keep");
    assertThatThrownBy(() -> tracker.downloadArtifacts(run.id(), "model", file))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("destination must be a folder but " + file.toAbsolutePath() + " is a file");
    assertThat(file).hasContent("keep");
  }

  @Test
  void readingNeverWaitsForLoggingInTheSameTracker() throws Exception {
    Run run = tracker.experiment("iris").startRun("busy");
    recording.block();
    try {
      CompletableFuture<Void> logging = CompletableFuture.runAsync(() -> {
        run.logMetric("loss", 1, 0);
        tracker.flush();
      });
      assertThat(recording.awaitBlocked(10)).as("the dispatcher is held in the backend").isTrue();
      assertThat(names(tracker.runs().experiment("mnist").list())).containsExactly("run-4");
      assertThat(tracker.run(tracker.runs().first().orElseThrow().id())).isNotNull();
      assertThat(logging).isNotDone();
    } finally {
      recording.release();
    }
  }

  @Test
  void aToolQueriesABackendWithoutATrackerAndLeavesItOpen() {
    assertThat(names(RunQuery.of(recording).experiment("mnist").list()))
        .containsExactly("run-4");
    assertThat(recording.isClosed()).isFalse();
    assertThatThrownBy(() -> RunQuery.of(null)).isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("backend");
  }

  @Test
  void readingAfterCloseIsRefused() {
    RunQuery q = tracker.runs();
    tracker.close();
    assertThatThrownBy(q::list).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("tracker is closed");
    assertThatThrownBy(tracker::runs).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("tracker is closed");
  }
}
