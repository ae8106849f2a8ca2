package dev.tracker.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.RunStatus;
import dev.tracker.RunSummary;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SPI's default search: local evaluation over listRuns and readRun, paged by position. */
class DefaultSearchTest {
  private final RecordingBackend backend = new RecordingBackend();

  @BeforeEach
  void fiveRunsInTwoExperiments() throws IOException {
    for (int i = 0; i < 5; i++) {
      String exp = i < 3 ? "a" : "b";
      String id = String.format("%032x", i);
      backend.createRun(new RunSpec(id, backend.createExperiment(exp), exp, "r" + i, 100 + i,
          Map.of(), null, false));
      backend.endRun(id, RunStatus.FINISHED, 200 + i);
    }
  }

  private static List<String> names(SearchPage page) {
    return page.runs().stream().map(r -> r.info().name()).toList();
  }

  @Test
  void pagesByPositionUntilTheLastPageHasNoToken() throws IOException {
    RunFilter all = RunFilter.parse("", List.of("attributes.start_time ASC"));
    SearchPage first = backend.searchRuns(new SearchRequest(List.of(), all, 2, null));
    SearchPage second = backend.searchRuns(new SearchRequest(List.of(), all, 2,
        first.nextPageToken()));
    SearchPage last = backend.searchRuns(new SearchRequest(List.of(), all, 2,
        second.nextPageToken()));
    assertThat(names(first)).containsExactly("r0", "r1");
    assertThat(names(second)).containsExactly("r2", "r3");
    assertThat(names(last)).containsExactly("r4");
    assertThat(last.nextPageToken()).isNull();
  }

  @Test
  void searchesOnlyTheNamedExperiments() throws IOException {
    SearchPage page = backend.searchRuns(new SearchRequest(List.of("b", "missing"),
        RunFilter.ALL, 10, null));
    assertThat(page.runs()).extracting(RunSummary::id)
        .containsExactly(String.format("%032x", 4), String.format("%032x", 3));
  }

  @Test
  void aTokenItDidNotMakeIsRefused() {
    assertThatThrownBy(() -> backend.searchRuns(new SearchRequest(List.of(), RunFilter.ALL, 2,
        "abc"))).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("page token 'abc' was not made by recording");
    assertThatThrownBy(() -> new SearchRequest(List.of(), RunFilter.ALL, 0, null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxResults must be at least 1 but was 0");
  }
}
