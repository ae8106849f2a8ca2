package dev.tracker.internal.delivery;

import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
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
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;

/**
 * One journal segment: a folder written by one process, delivered in order by it or, after it
 * ended, by the next process for the same server or {@code tracker sync}.
 *
 * <pre>
 * &lt;segment&gt;/
 *   lock          an OS file lock, held by the process that writes or delivers the segment
 *   journal.bin   append-only records: length (4 bytes), CRC-32 (4 bytes), an {@link Op}
 *   progress      "offset records": bytes of the journal delivered, and records of the next
 *                 batch already delivered; replaced atomically
 *   artifacts/    copies of the files to upload
 * </pre>
 *
 * <p>A record is written with one {@code write}, so a crash leaves whole records and at most one
 * torn last one, which is not delivered. The writer is the dispatcher, the reader the uploader.
 *
 * <p>A process creates a segment holding the lock on the journal directory's {@value #CREATING}
 * file, from before it makes the folder until the journal exists under the segment's own lock.
 * So a folder without its lock file or its journal is either being created right now (that lock
 * is held) or was left by a process that died before it finished (or whose lock file was deleted
 * by hand): the next process creates the lock file and, holding it, delivers the journal, or
 * removes the folder when there is none.
 */
final class Segment implements Closeable, Position {
  static final String JOURNAL = "journal.bin";
  static final String PROGRESS = "progress";
  static final String LOCK = "lock";
  static final String ARTIFACTS = "artifacts";
  /** In the journal directory: locked by a process while it creates a segment there. */
  static final String CREATING = "creating";
  private static final int MAX_RECORD = 256 * 1024 * 1024;
  private static final DateTimeFormatter NAME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final AtomicLong SEQUENCE = new AtomicLong();
  /**
   * Segments this JVM holds. Another tracker of this JVM must not even open their lock file:
   * closing any channel to a file releases every lock the process holds on it (POSIX), so the
   * lock would no longer keep other processes out.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
  /**
   * This JVM's side of {@link #CREATING}: one thread at a time opens and locks such a file (a
   * second lock of the same file in one JVM throws, and closing a channel releases the lock).
   */
  private static final ReentrantLock CREATION = new ReentrantLock();

  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  // Streams rather than FileChannels: an interrupt of a thread doing channel I/O closes the
  // channel.
  private final RandomAccessFile reader;
  private final FileOutputStream writer; // null for a segment adopted from an earlier process
  private final AtomicLong artifacts = new AtomicLong();
  private volatile long appended; // bytes written by this process's writer
  private volatile long artifactBytes; // bytes of artifacts this process's writer stored
  private volatile boolean sealed; // no more appends
  private long offset;
  private int partial;
  /** Runs this segment created before its delivered offset (adopted segments only). */
  final Map<String, Op.CreateRun> createdBefore = new HashMap<>();
  private volatile boolean closed;

  private Segment(Path dir, FileChannel lockChannel, FileLock lock, FileOutputStream writer)
      throws IOException {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.writer = writer;
    this.reader = new RandomAccessFile(dir.resolve(JOURNAL).toFile(), "r");
    this.sealed = writer == null;
    readProgress();
  }

  /** Starts a new segment under {@code journalDir}, holding its lock. */
  static Segment create(Path journalDir, long now) throws IOException {
    Files.createDirectories(journalDir);
    Path dir;
    do {
      dir = journalDir.resolve(NAME.format(Instant.ofEpochMilli(now)) + "-"
          + ProcessHandle.current().pid() + "-"
          + String.format("%06d", SEQUENCE.incrementAndGet() % 1_000_000) + "-"
          + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000) | 0x10000)
          .substring(1));
    } while (Files.exists(dir));
    HELD.add(key(dir)); // before it exists: another tracker of this JVM passes it over
    CREATION.lock();
    // before the folder exists: another process finding it without lock file or journal leaves it
    try (FileChannel creating = FileChannel.open(journalDir.resolve(CREATING),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = creating.lock()) {
      Files.createDirectories(dir.resolve(ARTIFACTS));
      FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock lock = lockChannel.lock();
      Files.createFile(dir.resolve(JOURNAL));
      return new Segment(dir, lockChannel, lock,
          new FileOutputStream(dir.resolve(JOURNAL).toFile(), true));
    } catch (IOException | RuntimeException e) {
      HELD.remove(key(dir));
      throw e;
    } finally {
      CREATION.unlock();
    }
  }

  /**
   * Takes over a segment that no running process holds; null when one holds it ({@code whenHeld}
   * runs), when it is gone, or when it held no journal (it is removed).
   */
  static Segment adopt(Path dir, Runnable whenHeld) throws IOException {
    Path key = key(dir);
    if (!HELD.add(key)) {
      whenHeld.run(); // held in this JVM
      return null;
    }
    boolean adopted = false;
    try {
      Segment s = lockAndOpen(dir, whenHeld);
      adopted = s != null;
      return s;
    } finally {
      if (!adopted) {
        HELD.remove(key);
      }
    }
  }

  private static Segment lockAndOpen(Path dir, Runnable whenHeld) throws IOException {
    FileChannel lockChannel;
    try {
      // a folder without its lock file is held by no one (see the class comment): make it
      lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
    } catch (NoSuchFileException gone) {
      return null; // delivered and removed meanwhile
    }
    FileLock lock = tryLock(lockChannel);
    if (lock == null) {
      lockChannel.close();
      whenHeld.run();
      return null;
    }
    if (!Files.exists(dir.resolve(JOURNAL))) {
      lock.release();
      lockChannel.close();
      if (!removeUnlessCreating(dir)) {
        whenHeld.run();
      }
      return null;
    }
    try {
      Segment s = new Segment(dir, lockChannel, lock, null);
      s.learnCreatedRuns();
      return s;
    } catch (IOException | RuntimeException e) {
      lock.release();
      lockChannel.close();
      throw e;
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException heldInThisJvm) {
      return null;
    }
  }

  /**
   * Removes a segment folder that holds no journal, unless a process is creating a segment in
   * its journal directory now (it may be this one); false when it was left for that reason.
   */
  private static boolean removeUnlessCreating(Path dir) throws IOException {
    if (!CREATION.tryLock()) {
      return false;
    }
    try (FileChannel creating = FileChannel.open(dir.getParent().resolve(CREATING),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock l = tryLock(creating);
      if (l == null) {
        return false;
      }
      try {
        // no process creates a segment now, and a journal appears only at creation
        deleteQuietly(dir);
      } finally {
        l.release();
      }
      return true;
    } finally {
      CREATION.unlock();
    }
  }

  private static Path key(Path dir) {
    return dir.toAbsolutePath().normalize();
  }

  /** True while some process holds the segment's lock. */
  static boolean isLocked(Path dir) {
    if (HELD.contains(key(dir))) {
      return true;
    }
    try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.WRITE)) {
      FileLock l = tryLock(ch);
      if (l == null) {
        return true;
      }
      l.release();
      return false;
    } catch (NoSuchFileException gone) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public Path dir() {
    return dir;
  }

  /** Appends one op as one record; returns the bytes written. Writer only. */
  long append(Op op) throws IOException {
    byte[] payload = OpCodec.encode(op);
    CRC32 crc = new CRC32();
    crc.update(payload);
    ByteBuffer record = ByteBuffer.allocate(8 + payload.length);
    record.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
    try {
      writer.write(record.array()); // one write: a crash leaves a whole record or a torn last one
    } catch (IOException e) {
      cutBack(e);
      throw e;
    }
    appended += record.capacity();
    return record.capacity();
  }

  /**
   * A write that failed part-way (a full disk) left part of its record: cuts it off, so that the
   * next record starts where readers expect one. When that fails too, the segment is sealed: the
   * part stays a torn last record, and the next append goes to a new segment.
   */
  private void cutBack(IOException failure) {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(JOURNAL).toFile(), "rw")) {
      f.setLength(appended);
    } catch (IOException e) {
      failure.addSuppressed(e);
      sealed = true;
    }
  }

  /** Copies an artifact file into the segment; returns its name relative to the segment. */
  String copyArtifact(Path file) throws IOException {
    String name = ARTIFACTS + "/" + String.format("%08d", artifacts.incrementAndGet()) + "-"
        + safeName(file.getFileName() == null ? "artifact" : file.getFileName().toString());
    Files.copy(file, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    artifactBytes += Files.size(dir.resolve(name));
    return name;
  }

  /** Writes artifact bytes into the segment; returns their name relative to the segment. */
  String writeArtifact(byte[] content, String artifactPath) throws IOException {
    String base = artifactPath.substring(artifactPath.lastIndexOf('/') + 1);
    String name = ARTIFACTS + "/" + String.format("%08d", artifacts.incrementAndGet()) + "-"
        + safeName(base);
    Files.write(dir.resolve(name), content);
    artifactBytes += content.length;
    return name;
  }

  private static String safeName(String s) {
    String n = s.replaceAll("[^\\w.-]", "_");
    return n.length() > 100 ? n.substring(n.length() - 100) : n;
  }

  /** Makes what was appended durable. */
  void force() throws IOException {
    if (writer != null && !closed) {
      writer.getFD().sync();
    }
  }

  /** Bytes written so far (the journal file's size). */
  long size() throws IOException {
    return writer != null ? appended : reader.length();
  }

  /** Bytes this process's writer put on disk: its records and its artifacts' copies. */
  long diskBytes() {
    return appended + artifactBytes;
  }

  /** No more appends: the writer moved on to a newer segment or closed. */
  void seal() {
    sealed = true;
  }

  boolean isSealed() {
    return sealed;
  }

  /** A record read: the op, or null with what is wrong with it; {@code end} its end offset. */
  record Entry(Op op, String problem, long end) {}

  /** The next record to deliver, or null when none is complete yet. Reader only. */
  Entry next() throws IOException {
    return read(offset, writer != null ? appended : reader.length());
  }

  /** The complete record that starts at {@code at}, or null. Reader only. */
  Entry peek(long at) throws IOException {
    return read(at, writer != null ? appended : reader.length());
  }

  private Entry read(long at, long limit) throws IOException {
    if (limit - at < 8) {
      return null;
    }
    reader.seek(at);
    int length = reader.readInt();
    int crc = reader.readInt();
    if (length < 0 || length > MAX_RECORD) {
      return new Entry(null, "journal record at byte " + at + " of " + dir + " has an"
          + " impossible length " + length + "; the rest of the segment is unreadable", limit);
    }
    if (limit - at - 8 < length) {
      return null; // torn last record
    }
    byte[] payload = new byte[length];
    reader.readFully(payload);
    long end = at + 8 + length;
    CRC32 c = new CRC32();
    c.update(payload);
    if ((int) c.getValue() != crc) {
      return new Entry(null, "journal record at byte " + at + " of " + dir
          + " is damaged (checksum mismatch)", end);
    }
    try {
      return new Entry(OpCodec.decode(payload), null, end);
    } catch (IOException | RuntimeException e) {
      return new Entry(null, "unreadable journal record at byte " + at + " of " + dir + ": "
          + e.getMessage(), end);
    }
  }

  /** Marks everything before {@code end} delivered. Reader only. */
  void advance(long end) throws IOException {
    offset = end;
    partial = 0;
    writeProgress();
  }

  /** Records that the first {@code records} records of the next batch were delivered. */
  @Override
  public void delivered(int records) throws IOException {
    partial = records;
    writeProgress();
  }

  @Override
  public Op.CreateRun creation(String runId) {
    return createdBefore.get(runId);
  }

  /** Records of the next batch already delivered. */
  @Override
  public int partial() {
    return partial;
  }

  /** True when every complete record was delivered. Reader only. */
  boolean isDrained() throws IOException {
    return next() == null;
  }

  /**
   * Counts, without taking the segment, its records not yet delivered, the run ends among them,
   * and the runs among those whose creation is not delivered either: {@code {records, ends,
   * endsNotCreated}}.
   */
  static int[] scan(Path dir) throws IOException {
    Path journal = dir.resolve(JOURNAL);
    if (!Files.exists(journal)) {
      return new int[3];
    }
    int records = 0;
    int ends = 0;
    int notCreated = 0;
    Set<String> creations = new HashSet<>();
    try (RandomAccessFile in = new RandomAccessFile(journal.toFile(), "r")) {
      long limit = in.length();
      long at = readOffset(dir);
      while (limit - at >= 9) {
        in.seek(at);
        int length = in.readInt();
        if (length <= 0 || limit - at - 8 < length) {
          break;
        }
        in.readInt();
        byte kind = in.readByte();
        if (kind == OpCodec.CREATE) {
          byte[] record = new byte[length];
          in.seek(at + 8);
          in.readFully(record);
          // a run resumed, or attached to again, exists on the server already
          if (OpCodec.decode(record) instanceof Op.CreateRun c && !c.reattach()
              && !c.spec().resume()) {
            creations.add(c.runId());
          }
        } else if (kind == OpCodec.END) {
          ends++;
          notCreated += creations.contains(OpCodec.runId(in, length - 1)) ? 1 : 0;
        }
        at += 8 + length;
        records++;
      }
    }
    return new int[] {records, ends, notCreated};
  }

  private void learnCreatedRuns() throws IOException {
    long at = 0;
    while (at < offset) {
      Entry e = read(at, offset);
      if (e == null) {
        break;
      }
      if (e.op() instanceof Op.CreateRun c) {
        createdBefore.put(c.runId(), c);
      }
      at = e.end();
    }
  }

  private void writeProgress() throws IOException {
    if (closed) {
      return; // released: another process may own it now, and delivers it again from its mark
    }
    Path tmp = dir.resolve(PROGRESS + ".tmp");
    Files.writeString(tmp, offset + " " + partial + "\n", StandardCharsets.UTF_8);
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
      String[] parts = Files.readString(p, StandardCharsets.UTF_8).strip().split(" ");
      try {
        offset = Long.parseLong(parts[0]);
        partial = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      } catch (NumberFormatException torn) {
        offset = 0; // replaced atomically, so never torn; start over rather than skip
        partial = 0;
      }
    }
  }

  private static long readOffset(Path dir) throws IOException {
    Path p = dir.resolve(PROGRESS);
    if (!Files.exists(p)) {
      return 0;
    }
    try {
      return Long.parseLong(Files.readString(p, StandardCharsets.UTF_8).strip().split(" ")[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Deletes the segment's files (everything was delivered) and releases it. */
  void delete() throws IOException {
    close();
    Path a = dir.resolve(ARTIFACTS);
    if (Files.isDirectory(a)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(a)) {
        for (Path f : files) {
          Files.deleteIfExists(f);
        }
      }
    }
    // the journal first: a process that takes the lock next sees an empty segment
    Files.deleteIfExists(dir.resolve(JOURNAL));
    deleteQuietly(dir);
  }

  private static void deleteQuietly(Path dir) {
    for (String f : new String[] {ARTIFACTS, PROGRESS, PROGRESS + ".tmp", LOCK}) {
      try {
        Files.deleteIfExists(dir.resolve(f));
      } catch (IOException notEmpty) {
        // another process is in there; leave it
      }
    }
    try {
      Files.deleteIfExists(dir);
    } catch (IOException notEmpty) {
      // another process opened the lock meanwhile; it finds no journal and leaves
    }
  }

  /** Closes the files and releases the lock; the segment stays on disk. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    sealed = true;
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
        HELD.remove(key(dir));
      }
    }
  }

  @Override
  public String toString() {
    return "Segment{" + dir + "}";
  }
}
