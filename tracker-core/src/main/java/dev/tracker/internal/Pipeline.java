package dev.tracker.internal;

import dev.tracker.Backlog;
import dev.tracker.FlushResult;
import dev.tracker.TrackerException;
import dev.tracker.internal.delivery.JournalSink;
import dev.tracker.internal.delivery.Sink;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batching pipeline: a bounded queue per run, one daemon dispatcher thread per tracker that
 * hands a {@link Sink} whole batches, when a batch is full or the flush interval has passed: a
 * local backend writes them at once, a remote one gets them through the journal and its
 * uploader.
 *
 * <p>Modelled on OpenTelemetry's BatchSpanProcessor: the producer never does I/O, a full queue
 * makes the producer wait (nothing is dropped), {@link #flush()} returns a future completed by the
 * worker after the backend returned, and the worker catches everything but {@link
 * VirtualMachineError} and carries on. The sink is only ever called from the worker.
 *
 * <p>Metrics, the hot path, do not go through the queue one by one: each logging thread fills a
 * chunk of its own (a batch: no shared write, no lock, no atomic instruction per metric) and
 * queues the whole chunk when it is full. The worker hands a full chunk to the backend as it is,
 * and takes what sits in unfinished chunks when it must (interval, flush, end of the run). Params,
 * tags and control items (artifacts, inputs, end) are queued one by one; a thread queues its own
 * unfinished chunk before its control item, so they stay in order.
 */
public final class Pipeline {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  /**
   * How often the worker hands over what unfinished chunks hold while the sink is {@link
   * Sink#caughtUp() caught up}: a remote server then gets a loop's records within about this
   * long, so a run's close finds at most this much left to send, not up to a flush interval's.
   */
  static final Duration EAGER_INTERVAL = Duration.ofMillis(100);
  private static final long EAGER_NANOS = EAGER_INTERVAL.toNanos();

  private final Sink sink;
  private final String target;
  private final int batchSize;
  private final long intervalNanos;
  private final boolean eager; // the sink may be caught up: look every EAGER_INTERVAL
  private final int chunkSize;
  private final int queueSlots;
  private final long wakeMask;
  final Runnable wakeWorker = this::wake;
  private final Thread worker;
  private final DatasetDigests digests = new DatasetDigests(); // worker-only

  private final ConcurrentLinkedQueue<Channel> newChannels = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<CompletableFuture<Sink.Durable>> flushRequests =
      new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  // who closes the sink: the closing thread once the worker ended, or, when the worker was still
  // writing at the close deadline, the worker once it has written what is queued
  private static final int RUNNING = 0;
  private static final int WORKER_ENDED = 1;
  private static final int HANDED_OVER = 2;
  private final AtomicInteger ending = new AtomicInteger(RUNNING);

  // worker-only state
  private final List<Channel> active = new ArrayList<>();
  private long lastIntervalSend;
  private volatile boolean parked; // the worker sleeps (or is about to): producers may wake it
  private volatile boolean stopped;

  /**
   * Starts the worker thread.
   *
   * @param sink where batches go
   * @param target the backend's description, for messages
   * @param batchSize the most records per {@code logBatch} call
   * @param queueCapacity the most records waiting per run before a producer waits (plus, with
   *     several threads logging into one run, up to one batch per thread)
   * @param flushInterval the longest a record waits before it is sent
   */
  public Pipeline(Sink sink, String target, int batchSize, int queueCapacity,
      Duration flushInterval) {
    this.sink = sink;
    this.target = target;
    this.batchSize = batchSize;
    this.intervalNanos = Waits.nanos(flushInterval);
    this.eager = sink instanceof JournalSink;
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
    Channel channel = new Channel(this, spec, queueSlots, chunkSize);
    newChannels.add(channel);
    wake();
    return channel;
  }

  /**
   * Asks the worker to hand the sink everything queued before this call, then to make it
   * durable. The future completes with where delivery stands, or exceptionally with a {@link
   * TrackerException} carrying every failure since the last flush.
   */
  public CompletableFuture<Sink.Durable> flush() {
    CompletableFuture<Sink.Durable> f = new CompletableFuture<>();
    if (!worker.isAlive()) {
      f.completeExceptionally(new IllegalStateException("the tracker's dispatcher has stopped"));
      return f;
    }
    flushRequests.add(f);
    LockSupport.unpark(worker);
    return f;
  }

  /**
   * Flushes and waits: until what was logged before is durable (written, or in the journal),
   * then for its delivery until the timeout, or {@link Waits#PLAIN_FLUSH_WAIT} when the timeout
   * is null. Rethrows failures as a {@link TrackerException}.
   *
   * @throws IllegalArgumentException when the timeout is negative
   */
  public FlushResult awaitFlush(Duration timeout) {
    if (timeout != null && timeout.isNegative()) {
      throw new IllegalArgumentException("flush timeout must not be negative but was " + timeout);
    }
    long start = System.nanoTime();
    long deadline = start + Waits.nanos(timeout == null ? Waits.PLAIN_FLUSH_WAIT : timeout);
    List<Throwable> errors = new ArrayList<>();
    FlushResult result = FlushResult.SPOOLED;
    try {
      Sink.Durable durable = durable(flush(), timeout, Waits.writingDeadline(start, deadline));
      result = sink.awaitDelivered(durable, deadline);
    } catch (RuntimeException e) {
      errors.add(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      errors.add(new TrackerException("interrupted while waiting for the flush", e));
    }
    errors.addAll(sink.takeFailures());
    Failures.throwIfAny(errors);
    return result;
  }

  // Without a timeout, durability may take as long as the disk does, but past the deadline not
  // while the sink waits on the server for room: a plain flush never waits on a server for long.
  private Sink.Durable durable(CompletableFuture<Sink.Durable> f, Duration timeout,
      long deadline) throws InterruptedException {
    try {
      while (true) {
        try {
          return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          Optional<String> full = sink.waitingForRoom();
          if (timeout != null) {
            throw new TrackerException("flush did not complete within " + timeout + ": the"
                + " dispatcher is still writing to " + target + "; records are still queued and"
                + " will be written", e);
          } else if (full.isPresent()) {
            throw new TrackerException("flush could not make what was logged before it durable: "
                + full.get() + "; they wait in memory until the uploader has delivered some, and"
                + " are lost if the process ends before", e);
          }
          deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new TrackerException("flush failed", cause);
    }
  }

  /**
   * Flushes, waits for delivery until the timeout, stops the worker and closes the sink (and
   * the backend). Safe to call twice. When the worker is still writing at the timeout (a flush
   * that did not complete), it writes what is queued and closes the sink after this returned.
   *
   * @return what was left undelivered (it stays in the journal)
   * @throws TrackerException with every failure that was not yet reported
   */
  public Backlog shutdown(Duration timeout) {
    if (!stopping.compareAndSet(false, true)) {
      return sink.backlog();
    }
    long start = System.nanoTime();
    long deadline = start + (timeout == null ? Waits.MAX_WAIT_NANOS : Waits.nanos(timeout));
    List<Throwable> errors = new ArrayList<>();
    // An interrupt does not cut a close short: what is queued would be lost with the process,
    // and every wait here is bounded anyway. The flag is restored when it returns.
    boolean interrupted = Thread.interrupted();
    try {
      CompletableFuture<Sink.Durable> flushed = flush();
      while (true) {
        try {
          durable(flushed, timeout, Waits.writingDeadline(start, deadline));
          break;
        } catch (RuntimeException e) {
          errors.add(e);
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      stopped = true;
      LockSupport.unpark(worker);
      while (true) {
        try {
          worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      Backlog left = sink.backlog();
      // closing the sink under a worker still writing would pull the journal or the files from
      // under it and lose what it writes: it writes what is queued, then closes the sink itself
      if (!ending.compareAndSet(RUNNING, HANDED_OVER)) {
        try {
          left = sink.close(deadline);
        } catch (Exception e) {
          errors.add(new TrackerException("closing " + target + " failed", e));
        }
      }
      errors.addAll(sink.takeFailures());
      Throwable t;
      while ((t = failures.poll()) != null) {
        errors.add(t);
      }
      Failures.throwIfAny(errors);
      return left;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Waits up to {@code timeout} for the worker to end (after {@link #shutdown}, once it has
   * written what was queued and, when the close was handed over to it, closed the sink).
   *
   * @return true when it has ended
   */
  public boolean awaitWorkerEnd(Duration timeout) throws InterruptedException {
    worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Waits.nanos(timeout))));
    return !worker.isAlive();
  }

  /** What waits undelivered in the journal now. */
  public Backlog backlog() {
    return sink.backlog();
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

  void unparkWorker() {
    LockSupport.unpark(worker);
  }

  /**
   * A producer queued an item at {@code position}: wake a sleeping worker for every few chunks,
   * and for any other item (they are few). Otherwise the worker comes when the interval has
   * passed, at a flush, or when the queue is full.
   */
  void queued(long position, Item item) {
    if (parked && ((position & wakeMask) == 0 || !(item instanceof Chunk))) {
      LockSupport.unpark(worker);
    }
  }

  // ---------------------------------------------------------------------------------- worker

  private void work() {
    try {
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
    } finally {
      // ended, even by a VirtualMachineError: then the closing thread closes the sink
      if (!ending.compareAndSet(RUNNING, WORKER_ENDED)) {
        finishAfterClose();
      }
    }
  }

  /**
   * The close timed out while the worker was writing: writes what is queued (the close's flush
   * among it), then closes the sink; what was not delivered stays in the journal. Nobody waits
   * for this any more, so what goes wrong is logged.
   */
  private void finishAfterClose() {
    try {
      flushRequests.add(new CompletableFuture<>()); // a forced round: every chunk taken
      step();
      sink.close(System.nanoTime()); // a journal's sink says what is left (WARN)
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      failures.add(t);
    }
    failures.addAll(sink.takeFailures());
    Throwable t;
    while ((t = failures.poll()) != null) {
      log.error("after the close of the tracker for {}: {}", target, t.getMessage(), t);
    }
  }

  /** One round of work: take new runs and flush requests, send what is due, then wait. */
  private void step() {
    List<CompletableFuture<Sink.Durable>> flushes = List.of(); // allocated only when asked
    CompletableFuture<Sink.Durable> f;
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
    long since = now - lastIntervalSend;
    boolean due = since >= intervalNanos
        || (since >= EAGER_NANOS && eager && !active.isEmpty() && sink.caughtUp());
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
      long waited = System.nanoTime() - lastIntervalSend;
      long park = intervalNanos - waited;
      if (eager && !active.isEmpty()) {
        // look again when the eager interval is up, or, when it is and the sink was busy, later
        park = Math.min(park, waited < EAGER_NANOS ? EAGER_NANOS - waited : EAGER_NANOS);
      }
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

  private void completeFlushes(List<CompletableFuture<Sink.Durable>> flushes) {
    Sink.Durable outcome = null;
    try {
      outcome = sink.flush();
    } catch (Exception e) {
      failures.add(new TrackerException("flushing to " + target + " failed: " + e.getMessage(),
          e));
    }
    List<Throwable> errors = new ArrayList<>();
    Throwable t;
    while ((t = failures.poll()) != null) {
      errors.add(t);
    }
    if (errors.isEmpty()) {
      for (CompletableFuture<Sink.Durable> fut : flushes) {
        fut.complete(outcome);
      }
    } else {
      TrackerException e = Failures.combine(errors);
      for (CompletableFuture<Sink.Durable> fut : flushes) {
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
      Item item = (Item) ch.queue.poll();
      if (item == null) {
        break;
      }
      switch (item.kind()) {
        case CHUNK -> {
          Chunk c = (Chunk) item;
          take(ch, batch, c, c.count);
          c.lane.expected = c.seq + 1;
        }
        case PARAM -> batch.params.add(((Item.ParamItem) item).param());
        case TAG -> batch.tags.add(((Item.TagItem) item).tag());
        case ARTIFACT, BYTES, END, INPUT -> control(ch, batch, item);
        default -> throw new IllegalStateException("unknown queue item " + item);
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
      sink.createRun(spec);
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
      sink.logBatch(ch.spec.runId(), b);
      log.debug("sent {} records of run {}", b.size(), ch.spec.runId());
    } catch (Exception e) {
      fail("logging " + BatchBuilder.describe(b) + " to run " + ch.spec.runId(), e);
    }
  }

  /**
   * Hands over a control item (artifact, end) after what the run's threads logged before it:
   * what other threads hold in their chunks goes first.
   */
  private void control(Channel ch, BatchBuilder batch, Item item) {
    for (Chunk c : ch.currentChunks()) {
      takeIfNext(ch, batch, c);
    }
    send(ch, batch);
    String runId = ch.spec.runId();
    try {
      switch (item.kind()) {
        case ARTIFACT -> Artifacts.store(sink, runId, (Item.ArtifactItem) item);
        case BYTES -> {
          Item.BytesItem b = (Item.BytesItem) item;
          sink.logArtifact(runId, b.content(), b.artifactPath());
        }
        case END -> {
          Item.EndItem e = (Item.EndItem) item;
          ch.ended = true;
          sink.endRun(runId, e.status(), e.endTime());
        }
        case INPUT -> sink.logInputs(runId,
            List.of(digests.input(((Item.InputItem) item).dataset())));
        default -> throw new IllegalStateException("not a control item: " + item);
      }
    } catch (Exception e) {
      fail(Item.describe(item) + " of run " + runId, e);
    }
  }

  private void fail(String what, Exception e) {
    log.warn("{} failed on {}: {}", what, target, e.toString());
    failures.add(new TrackerException(what + " failed on " + target + ": " + e.getMessage(),
        e));
  }
}
