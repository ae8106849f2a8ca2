package dev.tracker.spi;

import dev.tracker.RunSummary;
import java.util.List;

/**
 * One page of runs found by {@link TrackingBackend#searchRuns(SearchRequest)}.
 *
 * @param runs the runs, in the request's order
 * @param nextPageToken the token that asks for the next page, or null when this is the last
 */
public record SearchPage(List<RunSummary> runs, String nextPageToken) {
  /** Copies the list. */
  public SearchPage {
    runs = List.copyOf(runs);
    if (nextPageToken != null && nextPageToken.isEmpty()) {
      nextPageToken = null;
    }
  }
}
