package dev.tracker.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One spool session: the folder a backend writes while the server is unreachable, and from
 * which it (or the next backend, or {@code tracker sync}) delivers later.
 *
 * <pre>
 * &lt;session&gt;/
 *   lock            held (an OS file lock) by the process that writes or delivers the session
 *   journal.jsonl   append-only, one JSON operation per line, a "session" header line first
 *   progress.json   {"offset": bytes of the journal delivered, "entities": records of the next
 *                   batch already delivered}, replaced atomically
 *   runs.jsonl      {"run": tracker run id, "server_run": MLflow run id} per run created while
 *                   delivering, appended
 *   artifacts/      copies of the files of spooled log_artifact operations
 * </pre>
 *
 * <p>A torn last journal line (the process died while appending) is not delivered.
 */
final class Journal implements Closeable {
  static final String JOURNAL = "journal.jsonl";
  static final String PROGRESS = "progress.json";
  static final String RUNS = "runs.jsonl";
  static final String LOCK = "lock";
  static final String ARTIFACTS = "artifacts";

  private static final DateTimeFormatter NAME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final int READ_BLOCK = 64 * 1024;
  // orders the sessions one process starts within one millisecond
  private static final AtomicLong SESSIONS = new AtomicLong();

  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  // Streams rather than FileChannels for the journal: an interrupt of a thread doing channel I/O
  // closes the channel, and a caller's thread may arrive here interrupted.
  private final RandomAccessFile reader;
  private final FileOutputStream writer; // null for a session adopted from an earlier process
  private final AtomicLong appended = new AtomicLong();
  private final AtomicLong artifactCount = new AtomicLong();
  private final Map<String, String> serverRuns = new HashMap<>();
  private long offset;
  private int entities;
  private boolean closed;

  private Journal(Path dir, FileChannel lockChannel, FileLock lock, FileOutputStream writer)
      throws IOException {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.writer = writer;
    this.reader = new RandomAccessFile(dir.resolve(JOURNAL).toFile(), "r");
    readProgress();
    readRuns();
  }

  /** Starts a new session under {@code serverDir}, holding its lock, with a header line. */
  static Journal create(Path serverDir, String server, long now) throws IOException {
    Files.createDirectories(serverDir);
    Path dir;
    do {
      dir = serverDir.resolve(NAME.format(java.time.Instant.ofEpochMilli(now)) + "-"
          + ProcessHandle.current().pid() + "-"
          + String.format("%06d", SESSIONS.incrementAndGet() % 1_000_000) + "-"
          + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000) | 0x10000)
          .substring(1));
    } while (Files.exists(dir));
    Files.createDirectories(dir.resolve(ARTIFACTS));
    FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock = lockChannel.lock();
    Files.createFile(dir.resolve(JOURNAL));
    FileOutputStream writer = new FileOutputStream(dir.resolve(JOURNAL).toFile(), true);
    Journal j = new Journal(dir, lockChannel, lock, writer);
    j.append(new Op.Header(null, Op.FORMAT, server, now));
    return j;
  }

  /**
   * Takes over a session left by another backend, or returns null when a running process holds
   * it or it is gone.
   */
  static Journal adopt(Path dir) throws IOException {
    FileChannel lockChannel;
    try {
      lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.WRITE);
    } catch (NoSuchFileException gone) {
      return null;
    }
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException heldInThisJvm) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      return null;
    }
    if (!Files.exists(dir.resolve(JOURNAL))) {
      // delivered (its owner is deleting it) or never written: nothing to deliver
      lock.release();
      lockChannel.close();
      try {
        Files.deleteIfExists(dir.resolve(ARTIFACTS));
        Files.deleteIfExists(dir.resolve(LOCK));
        Files.deleteIfExists(dir);
      } catch (IOException notEmpty) {
        // another process is in there; leave it
      }
      return null;
    }
    try {
      return new Journal(dir, lockChannel, lock, null);
    } catch (IOException | RuntimeException e) {
      lock.release();
      lockChannel.close();
      throw e;
    }
  }

  /** The session's name (its folder's). */
  String id() {
    return dir.getFileName().toString();
  }

  Path dir() {
    return dir;
  }

  /**
   * Appends an operation; an artifact's file is copied into the session first, since the
   * original may be a temporary file.
   */
  void append(Op op) throws IOException {
    String fileName = null;
    if (op instanceof Op.LogArtifact a) {
      String base = a.file().getFileName() == null ? "artifact"
          : a.file().getFileName().toString().replaceAll("[^\\w.-]", "_");
      fileName = ARTIFACTS + "/" + String.format("%08d", artifactCount.incrementAndGet()) + "-"
          + base;
      Files.copy(a.file(), dir.resolve(fileName), StandardCopyOption.REPLACE_EXISTING);
    }
    byte[] json = Op.encode(op, fileName);
    byte[] line = Arrays.copyOf(json, json.length + 1);
    line[json.length] = '\n';
    writer.write(line); // one write: a crash leaves a whole line or a torn last one
    appended.addAndGet(line.length);
  }

  /** Makes what was appended durable on disk. */
  void force() throws IOException {
    if (writer != null) {
      writer.getFD().sync();
    }
  }

  /** An operation read from the journal: the op, or null with the reason it is unreadable. */
  record Entry(Op op, String problem, long end) {}

  /** The next operation to deliver, or null when everything complete was delivered. */
  Entry next() throws IOException {
    long limit = writer != null ? appended.get() : reader.length();
    while (offset < limit) {
      byte[] line = readLine(offset, limit);
      if (line == null) {
        return null; // a torn last line
      }
      long end = offset + line.length + 1;
      String text = new String(line, StandardCharsets.UTF_8).strip();
      if (text.isEmpty()) {
        advance(end);
        continue;
      }
      try {
        JsonNode node = Json.MAPPER.readTree(text);
        Op op = Op.decode(node, dir);
        if (op instanceof Op.Header) {
          advance(end);
          continue;
        }
        return new Entry(op, null, end);
      } catch (IOException | RuntimeException e) {
        return new Entry(null, "unreadable journal line at byte " + offset + " of " + dir
            + ": " + e.getMessage(), end);
      }
    }
    return null;
  }

  private byte[] readLine(long from, long limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] a = new byte[READ_BLOCK];
    long pos = from;
    reader.seek(pos);
    while (pos < limit) {
      int n = reader.read(a, 0, (int) Math.min(READ_BLOCK, limit - pos));
      if (n <= 0) {
        return null;
      }
      for (int i = 0; i < n; i++) {
        if (a[i] == '\n') {
          out.write(a, 0, i);
          return out.toByteArray();
        }
      }
      out.write(a, 0, n);
      pos += n;
    }
    return null;
  }

  /** Marks everything before {@code end} delivered. */
  void advance(long end) throws IOException {
    offset = end;
    entities = 0;
    writeProgress();
  }

  /** Records that the first {@code n} records of the next batch were delivered. */
  void delivered(int n) throws IOException {
    entities = n;
    writeProgress();
  }

  /** How many records of the next batch were delivered already. */
  int entitiesDelivered() {
    return entities;
  }

  /** True when no complete operation is left to deliver (a torn last line does not count). */
  boolean isDrained() throws IOException {
    return next() == null;
  }

  /** Remembers which MLflow run a tracker run became, durably, for a later process. */
  void recordRun(String run, String serverRun) throws IOException {
    if (serverRun.equals(serverRuns.put(run, serverRun))) {
      return;
    }
    byte[] line = Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("run", run);
      g.writeStringField("server_run", serverRun);
      g.writeEndObject();
    });
    byte[] withNewline = new byte[line.length + 1];
    System.arraycopy(line, 0, withNewline, 0, line.length);
    withNewline[line.length] = '\n';
    Files.write(dir.resolve(RUNS), withNewline, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  /** The MLflow run a tracker run became while this session was delivered, or null. */
  String serverRun(String run) {
    return serverRuns.get(run);
  }

  /** Deletes the session's files (everything was delivered) and releases it. */
  void delete() throws IOException {
    close();
    Path artifacts = dir.resolve(ARTIFACTS);
    if (Files.isDirectory(artifacts)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(artifacts)) {
        for (Path f : files) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(artifacts);
    }
    // the journal first: a process that takes the lock next sees an empty session
    Files.deleteIfExists(dir.resolve(JOURNAL));
    Files.deleteIfExists(dir.resolve(PROGRESS));
    Files.deleteIfExists(dir.resolve(RUNS));
    Files.deleteIfExists(dir.resolve(PROGRESS + ".tmp"));
    Files.deleteIfExists(dir.resolve(LOCK));
    try {
      Files.deleteIfExists(dir);
    } catch (IOException notEmpty) {
      // another process opened the lock meanwhile; it finds no journal and leaves
    }
  }

  /** Closes the files and releases the lock; the session stays on disk. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (writer != null) {
        writer.getFD().sync();
        writer.close();
      }
      reader.close();
    } finally {
      try {
        if (lock.isValid()) {
          lock.release();
        }
      } finally {
        lockChannel.close();
      }
    }
  }

  private void writeProgress() throws IOException {
    byte[] json = Json.write(g -> {
      g.writeStartObject();
      g.writeNumberField("offset", offset);
      g.writeNumberField("entities", entities);
      g.writeEndObject();
    });
    Path tmp = dir.resolve(PROGRESS + ".tmp");
    Files.write(tmp, json);
    try {
      Files.move(tmp, dir.resolve(PROGRESS), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dir.resolve(PROGRESS), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void readProgress() throws IOException {
    Path p = dir.resolve(PROGRESS);
    if (Files.exists(p)) {
      JsonNode n = Json.parse(Files.readAllBytes(p));
      offset = Json.int64(n, "offset", 0);
      entities = (int) Json.int64(n, "entities", 0);
    }
  }

  private void readRuns() throws IOException {
    Path p = dir.resolve(RUNS);
    if (!Files.exists(p)) {
      return;
    }
    for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode n = Json.MAPPER.readTree(line);
        String run = Json.text(n, "run");
        String server = Json.text(n, "server_run");
        if (run != null && server != null) {
          serverRuns.put(run, server);
        }
      } catch (IOException torn) {
        // a torn last line: that run is found again by its tracker.runId tag
      }
    }
  }

  /** Counts the operations not yet delivered in a session folder, without taking it. */
  static int pendingOperations(Path dir) throws IOException {
    Path journal = dir.resolve(JOURNAL);
    if (!Files.exists(journal)) {
      return 0;
    }
    long from = 0;
    Path p = dir.resolve(PROGRESS);
    if (Files.exists(p)) {
      from = Json.int64(Json.parse(Files.readAllBytes(p)), "offset", 0);
    }
    int count = 0;
    try (RandomAccessFile in = new RandomAccessFile(journal.toFile(), "r")) {
      byte[] a = new byte[READ_BLOCK];
      in.seek(from);
      boolean lineHasContent = false;
      boolean header = from == 0;
      int n;
      while ((n = in.read(a)) > 0) {
        for (int i = 0; i < n; i++) {
          if (a[i] == '\n') {
            if (lineHasContent) {
              if (header) {
                header = false;
              } else {
                count++;
              }
            }
            lineHasContent = false;
          } else if (!Character.isWhitespace(a[i])) {
            lineHasContent = true;
          }
        }
      }
    }
    return count;
  }
}
