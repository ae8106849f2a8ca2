package dev.tracker.internal.delivery;

import dev.tracker.Backlog;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal of one tracker for one server: the segments this process writes (the dispatcher
 * appends, the uploader delivers) and the segments earlier processes left under the same
 * directory, which the uploader delivers first.
 *
 * <pre>
 * &lt;journal directory&gt;/        one per server (see {@code RemoteDelivery#journalDirectory()})
 *   server                   the server, without credentials
 *   creating                 locked by a process while it creates a segment (see {@link Segment})
 *   &lt;segment&gt;/                yyyyMMdd'T'HHmmss.SSS'Z'-pid-sequence-random, see {@link Segment}
 * </pre>
 *
 * <p>Disk use is bounded: a segment is closed for appends at {@code segmentBytes} and deleted
 * once delivered; when the segments of this process hold more than {@code limitBytes}, appending
 * waits (logging then waits once the queue is full), with one WARN saying why.
 */
public final class Journal {
  /** The most bytes of undelivered journal per tracker: 1 GiB. */
  public static final long DEFAULT_LIMIT_BYTES = 1L << 30;
  static final String SERVER_FILE = "server";

  private static final Logger log = LoggerFactory.getLogger(Journal.class);

  private final Path directory;
  private final String server;
  private final long limitBytes;
  private final long segmentBytes;
  private final InstantSource clock;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // guarded by lock
  private final Deque<Segment> own = new ArrayDeque<>();
  private final Deque<Path> leftovers = new ArrayDeque<>();
  private long ownBytes;
  private volatile boolean full; // an append waits for room
  private long appendedOps;
  private long deliveredOps;
  private boolean closed;
  private boolean warnedFull;
  private int skippedLeftovers;
  // writer-only
  private Segment current;
  private final Map<String, RunSpec> openRuns = new LinkedHashMap<>();

  /**
   * A journal under {@code directory}; finds what earlier processes left there.
   *
   * @throws IOException when the directory cannot be read
   */
  public Journal(Path directory, String server, long limitBytes, InstantSource clock)
      throws IOException {
    this.directory = directory;
    this.server = server;
    this.limitBytes = limitBytes;
    this.segmentBytes = Math.max(1024, Math.min(64L << 20, limitBytes / 4));
    this.clock = clock;
    leftovers.addAll(segmentDirectories(directory));
  }

  /** The directory holding this server's segments. */
  public Path directory() {
    return directory;
  }

  /**
   * Why an append waits now, or empty when none does: the journal holds its limit, because the
   * server takes records slower than they are logged (or not at all).
   */
  public Optional<String> waitingForRoom() {
    return full ? Optional.of("the journal for " + server + " in " + directory + " is at its"
        + " limit (" + (limitBytes >> 20) + " MiB) because the server takes records slower than"
        + " they are logged, or none") : Optional.empty();
  }

  /** The server, for messages. */
  public String server() {
    return server;
  }

  // ------------------------------------------------------------------- the dispatcher's side

  /**
   * Appends one op, starting a new segment when the current one is full, and waiting while the
   * undelivered segments hold more than the limit.
   *
   * @throws InterruptedException when interrupted while waiting for room
   */
  public void append(Op op) throws IOException, InterruptedException {
    Segment s = segmentWithRoom();
    long bytes = s.append(op);
    track(op);
    added(bytes);
  }

  /** Copies an artifact file into the journal and appends its upload. */
  public void appendArtifact(String runId, Path file, String artifactPath)
      throws IOException, InterruptedException {
    Segment s = segmentWithRoom();
    long before = s.diskBytes();
    String name = s.copyArtifact(file);
    s.append(new Op.LogArtifact(runId, name, artifactPath));
    added(s.diskBytes() - before);
  }

  /** Writes artifact bytes into the journal and appends their upload. */
  public void appendArtifact(String runId, byte[] content, String artifactPath)
      throws IOException, InterruptedException {
    Segment s = segmentWithRoom();
    long before = s.diskBytes();
    String name = s.writeArtifact(content, artifactPath);
    s.append(new Op.LogArtifact(runId, name, artifactPath));
    added(s.diskBytes() - before);
  }

  private void track(Op op) {
    if (op instanceof Op.CreateRun c && !c.reattach()) {
      openRuns.put(c.runId(), c.spec());
    } else if (op instanceof Op.EndRun e) {
      openRuns.remove(e.runId());
    }
  }

  private void added(long bytes) {
    lock.lock();
    try {
      ownBytes += bytes;
      appendedOps++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private Segment segmentWithRoom() throws IOException, InterruptedException {
    // sealed before waiting for room: the uploader can then finish it and give its room back
    // (a segment that holds a large artifact may alone be over the limit)
    if (current != null && (current.isSealed() || current.diskBytes() >= segmentBytes)) {
      current.force();
      current.seal();
      current = null;
    }
    lock.lock();
    try {
      while (ownBytes >= limitBytes && !closed) {
        full = true;
        if (!warnedFull) {
          warnedFull = true;
          log.warn("the journal for {} in {} holds {} MiB, its limit, because the server takes"
              + " records slower than they are logged; logging waits until the uploader has"
              + " delivered some", server, directory, ownBytes >> 20);
        }
        changed.await(1, TimeUnit.SECONDS);
      }
    } finally {
      full = false;
      lock.unlock();
    }
    if (current == null) {
      writeServerFile();
      Segment s = Segment.create(directory, clock.millis());
      lock.lock();
      try {
        own.addLast(s);
      } finally {
        lock.unlock();
      }
      current = s;
      // a later process delivering this segment alone must know the runs still open
      for (RunSpec spec : openRuns.values()) {
        added(s.append(new Op.CreateRun(spec, true)));
      }
    }
    return current;
  }

  private void writeServerFile() throws IOException {
    Files.createDirectories(directory);
    Path f = directory.resolve(SERVER_FILE);
    if (!Files.exists(f)) {
      Files.writeString(f, server + "\n", StandardCharsets.UTF_8);
    }
  }

  /** Makes everything appended durable. */
  public void force() throws IOException {
    if (current != null) {
      current.force();
    }
  }

  /** How many ops this tracker appended. */
  public long appended() {
    lock.lock();
    try {
      return appendedOps;
    } finally {
      lock.unlock();
    }
  }

  /** How many ops this tracker appended that are not delivered (or reported) yet. */
  public long pending() {
    lock.lock();
    try {
      return appendedOps - deliveredOps;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the first {@code target} ops this tracker appended are delivered, until the
   * deadline ({@link System#nanoTime()}); true when they are.
   */
  public boolean awaitDelivered(long target, long deadline) throws InterruptedException {
    lock.lock();
    try {
      while (deliveredOps < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  // --------------------------------------------------------------------- the uploader's side

  /**
   * The first segment with something to deliver: what earlier processes left, then this
   * process's. Null when there is none.
   */
  Segment nextWork(List<Segment> adopted) throws IOException {
    Segment s = nextLeftover(adopted);
    if (s != null) {
      return s;
    }
    lock.lock();
    try {
      return own.peekFirst();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next segment an earlier process left, adopted (added to {@code adopted}); a segment
   * another running process holds is passed over. Null when there is none.
   */
  Segment nextLeftover(List<Segment> adopted) throws IOException {
    while (true) {
      Path dir;
      lock.lock();
      try {
        dir = leftovers.pollFirst();
      } finally {
        lock.unlock();
      }
      if (dir == null) {
        return null;
      }
      Segment s = Segment.adopt(dir, this::skipped);
      if (s != null) {
        adopted.add(s);
        log.info("found a journal segment for {} that an earlier process left in {};"
            + " delivering it", server, dir);
        return s;
      }
    }
  }

  private void skipped() {
    lock.lock();
    try {
      skippedLeftovers++;
    } finally {
      lock.unlock();
    }
  }

  /** Segments that earlier processes left and that another running process held. */
  public int skippedLeftovers() {
    lock.lock();
    try {
      return skippedLeftovers;
    } finally {
      lock.unlock();
    }
  }

  /** The uploader delivered (or reported and skipped) one op of an own segment. */
  void delivered(Segment s) {
    lock.lock();
    try {
      if (own.contains(s)) {
        deliveredOps++;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Removes a delivered, sealed segment. */
  void finished(Segment s) throws IOException {
    long size = s.diskBytes();
    lock.lock();
    try {
      if (own.remove(s)) {
        ownBytes -= size;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
    s.delete();
  }

  /**
   * Waits up to {@code nanos} for something new to deliver, unless {@code stop} says so (looked
   * at under the lock that {@link #wake()} takes, so no wake-up is missed).
   */
  void awaitWork(long nanos, BooleanSupplier stop) throws InterruptedException {
    lock.lock();
    try {
      if (!closed && !stop.getAsBoolean()) {
        changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Wakes whoever waits on the journal. */
  void wake() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes the journal: the segments stay on disk, unlocked, for the next process or {@code
   * tracker sync}; delivered ones are deleted. Returns what is left.
   */
  public Backlog close() throws IOException {
    List<Segment> segments;
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
      segments = new ArrayList<>(own);
      own.clear();
    } finally {
      lock.unlock();
    }
    long pending = pending();
    int ends = 0;
    int notCreated = 0;
    IOException failure = null;
    for (Segment s : segments) {
      try {
        s.seal();
        int[] left = Segment.scan(s.dir());
        if (left[0] == 0) {
          s.delete();
        } else {
          ends += left[1];
          notCreated += left[2];
          s.close();
        }
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return new Backlog(pending, ends, notCreated, directory.toString(), server);
  }

  /** The segment folders under a journal directory, oldest first. */
  static List<Path> segmentDirectories(Path directory) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return out;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(directory, Files::isDirectory)) {
      for (Path d : dirs) {
        out.add(d);
      }
    }
    out.sort(null);
    return out;
  }
}
