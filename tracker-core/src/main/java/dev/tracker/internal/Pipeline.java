package dev.tracker.internal;

import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.TrackerException;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batching pipeline: a bounded queue per run, one daemon dispatcher thread per tracker that
 * hands the backend whole batches, when a batch is full or the flush interval has passed.
 *
 * <p>Modelled on OpenTelemetry's BatchSpanProcessor: the producer never does I/O, a full queue
 * makes the producer wait (nothing is dropped), {@link #flush()} returns a future completed by the
 * worker after the backend returned, and the worker catches everything but {@link
 * VirtualMachineError} and carries on. The backend is only ever called from the worker.
 */
public final class Pipeline {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  /** How often the worker looks at the queues while records are waiting. */
  private static final long BUSY_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final TrackingBackend backend;
  private final int batchSize;
  private final int queueCapacity;
  private final long intervalNanos;
  private final Thread worker;

  private final ConcurrentLinkedQueue<Channel> newChannels = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<CompletableFuture<FlushResult>> flushRequests =
      new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stopping = new AtomicBoolean();

  // worker-only state
  private final List<Channel> active = new ArrayList<>();
  private final Map<String, String> experimentIds = new HashMap<>();
  private long lastIntervalSend;
  private volatile boolean idle;
  private volatile boolean stopped;

  /**
   * Starts the worker thread.
   *
   * @param backend where batches go
   * @param batchSize the most records per {@code logBatch} call
   * @param queueCapacity the most records waiting per run before a producer waits
   * @param flushInterval the longest a record waits before it is sent
   */
  public Pipeline(TrackingBackend backend, int batchSize, int queueCapacity, Duration flushInterval) {
    this.backend = backend;
    this.batchSize = batchSize;
    this.queueCapacity = queueCapacity;
    this.intervalNanos = flushInterval.toNanos();
    this.lastIntervalSend = System.nanoTime();
    this.worker = new Thread(this::work, "tracker-dispatcher");
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /** Registers a run; the worker creates it in the backend before anything logged to it. */
  public Channel open(RunSpec spec) {
    Channel channel = new Channel(spec, queueCapacity);
    newChannels.add(channel);
    wake();
    return channel;
  }

  /**
   * Asks the worker to hand the backend everything queued before this call, then to flush the
   * backend. The future completes with how the records were made durable, or exceptionally with a
   * {@link TrackerException} carrying every backend failure since the last flush.
   */
  public CompletableFuture<FlushResult> flush() {
    CompletableFuture<FlushResult> f = new CompletableFuture<>();
    if (!worker.isAlive()) {
      f.completeExceptionally(new IllegalStateException("the tracker's dispatcher has stopped"));
      return f;
    }
    flushRequests.add(f);
    LockSupport.unpark(worker);
    return f;
  }

  /** Waits for {@link #flush()}, rethrowing its failure as a {@link TrackerException}. */
  public FlushResult awaitFlush(Duration timeout) {
    CompletableFuture<FlushResult> f = flush();
    try {
      return timeout == null ? f.get() : f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrackerException("interrupted while waiting for the flush", e);
    } catch (TimeoutException e) {
      throw new TrackerException("flush did not complete within " + timeout
          + "; records are still queued and will be sent", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new TrackerException("flush failed", cause);
    }
  }

  /**
   * Flushes, stops the worker and closes the backend. Safe to call twice.
   *
   * @throws TrackerException with every failure that was not yet reported
   */
  public void shutdown(Duration timeout) {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    List<Throwable> errors = new ArrayList<>();
    try {
      awaitFlush(timeout);
    } catch (RuntimeException e) {
      errors.add(e);
    }
    stopped = true;
    LockSupport.unpark(worker);
    try {
      worker.join(timeout == null ? 0 : Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      backend.close();
    } catch (Exception e) {
      errors.add(new TrackerException("closing " + backend.describe() + " failed", e));
    }
    throwIfAny(errors);
  }

  /** True once {@link #shutdown(Duration)} was called. */
  public boolean isStopping() {
    return stopping.get();
  }

  void wake() {
    if (idle) {
      LockSupport.unpark(worker);
    }
  }

  // ---------------------------------------------------------------------------------- worker

  private void work() {
    while (!stopped) {
      try {
        step();
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable t) {
        // The worker never dies: a bug here must not stop delivery of everything else.
        log.error("tracker dispatcher failed; continuing", t);
        failures.add(t);
      }
    }
  }

  /** One round of work: take new runs and flush requests, send what is due, then wait. */
  private void step() {
    List<CompletableFuture<FlushResult>> flushes = new ArrayList<>();
    CompletableFuture<FlushResult> f;
    while ((f = flushRequests.poll()) != null) {
      flushes.add(f);
    }
    // Runs registered before a flush request are in newChannels by now.
    Channel c;
    while ((c = newChannels.poll()) != null) {
      active.add(c);
    }
    long now = System.nanoTime();
    boolean due = now - lastIntervalSend >= intervalNanos;
    boolean force = due || !flushes.isEmpty();
    boolean pending = false;
    for (Iterator<Channel> it = active.iterator(); it.hasNext(); ) {
      Channel ch = it.next();
      process(ch, force);
      if (ch.ended && ch.queue.isEmpty()) {
        it.remove();
      } else if (!ch.queue.isEmpty()) {
        pending = true;
      }
    }
    if (due) {
      lastIntervalSend = now;
    }
    if (!flushes.isEmpty()) {
      completeFlushes(flushes);
    }
    if (flushRequests.isEmpty() && newChannels.isEmpty() && !stopped) {
      long untilDue = intervalNanos - (System.nanoTime() - lastIntervalSend);
      long park = pending ? Math.min(BUSY_POLL_NANOS, untilDue) : untilDue;
      if (park > 0) {
        idle = !pending;
        LockSupport.parkNanos(this, park);
        idle = false;
      }
    }
  }

  private void completeFlushes(List<CompletableFuture<FlushResult>> flushes) {
    FlushResult outcome = FlushResult.DELIVERED;
    try {
      outcome = backend.flush();
    } catch (Exception e) {
      failures.add(e);
    }
    List<Throwable> errors = new ArrayList<>();
    Throwable t;
    while ((t = failures.poll()) != null) {
      errors.add(t);
    }
    if (errors.isEmpty()) {
      for (CompletableFuture<FlushResult> fut : flushes) {
        fut.complete(outcome);
      }
    } else {
      TrackerException e = combine(errors);
      for (CompletableFuture<FlushResult> fut : flushes) {
        fut.completeExceptionally(e);
      }
    }
  }

  /**
   * Sends what a channel holds: full batches always; the rest too when forced (interval passed,
   * flush asked). Control items (artifacts, end) go in order, after the records before them.
   */
  private void process(Channel ch, boolean force) {
    if (!ch.created) {
      ch.created = true;
      create(ch);
    }
    int available = ch.queue.size();
    int toTake = force ? available : (available / batchSize) * batchSize;
    if (toTake == 0) {
      return;
    }
    List<Object> items = new ArrayList<>(Math.min(toTake, batchSize));
    BatchBuilder batch = new BatchBuilder();
    while (toTake > 0) {
      items.clear();
      int n = ch.queue.drainTo(items, Math.min(toTake, batchSize));
      if (n == 0) {
        break;
      }
      toTake -= n;
      for (Object item : items) {
        if (item instanceof Metric m) {
          batch.metrics.add(m);
        } else if (item instanceof Param p) {
          batch.params.add(p);
        } else if (item instanceof Tag t) {
          batch.tags.add(t);
        } else {
          batch = send(ch, batch);
          control(ch, item);
        }
        if (batch.size() >= batchSize) {
          batch = send(ch, batch);
        }
      }
    }
    send(ch, batch);
  }

  private void create(Channel ch) {
    RunSpec spec = ch.spec;
    try {
      String experimentId = experimentIds.get(spec.experimentName());
      if (experimentId == null) {
        experimentId = backend.createExperiment(spec.experimentName());
        experimentIds.put(spec.experimentName(), experimentId);
      }
      backend.createRun(new RunSpec(spec.runId(), experimentId, spec.experimentName(),
          spec.runName(), spec.startTime(), spec.tags(), spec.parentRunId(), spec.resume()));
    } catch (Exception e) {
      fail("creating run " + spec.runId() + " in experiment '" + spec.experimentName() + "'", e);
    }
  }

  private BatchBuilder send(Channel ch, BatchBuilder batch) {
    if (batch.size() == 0) {
      return batch;
    }
    try {
      backend.logBatch(ch.spec.runId(), batch.build());
      log.debug("sent {} records of run {}", batch.size(), ch.spec.runId());
    } catch (Exception e) {
      fail("logging " + batch.describe() + " to run " + ch.spec.runId(), e);
    }
    return new BatchBuilder();
  }

  private void control(Channel ch, Object item) {
    String runId = ch.spec.runId();
    try {
      if (item instanceof ArtifactItem a) {
        if (Files.isDirectory(a.file)) {
          logDirectory(runId, a.file, a.artifactPath);
        } else {
          backend.logArtifact(runId, a.file, a.artifactPath);
        }
      } else if (item instanceof BytesItem b) {
        backend.logArtifact(runId, b.content, b.artifactPath);
      } else if (item instanceof EndItem e) {
        ch.ended = true;
        backend.endRun(runId, e.status, e.endTime);
      } else {
        throw new IllegalStateException("unknown queue item " + item.getClass());
      }
    } catch (Exception e) {
      fail(describe(item) + " of run " + runId, e);
    }
  }

  private void logDirectory(String runId, Path dir, String artifactPath) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path file : files) {
      String rel = dir.relativize(file).toString().replace('\\', '/');
      backend.logArtifact(runId, file, artifactPath == null ? rel : artifactPath + "/" + rel);
    }
  }

  private static String describe(Object item) {
    if (item instanceof ArtifactItem a) {
      return "storing artifact '" + a.artifactPath + "' from " + a.file;
    } else if (item instanceof BytesItem b) {
      return "storing artifact '" + b.artifactPath + "'";
    } else if (item instanceof EndItem e) {
      return "ending with status " + e.status;
    }
    return String.valueOf(item);
  }

  private void fail(String what, Exception e) {
    log.warn("{} failed on {}: {}", what, backend.describe(), e.toString());
    failures.add(new TrackerException(what + " failed on " + backend.describe() + ": "
        + e.getMessage(), e));
  }

  private static TrackerException combine(List<Throwable> errors) {
    Throwable first = errors.get(0);
    TrackerException out;
    if (errors.size() == 1 && first instanceof TrackerException te) {
      out = te;
    } else {
      out = new TrackerException(errors.size() == 1 ? first.getMessage()
          : errors.size() + " backend operations failed; the first: " + first.getMessage(), first);
      for (Throwable t : errors.subList(1, errors.size())) {
        out.addSuppressed(t);
      }
    }
    return out;
  }

  static void throwIfAny(List<Throwable> errors) {
    if (errors.isEmpty()) {
      return;
    }
    Throwable first = errors.get(0);
    RuntimeException out = first instanceof RuntimeException re ? re
        : new TrackerException(first.getMessage(), first);
    for (Throwable t : errors.subList(1, errors.size())) {
      if (t != out) {
        out.addSuppressed(t);
      }
    }
    throw out;
  }

  // ---------------------------------------------------------------------------------- items

  /** The queue of one run. Producers put records and control items; the worker drains. */
  public final class Channel {
    final RunSpec spec;
    final ArrayBlockingQueue<Object> queue;
    boolean created; // worker-only
    boolean ended; // worker-only

    Channel(RunSpec spec, int capacity) {
      this.spec = spec;
      this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /**
     * Queues an item, waiting while the queue is full (back-pressure: nothing is dropped).
     *
     * @throws IllegalStateException when interrupted while waiting; the flag is restored
     */
    public void put(Object item) {
      if (queue.offer(item)) {
        wake();
        return;
      }
      LockSupport.unpark(worker);
      try {
        queue.put(item);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for room in the queue of run "
            + spec.runId() + "; the record was not logged", e);
      }
    }

    /** Queues an artifact file (or directory) to store under {@code artifactPath}. */
    public void artifact(Path file, String artifactPath) {
      put(new ArtifactItem(file, artifactPath));
    }

    /** Queues bytes to store as the artifact {@code artifactPath}. */
    public void artifact(byte[] content, String artifactPath) {
      put(new BytesItem(content, artifactPath));
    }

    /** Queues the end of the run; the worker sends it straight away. */
    public void end(RunStatus status, long endTime) {
      put(new EndItem(status, endTime));
      LockSupport.unpark(worker);
    }
  }

  private record ArtifactItem(Path file, String artifactPath) {}

  private record BytesItem(byte[] content, String artifactPath) {}

  private record EndItem(RunStatus status, long endTime) {}

  private static final class BatchBuilder {
    final List<Metric> metrics = new ArrayList<>();
    final List<Param> params = new ArrayList<>();
    final List<Tag> tags = new ArrayList<>();

    int size() {
      return metrics.size() + params.size() + tags.size();
    }

    Batch build() {
      return new Batch(metrics, params, tags);
    }

    String describe() {
      return metrics.size() + " metrics, " + params.size() + " params and " + tags.size() + " tags";
    }
  }
}
