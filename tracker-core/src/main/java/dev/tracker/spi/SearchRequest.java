package dev.tracker.spi;

import java.util.List;
import java.util.Objects;

/**
 * One page of a run search, as {@link TrackingBackend#searchRuns(SearchRequest)} receives it.
 *
 * @param experimentNames the experiments searched, by name; empty for every experiment
 * @param filter the parsed filter and order
 * @param maxResults the most runs in the page, at least 1
 * @param pageToken the {@link SearchPage#nextPageToken()} of the page before, or null for the
 *     first page
 */
public record SearchRequest(
    List<String> experimentNames, RunFilter filter, int maxResults, String pageToken) {
  /** Checks the arguments and copies the list. */
  public SearchRequest {
    experimentNames = List.copyOf(experimentNames);
    Objects.requireNonNull(filter, "filter");
    if (maxResults < 1) {
      throw new IllegalArgumentException("maxResults must be at least 1 but was " + maxResults);
    }
  }
}
