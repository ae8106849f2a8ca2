package dev.tracker;

import dev.tracker.spi.RunFilter;
import dev.tracker.spi.SearchPage;
import dev.tracker.spi.SearchRequest;
import dev.tracker.spi.Secrets;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A search for runs, in MLflow's {@code search_runs} syntax: immutable, each method returns a new
 * query. The filter and order are checked when given, so a mistake fails at that line; the search
 * runs at {@link #list()}, {@link #stream()} or {@link #first()}.
 *
 * <pre>{@code
 * List<RunSummary> best = tracker.runs()
 *     .experiment("iris")
 *     .filter("metrics.accuracy > 0.9 and params.lr = '0.1' and attributes.status = 'FINISHED'")
 *     .orderBy("metrics.accuracy DESC")
 *     .limit(5)
 *     .list();
 * best.forEach(r -> System.out.println(r.info().name() + " " + r.metrics().get("accuracy")));
 * }</pre>
 *
 * <p>The file backend evaluates the filter itself; an MLflow server evaluates the same string
 * ({@code runs/search}); the results agree. See {@link RunFilter} for the grammar and its
 * semantics: latest metric values, a run without the key never matches ({@code !=} included),
 * NaN matches nothing, runs without the order key come last. Reading runs on the caller's thread
 * and never waits for the tracker's logging.
 */
public final class RunQuery {
  /** The most runs asked of the backend per page. */
  public static final int DEFAULT_PAGE_SIZE = 1000;

  private final TrackingBackend backend;
  private final Runnable checkOpen;
  private final List<String> experiments;
  private final RunFilter filter;
  private final int limit;

  private RunQuery(TrackingBackend backend, Runnable checkOpen, List<String> experiments,
      RunFilter filter, int limit) {
    this.backend = backend;
    this.checkOpen = checkOpen;
    this.experiments = experiments;
    this.filter = filter;
    this.limit = limit;
  }

  /**
   * A query straight over a backend, for tools that only read (the {@code tracker} command);
   * applications use {@link Tracker#runs()}. The query does not close the backend.
   */
  public static RunQuery of(TrackingBackend backend) {
    return of(Objects.requireNonNull(backend, "backend"), () -> { });
  }

  static RunQuery of(TrackingBackend backend, Runnable checkOpen) {
    return new RunQuery(backend, checkOpen, List.of(), RunFilter.ALL, Integer.MAX_VALUE);
  }

  /**
   * Searches these experiments, by name; without this call, every experiment. An experiment
   * that does not exist yet has no runs.
   *
   * @throws IllegalArgumentException when no name is given or a name is null or blank
   */
  public RunQuery experiment(String... names) {
    if (names == null || names.length == 0) {
      throw new IllegalArgumentException("experiment needs at least one name");
    }
    for (String n : names) {
      if (n == null || n.isBlank()) {
        throw new IllegalArgumentException("experiment name must not be null or blank but was "
            + (n == null ? "null" : "'" + n + "'"));
      }
    }
    return new RunQuery(backend, checkOpen, List.copyOf(Arrays.asList(names)), filter, limit);
  }

  /**
   * Keeps the runs that pass {@code filter}, such as {@code metrics.accuracy > 0.9 and
   * params.lr = '0.1'}; replaces any filter given before.
   *
   * @throws IllegalArgumentException naming the token and its position when the filter is not
   *     MLflow's syntax
   */
  public RunQuery filter(String filter) {
    return new RunQuery(backend, checkOpen, experiments,
        RunFilter.parse(filter, this.filter.orderBy()), limit);
  }

  /**
   * Orders the runs by these clauses, such as {@code "metrics.accuracy DESC"}, {@code
   * "params.lr"}; replaces any order given before. Ties go newest first.
   *
   * @throws IllegalArgumentException naming the token and its position when a clause is wrong
   *     or null; when {@code clauses} is null
   */
  public RunQuery orderBy(String... clauses) {
    if (clauses == null) {
      throw new IllegalArgumentException("orderBy needs clauses but was given null; call"
          + " orderBy() for the default order");
    }
    return new RunQuery(backend, checkOpen, experiments,
        RunFilter.parse(filter.filter(), Arrays.asList(clauses)), limit);
  }

  /**
   * Returns at most {@code max} runs.
   *
   * @throws IllegalArgumentException when {@code max} is less than 1
   */
  public RunQuery limit(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("limit must be at least 1 but was " + max);
    }
    return new RunQuery(backend, checkOpen, experiments, filter, max);
  }

  /**
   * The runs found, in order.
   *
   * @throws TrackerException when the backend fails
   * @throws IllegalStateException when the tracker is closed
   */
  public List<RunSummary> list() {
    List<RunSummary> out = new ArrayList<>();
    stream().forEach(out::add);
    return List.copyOf(out);
  }

  /**
   * The runs found, in order, fetched a page at a time as the stream is consumed.
   *
   * @throws TrackerException (from the stream's terminal operation) when the backend fails
   */
  public Stream<RunSummary> stream() {
    checkOpen.run();
    Iterator<RunSummary> pages = new Pages();
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages,
        Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  /** The first run found, or empty. */
  public Optional<RunSummary> first() {
    return limit(1).stream().findFirst();
  }

  @Override
  public String toString() {
    return "RunQuery{experiments=" + experiments + ", filter=" + filter.filter() + ", orderBy="
        + filter.orderBy() + (limit == Integer.MAX_VALUE ? "" : ", limit=" + limit) + "}";
  }

  /** The runs of every page, up to the limit. */
  private final class Pages implements Iterator<RunSummary> {
    private Iterator<RunSummary> page = List.<RunSummary>of().iterator();
    private String token;
    private boolean last;
    private int returned;

    @Override
    public boolean hasNext() {
      while (!page.hasNext() && !last && returned < limit) {
        SearchPage p = fetch();
        page = p.runs().iterator();
        token = p.nextPageToken();
        last = token == null;
      }
      return page.hasNext() && returned < limit;
    }

    @Override
    public RunSummary next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      returned++;
      return page.next();
    }

    private SearchPage fetch() {
      checkOpen.run();
      SearchRequest request = new SearchRequest(experiments, filter,
          Math.min(DEFAULT_PAGE_SIZE, limit - returned), token);
      try {
        return Objects.requireNonNull(backend.searchRuns(request), "searchRuns");
      } catch (IOException | UncheckedIOException e) {
        throw new TrackerException("cannot search runs in " + backend.describe() + ": "
            + Secrets.redact(String.valueOf(e.getMessage())), e);
      }
    }
  }
}
