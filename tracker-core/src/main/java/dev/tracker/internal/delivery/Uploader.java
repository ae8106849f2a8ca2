package dev.tracker.internal.delivery;

import dev.tracker.TrackerException;
import dev.tracker.spi.Batch;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.RemoteDelivery;
import dev.tracker.spi.RunSpec;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a {@link Journal} to a backend, op by op in order, on a thread of its own ({@code
 * tracker-uploader}): the dispatcher never waits on the server. A failure the backend calls
 * transient (or blocked) is retried with {@link Backoff} until it succeeds or the uploader stops,
 * leaving the op in the journal; rejected records and permanent failures are reported (at the
 * next flush) and the op is passed. Segments that earlier processes left go first.
 *
 * <p>At least once: an op is marked delivered after the backend returned, so a crash in between
 * delivers it again; the backend makes a repeated run creation attach rather than create, and a
 * batch of a run is cut where an earlier attempt stopped ({@link DeliveryException#delivered()}).
 */
public final class Uploader {
  private static final Logger log = LoggerFactory.getLogger(Uploader.class);
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * How many consecutive batches of a run, per lane, go out together: enough that each lane gets
   * whole requests' worth of points (a server takes up to 1000 a request), so a group is not held
   * up by a lane's short last request.
   */
  static final int MERGE_PER_LANE = 4;

  private final TrackingBackend backend;
  private final Journal journal;
  private final String server;
  private final Backoff backoff;
  private final Sleeper sleeper;
  private final LongSupplier nanoTime;
  private final int maxAttempts;
  private final Lanes lanes;
  private final ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
  private final Direct direct = new Direct();
  private final Thread thread;
  private volatile boolean stopping;
  private volatile String lastBlocked;
  /** Runs between reading a segment's seal and looking for its next record; set before start. */
  Runnable betweenSealAndRecord = () -> { };

  // uploader-thread state
  private final Map<String, String> experimentIds = new HashMap<>();
  private final Set<String> attached = new HashSet<>();
  private final List<Segment> adopted = new ArrayList<>();
  private long lastWarn = Long.MIN_VALUE;
  private DeliveryException gaveUp;
  private long leftoverOps;
  private int leftoverSegments;

  /**
   * An uploader; {@link #start()} starts its thread.
   *
   * @param journal what to deliver; null for an uploader that only delivers the ops handed to
   *     {@link #deliverNow}
   * @param sleeper waits between attempts; null for a real wait that {@link #stop()} ends
   * @param maxAttempts attempts per op before giving up (for {@code tracker sync}); 0 for no
   *     limit (a tracker's uploader, which tries until stopped)
   * @param inFlight the most requests in flight at once (see {@link Lanes})
   */
  public Uploader(TrackingBackend backend, Journal journal, RemoteDelivery policy,
      Sleeper sleeper, DoubleSupplier random, LongSupplier nanoTime, int maxAttempts,
      int inFlight) {
    this.backend = backend;
    this.journal = journal;
    this.server = policy.server();
    this.backoff = new Backoff(policy, random);
    this.sleeper = sleeper != null ? sleeper : this::realSleep;
    this.nanoTime = nanoTime;
    this.maxAttempts = maxAttempts;
    this.lanes = new Lanes(inFlight);
    this.thread = new Thread(this::run, "tracker-uploader");
    this.thread.setDaemon(true);
  }

  /** Starts delivering. */
  public void start() {
    thread.start();
  }

  /** Asks the uploader to stop after the op in hand; what is left stays in the journal. */
  public void stop() {
    stopping = true;
    if (journal != null) {
      journal.wake();
    }
  }

  /** Waits up to {@code millis} for the thread to end; true when it did. */
  public boolean join(long millis) throws InterruptedException {
    thread.join(Math.max(1, millis));
    return !thread.isAlive();
  }

  /** Failures to report at the next flush, taken. */
  public List<Exception> takeFailures() {
    List<Exception> out = new ArrayList<>();
    Exception e;
    while ((e = failures.poll()) != null) {
      out.add(e);
    }
    return out;
  }

  /**
   * Delivers what earlier processes left, now, on the caller's thread (for {@code tracker
   * sync}), until done or an op failed {@code maxAttempts} times.
   *
   * @return the failure it gave up on, or null when everything left was delivered
   */
  public DeliveryException deliverLeftovers() throws IOException, InterruptedException {
    try {
      while (gaveUp == null) {
        Segment s = journal.nextLeftover(adopted);
        if (s == null || !drain(s)) {
          break;
        }
      }
    } finally {
      lanes.close();
      for (Segment s : adopted) {
        s.close();
      }
      adopted.clear();
    }
    return gaveUp;
  }

  /** Ops of earlier processes' segments delivered (or reported and passed). */
  public long leftoverOps() {
    return leftoverOps;
  }

  /** Segments of earlier processes delivered and removed. */
  public int leftoverSegments() {
    return leftoverSegments;
  }

  /**
   * Delivers one op now, on the caller's thread, with the retries a tracker's uploads get (for
   * {@code tracker sync} uploading run folders); an artifact's file is an absolute path.
   *
   * @throws DeliveryException the failure it gave up on after {@code maxAttempts} attempts, or
   *     the first refusal (rejected records, a permanent failure)
   * @throws java.io.InterruptedIOException when interrupted, the flag restored
   */
  public void deliverNow(Op op) throws IOException {
    failures.clear();
    direct.partial = 0;
    boolean delivered;
    try {
      delivered = deliver(direct, op);
    } catch (InterruptedException e) {
      lanes.reset();
      throw JournalSink.interrupted(describe(op), e);
    }
    if (!delivered) {
      lanes.reset();
      DeliveryException failure = gaveUp;
      gaveUp = null;
      throw failure != null ? failure
          : DeliveryException.transientFailure("stopped before " + describe(op), null, null);
    }
    Exception refused = failures.poll();
    if (refused != null) {
      failures.clear();
      throw refused instanceof DeliveryException d ? d
          : DeliveryException.permanent(refused.getMessage(), refused);
    }
  }

  /** Ends the lanes' threads once no more ops are handed to {@link #deliverNow}. */
  public void closeLanes() {
    lanes.close();
  }

  /** The position of ops handed over one at a time: nothing before them, files absolute. */
  static final class Direct implements Position {
    private int partial;

    @Override
    public int partial() {
      return partial;
    }

    @Override
    public void delivered(int records) {
      partial = records;
    }

    @Override
    public Path dir() {
      return Path.of("");
    }

    @Override
    public Op.CreateRun creation(String runId) {
      return null;
    }
  }

  // ------------------------------------------------------------------------------- the loop

  private void run() {
    while (!stopping && gaveUp == null) {
      try {
        // an earlier process's segment in hand (a failure cut its delivery short) goes on
        // first: what comes later may be the same runs' later records
        Segment s = adopted.isEmpty() ? journal.nextWork(adopted) : adopted.get(0);
        if (s == null || !drain(s)) {
          journal.awaitWork(IDLE_NANOS, () -> stopping);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable t) {
        // the uploader never dies: what it could not deliver stays in the journal
        log.error("delivering the journal to {} failed; retrying", server, t);
        failures.add(t instanceof Exception e ? e : new TrackerException(t.toString(), t));
        try {
          journal.awaitWork(IDLE_NANOS, () -> stopping);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    lanes.close();
    for (Segment s : adopted) {
      try {
        s.close();
      } catch (IOException e) {
        log.debug("closing {} failed: {}", s, e.toString());
      }
    }
  }

  /**
   * Delivers a segment's complete records; true when it moved on to another segment (this one
   * was finished), false when it should wait for more.
   */
  private boolean drain(Segment s) throws IOException, InterruptedException {
    while (!stopping) {
      // sealed read before looking for a record: the writer appends its last record, then
      // seals, so a segment seen sealed shows every record it will ever hold
      boolean sealed = s.isSealed();
      betweenSealAndRecord.run();
      Segment.Entry e = s.next();
      if (e == null) {
        if (sealed || adopted.contains(s)) {
          if (adopted.remove(s)) {
            s.delete();
            leftoverSegments++;
            log.info("delivered the journal segment {} to {}", s.dir(), server);
          } else {
            journal.finished(s);
          }
          return true;
        }
        return false;
      }
      Op op = e.op();
      long end = e.end();
      int ops = 1;
      if (op != null && op.kind() == Op.Kind.LOG_BATCH && s.partial() == 0) {
        // batches of one run that follow each other go together, over the lanes
        List<Batch> parts = new ArrayList<>();
        parts.add(((Op.LogBatch) op).batch());
        Segment.Entry next;
        while (ops < MERGE_PER_LANE * lanes.count() && (next = s.peek(end)) != null
            && next.op() != null
            && next.op().kind() == Op.Kind.LOG_BATCH && next.op().runId().equals(op.runId())) {
          parts.add(((Op.LogBatch) next.op()).batch());
          end = next.end();
          ops++;
        }
        Batch merged = ops == 1 ? null : concat(parts);
        if (merged != null && lanes.splits(merged)) {
          op = new Op.LogBatch(op.runId(), merged);
        } else {
          end = e.end();
          ops = 1;
        }
      }
      if (op == null) {
        report(new IOException(e.problem()));
      } else if (!deliver(s, op)) {
        return false; // stopping
      }
      try {
        s.advance(end);
      } finally {
        // delivered (or reported) even when its progress mark could not be written: the
        // segment's reader has moved past it, and the failure is reported
        for (int i = 0; i < ops; i++) {
          journal.delivered(s);
          if (adopted.contains(s)) {
            leftoverOps++;
          }
        }
      }
    }
    return false;
  }

  /** The records of consecutive batches of one run, in order. */
  private static Batch concat(List<Batch> parts) {
    List<dev.tracker.Metric> metrics = new ArrayList<>();
    List<dev.tracker.Param> params = new ArrayList<>();
    List<dev.tracker.Tag> tags = new ArrayList<>();
    for (Batch b : parts) {
      metrics.addAll(b.metrics());
      params.addAll(b.params());
      tags.addAll(b.tags());
    }
    return new Batch(metrics, params, tags);
  }

  /** Delivers one op, retrying transient failures; false when stopped before it went. */
  private boolean deliver(Position s, Op op) throws IOException, InterruptedException {
    long start = nanoTime.getAsLong();
    int attempt = 0;
    while (!stopping) {
      attempt++;
      DeliveryException failure;
      try {
        apply(s, op);
        if (attempt > 1) {
          log.info("{} to {} succeeded after {} attempts in {} ms", describe(op),
              server, attempt, elapsedMillis(start));
        }
        lastBlocked = null;
        return true;
      } catch (DeliveryException d) {
        failure = d;
      } catch (IOException io) {
        failure = DeliveryException.transientFailure(io.getMessage(), io, null);
      } catch (RuntimeException re) {
        failure = DeliveryException.permanent(String.valueOf(re.getMessage()), re);
      }
      switch (failure.kind()) {
        case REJECTED, PERMANENT -> {
          lanes.reset();
          report(failure);
          return true;
        }
        case TRANSIENT, BLOCKED -> {
          if (failure.delivered() > 0) {
            s.delivered(s.partial() + failure.delivered());
          }
          if (failure.kind() == DeliveryException.Kind.BLOCKED
              && !String.valueOf(failure.getMessage()).equals(lastBlocked)) {
            lastBlocked = String.valueOf(failure.getMessage());
            report(failure);
          }
          if (maxAttempts > 0 && attempt >= maxAttempts) {
            gaveUp = failure;
            return false;
          }
          Duration delay = backoff.delay(attempt, failure.retryAfter().orElse(null));
          warn(op, attempt, start, failure, delay);
          if (!sleeper.sleep(delay, () -> stopping)) {
            return false;
          }
        }
      }
    }
    return false;
  }

  private void apply(Position s, Op op) throws IOException {
    if (op.kind() != Op.Kind.CREATE_RUN) {
      attach(s, op.runId());
    }
    switch (op.kind()) {
      case CREATE_RUN -> {
        Op.CreateRun c = (Op.CreateRun) op;
        if (!(c.reattach() && attached.contains(c.runId()))) {
          // an earlier process may have created the run and ended before it knew: the server
          // took the request, its answer or the progress mark did not come
          create(c.spec(), c.spec().resume() || c.reattach() || adopted.contains(s));
        }
      }
      case LOG_BATCH -> {
        Op.LogBatch b = (Op.LogBatch) op;
        Batch batch = b.batch().skip(s.partial());
        if (lanes.splits(batch)) {
          try {
            lanes.send(backend, b.runId(), batch, this::report);
          } catch (InterruptedException e) {
            throw JournalSink.interrupted("delivering " + describe(op), e);
          }
        } else {
          backend.logBatch(b.runId(), batch);
        }
      }
      case LOG_ARTIFACT -> {
        Op.LogArtifact a = (Op.LogArtifact) op;
        backend.logArtifact(a.runId(), s.dir().resolve(a.file()), a.artifactPath());
      }
      case END_RUN -> {
        Op.EndRun e = (Op.EndRun) op;
        backend.endRun(e.runId(), e.status(), e.endTime());
      }
      case LOG_INPUTS -> backend.logInputs(op.runId(), ((Op.LogInputs) op).inputs());
      default -> throw new IllegalStateException("unknown op " + op);
    }
  }

  private void create(RunSpec spec, boolean resume) throws IOException {
    String experimentId = experimentIds.get(spec.experimentName());
    if (experimentId == null) {
      experimentId = backend.createExperiment(spec.experimentName());
      experimentIds.put(spec.experimentName(), experimentId);
    }
    backend.createRun(new RunSpec(spec.runId(), experimentId, spec.experimentName(),
        spec.runName(), spec.startTime(), spec.tags(), spec.parentRunId(), resume));
    attached.add(spec.runId());
  }

  /** A run created by an earlier process: attach to it before its first op here. */
  private void attach(Position s, String runId) throws IOException {
    if (attached.contains(runId)) {
      return;
    }
    Op.CreateRun c = s.creation(runId);
    if (c != null) {
      create(c.spec(), true);
    }
  }

  private void report(Exception e) {
    if (maxAttempts > 0) {
      // tracker sync's uploader: its caller takes each failure and tells it; logged too, the
      // command's output would show it twice
      log.debug("{}", e.getMessage());
    } else {
      log.error("{}", e.getMessage());
    }
    failures.add(e);
  }

  private void warn(Op op, int attempt, long start, DeliveryException failure, Duration delay) {
    long now = nanoTime.getAsLong();
    String format = "{} to {} failed (attempt {}, {} ms so far): {}; it stays in the journal,"
        + " next attempt in {} ms";
    Object[] args = {describe(op), server, attempt, elapsedMillis(start),
        failure.getMessage(), delay.toMillis()};
    if (lastWarn == Long.MIN_VALUE || now - lastWarn >= WARN_EVERY_NANOS) {
      lastWarn = now;
      log.warn(format, args);
    } else {
      log.debug(format, args);
    }
  }

  private long elapsedMillis(long start) {
    return TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - start);
  }

  static String describe(Op op) {
    return switch (op.kind()) {
      case CREATE_RUN -> "creating run " + op.runId() + " in experiment '"
          + ((Op.CreateRun) op).spec().experimentName() + "'";
      case LOG_BATCH -> "logging " + ((Op.LogBatch) op).batch().size() + " records to run "
          + op.runId();
      case LOG_ARTIFACT -> "storing artifact '" + ((Op.LogArtifact) op).artifactPath()
          + "' of run " + op.runId();
      case END_RUN -> "ending run " + op.runId() + " with status "
          + ((Op.EndRun) op).status();
      case LOG_INPUTS -> "recording " + ((Op.LogInputs) op).inputs().size()
          + " dataset inputs of run " + op.runId();
    };
  }

  private boolean realSleep(Duration d, java.util.function.BooleanSupplier stop)
      throws InterruptedException {
    long deadline = System.nanoTime() + d.toNanos();
    while (!stop.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      if (journal != null) {
        journal.awaitWork(left, stop);
      } else {
        TimeUnit.NANOSECONDS.sleep(left);
      }
    }
    return false;
  }
}
