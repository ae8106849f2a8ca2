package dev.tracker.internal.delivery;

import dev.tracker.Metric;
import dev.tracker.spi.Batch;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Sends one batch as up to {@code n} requests in flight: its metrics split by key over the lanes
 * (all of a key's points in one lane, in their order), params and tags in lane 0. Keys are dealt
 * to the lanes largest first, each to the lane with the fewest points so far, so that the lanes
 * finish together: a batch is done only when its slowest lane is. Since {@link #send} returns only
 * when every lane of the batch is through, the next batch may deal a key to another lane without
 * reordering it. A lane that fails transiently is sent again on the next attempt, the lanes that
 * went through are not; the ops around a batch (run creation, artifacts, the end) wait for all its
 * lanes, since the uploader delivers op after op.
 */
final class Lanes implements AutoCloseable {
  /** Below this many metric points per lane, a batch goes whole. */
  static final int MIN_PER_LANE = 100;

  private final int n;
  private final ExecutorService pool;
  private List<Batch> pending; // the lanes of the batch in hand not yet delivered

  Lanes(int n) {
    this.n = n;
    AtomicInteger count = new AtomicInteger();
    this.pool = n <= 1 ? null : Executors.newFixedThreadPool(n - 1, r -> {
      Thread t = new Thread(r, "tracker-uploader-lane-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** The most requests in flight. */
  int count() {
    return n;
  }

  /** True when the batch goes in several requests. */
  boolean splits(Batch batch) {
    return pool != null && batch.metrics().size() >= 2 * MIN_PER_LANE;
  }

  /**
   * Sends what is left of {@code batch} (all its lanes the first time).
   *
   * @param report takes rejected records and permanent failures of single lanes, which are not
   *     retried
   * @throws DeliveryException the first transient failure of a lane; the next call sends the
   *     lanes that failed
   */
  void send(TrackingBackend backend, String runId, Batch batch, Consumer<Exception> report)
      throws IOException, InterruptedException {
    if (pending == null) {
      pending = split(batch);
    }
    List<Future<DeliveryException>> futures = new ArrayList<>();
    for (int i = 1; i < pending.size(); i++) {
      Batch lane = pending.get(i);
      futures.add(pool.submit(() -> attempt(backend, runId, lane)));
    }
    List<DeliveryException> results = new ArrayList<>();
    results.add(attempt(backend, runId, pending.get(0)));
    for (Future<DeliveryException> f : futures) {
      try {
        results.add(f.get());
      } catch (ExecutionException e) {
        results.add(DeliveryException.permanent(String.valueOf(e.getCause().getMessage()),
            e.getCause()));
      }
    }
    List<Batch> left = new ArrayList<>();
    DeliveryException retry = null;
    for (int i = 0; i < results.size(); i++) {
      DeliveryException d = results.get(i);
      if (d == null) {
        continue;
      }
      switch (d.kind()) {
        case REJECTED, PERMANENT -> report.accept(d);
        default -> {
          left.add(pending.get(i).skip(d.delivered()));
          retry = retry == null ? d : retry;
        }
      }
    }
    if (retry == null) {
      pending = null;
      return;
    }
    pending = left;
    throw DeliveryException.transientFailure(retry.getMessage(), retry,
        retry.retryAfter().orElse(null));
  }

  /** Forgets the batch in hand (the uploader moves on). */
  void reset() {
    pending = null;
  }

  /** Sends one lane; the failure, classified, or null when it went through. */
  private static DeliveryException attempt(TrackingBackend backend, String runId, Batch lane) {
    try {
      backend.logBatch(runId, lane);
      return null;
    } catch (DeliveryException e) {
      return e;
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
      return DeliveryException.transientFailure(e.getMessage(), e, null);
    } catch (IOException e) {
      return DeliveryException.transientFailure(e.getMessage(), e, null);
    } catch (RuntimeException e) {
      return DeliveryException.permanent(String.valueOf(e.getMessage()), e);
    }
  }

  private List<Batch> split(Batch batch) {
    int lanes = Math.min(n, batch.metrics().size() / MIN_PER_LANE);
    Map<String, List<Metric>> byKey = new LinkedHashMap<>();
    for (Metric m : batch.metrics()) {
      byKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m);
    }
    List<List<Metric>> keys = new ArrayList<>(byKey.values());
    keys.sort(Comparator.comparingInt((List<Metric> k) -> k.size()).reversed());
    List<List<Metric>> metrics = new ArrayList<>();
    for (int i = 0; i < lanes; i++) {
      metrics.add(new ArrayList<>(batch.metrics().size() / lanes + 16));
    }
    for (List<Metric> key : keys) {
      List<Metric> emptiest = metrics.get(0);
      for (List<Metric> lane : metrics) {
        if (lane.size() < emptiest.size()) {
          emptiest = lane;
        }
      }
      emptiest.addAll(key);
    }
    List<Batch> out = new ArrayList<>();
    for (int i = 0; i < lanes; i++) {
      if (i == 0 || !metrics.get(i).isEmpty()) {
        out.add(i == 0 ? new Batch(metrics.get(0), batch.params(), batch.tags())
            : Batch.ofMetrics(metrics.get(i)));
      }
    }
    return out;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
