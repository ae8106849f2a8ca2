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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
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
 *
 * <p>Metrics, the hot path, do not go through the queue one by one: each logging thread fills a
 * chunk of its own (a batch: no shared write, no lock, no atomic instruction per metric) and
 * queues the whole chunk when it is full. The worker hands a full chunk to the backend as it is,
 * and takes what sits in unfinished chunks when it must (interval, flush, end of the run). Params,
 * tags and control items (artifacts, end) are queued one by one; a thread queues its own
 * unfinished chunk before its control item, so they stay in order.
 */
public final class Pipeline {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  private final TrackingBackend backend;
  private final int batchSize;
  private final long intervalNanos;
  private final int chunkSize;
  private final int queueSlots;
  private final long wakeMask;
  private final Runnable wakeWorker = this::wake;
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
  private volatile boolean parked; // the worker sleeps (or is about to): producers may wake it
  private volatile boolean stopped;

  /**
   * Starts the worker thread.
   *
   * @param backend where batches go
   * @param batchSize the most records per {@code logBatch} call
   * @param queueCapacity the most records waiting per run before a producer waits (plus, with
   *     several threads logging into one run, up to one batch per thread)
   * @param flushInterval the longest a record waits before it is sent
   */
  public Pipeline(TrackingBackend backend, int batchSize, int queueCapacity, Duration flushInterval) {
    this.backend = backend;
    this.batchSize = batchSize;
    this.intervalNanos = flushInterval.toNanos();
    // A thread's chunk is a batch, or half the queue when the queue holds less than two batches.
    this.chunkSize = Math.max(1, Math.min(batchSize, queueCapacity / 2));
    // The queue holds chunks and single items: with one chunk being filled, at most capacity.
    this.queueSlots = Math.max(1, queueCapacity / chunkSize - 1);
    // Producers wake a sleeping worker when a quarter of the queue has filled: a wake-up costs
    // microseconds, and the worker, once awake, takes everything queued.
    this.wakeMask = Long.highestOneBit(Math.max(1, queueSlots / 4)) - 1;
    this.lastIntervalSend = System.nanoTime();
    this.worker = new Thread(this::work, "tracker-dispatcher");
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /** Registers a run; the worker creates it in the backend before anything logged to it. */
  public Channel open(RunSpec spec) {
    Channel channel = new Channel(spec, queueSlots);
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
    if (parked) {
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
    List<CompletableFuture<FlushResult>> flushes = List.of(); // allocated only when asked
    CompletableFuture<FlushResult> f;
    while ((f = flushRequests.poll()) != null) {
      if (flushes.isEmpty()) {
        flushes = new ArrayList<>();
      }
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
    for (int i = 0; i < active.size(); i++) {
      Channel ch = active.get(i);
      process(ch, force);
      if (ch.ended && ch.queue.isEmpty() && ch.lanesTaken()) {
        active.remove(i--);
      }
    }
    if (due) {
      lastIntervalSend = now;
    }
    if (!flushes.isEmpty()) {
      completeFlushes(flushes);
    }
    if (flushRequests.isEmpty() && newChannels.isEmpty() && !stopped) {
      long park = intervalNanos - (System.nanoTime() - lastIntervalSend);
      if (park > 0) {
        parked = true;
        // Producers look at `parked` after adding: after setting it, look for work that a
        // producer added without seeing it, so that no wake-up is missed.
        if (!hasWork()) {
          LockSupport.parkNanos(this, park);
        }
        parked = false;
      }
    }
  }

  private boolean hasWork() {
    for (int i = 0; i < active.size(); i++) {
      if (!active.get(i).queue.isEmpty()) {
        return true;
      }
    }
    return false;
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
   * Sends what a channel holds. Always what its queue holds: full chunks of metrics, params,
   * tags and control items. When forced (interval passed, flush asked): also what the logging
   * threads' unfinished chunks hold. Control items (artifacts, end) go after the records logged
   * before them.
   */
  private void process(Channel ch, boolean force) {
    if (!ch.created) {
      ch.created = true;
      create(ch);
    }
    // What every thread had logged when we look now, to take after the queue (read first: a
    // chunk queued before this look is in the queue when we drain it below).
    Chunk[] unfinished = force ? ch.currentChunks() : null;
    BatchBuilder batch = new BatchBuilder();
    int n = ch.queue.size();
    for (int i = 0; i < n; i++) {
      Object item = ch.queue.poll();
      if (item == null) {
        break;
      }
      if (item instanceof Chunk c) {
        take(ch, batch, c, c.count);
        c.lane.expected = c.seq + 1;
      } else if (item instanceof Param p) {
        batch.params.add(p);
      } else if (item instanceof Tag t) {
        batch.tags.add(t);
      } else {
        // what other threads logged before this item and hold in their chunks goes first
        Chunk[] current = ch.currentChunks();
        for (Chunk c : current) {
          takeIfNext(ch, batch, c);
        }
        send(ch, batch);
        control(ch, item);
      }
      if (batch.size() >= batchSize) {
        send(ch, batch);
      }
    }
    ch.queue.signalWaiters(true);
    if (unfinished != null) {
      for (Chunk c : unfinished) {
        takeIfNext(ch, batch, c);
      }
    }
    send(ch, batch);
  }

  /** Takes what chunk {@code c} holds when every earlier chunk of its thread was taken. */
  private void takeIfNext(Channel ch, BatchBuilder batch, Chunk c) {
    if (c.lane.expected == c.seq) {
      take(ch, batch, c, c.count);
    }
  }

  /** Adds a chunk's metrics from what was taken before up to {@code end} to the batch. */
  private void take(Channel ch, BatchBuilder batch, Chunk c, int end) {
    int from = c.taken;
    if (from >= end) {
      return;
    }
    c.taken = end;
    if (from == 0 && end == c.items.length && end >= batchSize) {
      // a whole chunk is a whole batch: hand it over as it is, without copying
      send(ch, batch);
      batch.metricsChunk = c.items;
      send(ch, batch);
      return;
    }
    while (from < end) {
      int k = batch.add(c.items, from, end, batchSize);
      from += k;
      if (batch.size() >= batchSize) {
        send(ch, batch);
      }
    }
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

  /** Hands the batch to the backend, unless it is empty, and empties it. */
  private void send(Channel ch, BatchBuilder batch) {
    if (batch.size() == 0) {
      return;
    }
    Batch b = batch.build();
    try {
      backend.logBatch(ch.spec.runId(), b);
      log.debug("sent {} records of run {}", b.size(), ch.spec.runId());
    } catch (Exception e) {
      fail("logging " + BatchBuilder.describe(b) + " to run " + ch.spec.runId(), e);
    }
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
    for (ArtifactDirectory.Entry e : ArtifactDirectory.files(dir)) {
      String rel = e.relativePath();
      backend.logArtifact(runId, e.file(), artifactPath == null ? rel : artifactPath + "/" + rel);
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

  /**
   * The queue of one run. Logging threads fill chunks of metrics and queue them, and queue
   * params, tags and control items; the worker drains.
   */
  public final class Channel {
    final RunSpec spec;
    final RecordQueue queue;
    // each thread's chunk; a Lane must not refer to the channel (the thread's map keeps it)
    private final ThreadLocal<Lane> lanes = new ThreadLocal<>();
    private final CopyOnWriteArrayList<Lane> allLanes = new CopyOnWriteArrayList<>();
    boolean created; // worker-only
    boolean ended; // worker-only

    Channel(RunSpec spec, int slots) {
      this.spec = spec;
      this.queue = new RecordQueue(slots);
    }

    /**
     * Queues a record, waiting while the queue is full (back-pressure: nothing is dropped).
     *
     * @throws IllegalStateException when interrupted while waiting; the flag is restored
     */
    public void put(Object item) {
      if (item instanceof Metric m) {
        putMetric(m);
      } else {
        enqueue(item, true);
      }
    }

    private void putMetric(Metric m) {
      Lane lane = lanes.get();
      if (lane == null) {
        lane = newLane();
      }
      Chunk c = lane.current;
      int n = c.count;
      if (n == c.items.length) { // queueing it was interrupted before: try again
        publish(lane, c, true);
        c = lane.current;
        n = 0;
      }
      c.items[n] = m;
      Chunk.COUNT.setRelease(c, n + 1); // the worker may take the chunk's records before it is full
      if (n + 1 == c.items.length) {
        publish(lane, c, false); // the metric is in: an interrupt only delays queueing the chunk
      }
    }

    /** Queues a thread's chunk (full, or before a control item) and starts its next. */
    private void publish(Lane lane, Chunk c, boolean throwIfInterrupted) {
      if (enqueue(c, throwIfInterrupted)) {
        lane.current = new Chunk(lane, c.seq + 1, chunkSize);
      }
    }

    /** Queues this thread's unfinished chunk, so that what it logged goes before what follows. */
    private void publishOwnChunk() {
      Lane lane = lanes.get();
      if (lane != null && lane.current.count > 0) {
        publish(lane, lane.current, true);
      }
    }

    /** Queues an item; false when interrupted while waiting and told not to throw. */
    private boolean enqueue(Object item, boolean throwIfInterrupted) {
      long position = queue.offer(item);
      if (position >= 0) {
        // Wake a sleeping worker for every few chunks, and for any other item (they are few).
        // Otherwise the worker comes when the interval has passed, at a flush, or when the queue
        // is full (below).
        if (parked && ((position & wakeMask) == 0 || !(item instanceof Chunk))) {
          LockSupport.unpark(worker);
        }
        return true;
      }
      try {
        queue.put(item, wakeWorker);
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (!throwIfInterrupted) {
          return false;
        }
        throw new IllegalStateException("interrupted while waiting for room in the queue of run "
            + spec.runId() + "; the record was not logged", e);
      }
    }

    /** Queues an artifact file (or directory) to store under {@code artifactPath}. */
    public void artifact(Path file, String artifactPath) {
      publishOwnChunk();
      enqueue(new ArtifactItem(file, artifactPath), true);
    }

    /** Queues bytes to store as the artifact {@code artifactPath}. */
    public void artifact(byte[] content, String artifactPath) {
      publishOwnChunk();
      enqueue(new BytesItem(content, artifactPath), true);
    }

    /** Queues the end of the run; the worker sends it straight away. */
    public void end(RunStatus status, long endTime) {
      publishOwnChunk();
      enqueue(new EndItem(status, endTime), true);
      LockSupport.unpark(worker);
    }

    private Lane newLane() {
      Lane lane = new Lane(chunkSize);
      allLanes.add(lane);
      lanes.set(lane);
      return lane;
    }

    /** Every thread's current chunk. Worker only. */
    Chunk[] currentChunks() {
      Object[] all = allLanes.toArray();
      Chunk[] out = new Chunk[all.length];
      for (int i = 0; i < all.length; i++) {
        out[i] = ((Lane) all[i]).current;
      }
      return out;
    }

    /** True when the worker took every metric of every thread. Worker only. */
    boolean lanesTaken() {
      for (Lane lane : allLanes) {
        Chunk c = lane.current;
        if (c.seq != lane.expected || c.taken != c.count) {
          return false;
        }
      }
      return true;
    }
  }

  /** One thread's chunks of one run. */
  static final class Lane {
    volatile Chunk current; // written by its thread
    long expected; // worker-only: the seq of the next chunk to take from the queue

    Lane(int chunkSize) {
      current = new Chunk(this, 0, chunkSize);
    }
  }

  /**
   * Metrics logged by one thread. Its thread writes {@code items[count]} then publishes {@code
   * count}; the worker may take {@code items[taken..count)} at any time.
   */
  static final class Chunk {
    static final VarHandle COUNT;

    static {
      try {
        COUNT = MethodHandles.lookup().findVarHandle(Chunk.class, "count", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final Lane lane;
    final long seq;
    final Metric[] items;
    volatile int count;
    int taken; // worker-only

    Chunk(Lane lane, long seq, int size) {
      this.lane = lane;
      this.seq = seq;
      this.items = new Metric[size];
    }
  }

  private record ArtifactItem(Path file, String artifactPath) {}

  private record BytesItem(byte[] content, String artifactPath) {}

  private record EndItem(RunStatus status, long endTime) {}

  /** The batch being built; reused, {@link #build()} hands over its content and empties it. */
  private static final class BatchBuilder {
    Metric[] metricsChunk; // a whole chunk handed over as it is
    private Metric[] metrics;
    private int metricCount;
    final List<Param> params = new ArrayList<>();
    final List<Tag> tags = new ArrayList<>();

    int size() {
      return (metricsChunk != null ? metricsChunk.length : metricCount) + params.size()
          + tags.size();
    }

    /** Adds {@code items[from..end)} up to a batch of {@code batchSize}; returns how many. */
    int add(Metric[] items, int from, int end, int batchSize) {
      if (metrics == null) {
        metrics = new Metric[batchSize];
      }
      int k = Math.min(end - from, Math.max(0, batchSize - size()));
      if (k == 0) {
        return 0;
      }
      System.arraycopy(items, from, metrics, metricCount, k);
      metricCount += k;
      return k;
    }

    Batch build() {
      List<Metric> m;
      if (metricsChunk != null) {
        m = Arrays.asList(metricsChunk);
        metricsChunk = null;
      } else if (metricCount == 0) {
        m = List.of();
      } else if (metricCount == metrics.length) {
        m = Arrays.asList(metrics); // handed over: the next batch gets a new array
        metrics = null;
        metricCount = 0;
      } else {
        m = Arrays.asList(Arrays.copyOf(metrics, metricCount)); // `metrics` is reused
        metricCount = 0;
      }
      Batch b = new Batch(m, params.isEmpty() ? List.of() : List.copyOf(params),
          tags.isEmpty() ? List.of() : List.copyOf(tags));
      params.clear();
      tags.clear();
      return b;
    }

    static String describe(Batch b) {
      return b.metrics().size() + " metrics, " + b.params().size() + " params and "
          + b.tags().size() + " tags";
    }
  }
}
