package dev.tracker.http;

import dev.tracker.spi.Secrets;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The local spool of an MLflow server: what an {@link MlflowBackend} could not deliver while the
 * server was unreachable, kept on disk until it is delivered — by the same backend in the
 * background, by the next backend started for the same server and spool folder, or by
 * {@link MlflowBackend#deliverSpooled()} (what {@code tracker sync} runs).
 *
 * <h2>Layout</h2>
 *
 * <pre>
 * &lt;root&gt;/                       {@link #defaultRoot()} (~/.tracker/spool), or tracker.spoolDir /
 *                                  TRACKER_SPOOL_DIR / MlflowBackend.Builder#spoolDir
 *   &lt;server key&gt;/               16 hex characters of SHA-256 of the server URL (credentials
 *                                  removed): one folder per server
 *     server                     the server URL, credentials removed
 *     &lt;session&gt;/                one per backend that had to spool: yyyyMMdd'T'HHmmss.SSS'Z'-pid-rand
 *       lock                     an OS file lock held by the process writing or delivering it
 *       journal.jsonl            append-only, one JSON operation per line (below)
 *       progress.json            how much of the journal was delivered
 *       runs.jsonl               tracker run id to MLflow run id, for runs created on delivery
 *       artifacts/               copies of the files to upload
 * </pre>
 *
 * <p>Journal lines, format 1 (JSON, snake_case, int64 as numbers, NaN and the infinities as the
 * strings "NaN", "Infinity", "-Infinity"):
 *
 * <pre>
 * {"op":"session","format":1,"server":"https://host","created":1700000000000}
 * {"op":"create_run","run":"&lt;tracker id&gt;","experiment_id":"3","experiment_name":"iris",
 *  "run_name":"lr-0.1","start_time":1700000000000,"tags":{"k":"v"},"parent":"&lt;tracker id&gt;",
 *  "resume":false}
 * {"op":"log_batch","run":"&lt;tracker id&gt;","server_run":"&lt;MLflow id&gt;","metrics":[{"key":"loss",
 *  "value":0.5,"timestamp":1700000000000,"step":1}],"params":[{"key":"lr","value":"0.1"}],
 *  "tags":[{"key":"k","value":"v"}]}
 * {"op":"log_artifact","run":"…","server_run":"…","path":"models/m.bin",
 *  "file":"artifacts/00000001-m.bin"}
 * {"op":"end_run","run":"…","server_run":"…","status":"FINISHED","end_time":1700000000000}
 * </pre>
 *
 * <p>Operations of a session are delivered in order; {@code server_run} is present when the
 * MLflow run existed when the operation was spooled. A run created on delivery is tagged
 * {@code tracker.runId} with the tracker's id, so a delivery cut short never creates it twice.
 * A param is never sent twice with different values: before a run's first batch the backend
 * reads the params the server already holds.
 *
 * <p>Instances only read; they are cheap and hold nothing open.
 */
public final class Spool {
  /** The system property naming the spool root. */
  public static final String PROPERTY = "tracker.spoolDir";
  /** The environment variable naming the spool root. */
  public static final String ENV = "TRACKER_SPOOL_DIR";

  static final String SERVER_FILE = "server";

  private final Path directory;

  private Spool(Path directory) {
    this.directory = directory;
  }

  /** {@code ~/.tracker/spool}: where spools are kept unless configured otherwise. */
  public static Path defaultRoot() {
    return Path.of(System.getProperty("user.home"), ".tracker", "spool");
  }

  /**
   * The spool folder of a server under {@code root}: {@code root/<16 hex characters>}, the
   * start of the SHA-256 of the server URL without credentials, trailing '/' or default port.
   */
  public static Path directoryFor(Path root, URI server) {
    return root.resolve(key(server));
  }

  /** The spool of the server whose folder is {@code directory} (see {@link #directoryFor}). */
  public static Spool at(Path directory) {
    return new Spool(directory);
  }

  /** The spools of every server under {@code root} that holds a spool folder. */
  public static List<Spool> all(Path root) throws IOException {
    List<Spool> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
      for (Path d : dirs) {
        if (Files.exists(d.resolve(SERVER_FILE))) {
          out.add(new Spool(d));
        }
      }
    }
    out.sort((a, b) -> a.directory.compareTo(b.directory));
    return out;
  }

  /** This spool's folder. */
  public Path directory() {
    return directory;
  }

  /** The server this spool belongs to (credentials removed), when recorded. */
  public Optional<String> server() throws IOException {
    Path f = directory.resolve(SERVER_FILE);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    return Optional.of(Files.readString(f, StandardCharsets.UTF_8).strip());
  }

  /**
   * A session waiting to be delivered.
   *
   * @param id the session folder's name; names sort oldest first
   * @param directory the session folder
   * @param pendingOperations operations not delivered yet
   * @param inUse true while a running process writes or delivers it
   */
  public record Session(String id, Path directory, int pendingOperations, boolean inUse) {}

  /** The sessions not yet delivered, oldest first. */
  public List<Session> sessions() throws IOException {
    List<Session> out = new ArrayList<>();
    for (Path d : sessionDirectories(directory)) {
      if (!Files.exists(d.resolve(Journal.JOURNAL))) {
        continue;
      }
      out.add(new Session(d.getFileName().toString(), d, Journal.pendingOperations(d),
          isLocked(d)));
    }
    return out;
  }

  /** True when no session waits. */
  public boolean isEmpty() throws IOException {
    for (Session s : sessions()) {
      if (s.pendingOperations() > 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "Spool{" + directory + "}";
  }

  /**
   * What {@link MlflowBackend#deliverSpooled()} did.
   *
   * @param sessions sessions delivered and removed
   * @param operations operations delivered (a batch counts when some of its records were)
   * @param pending sessions left: held by a running process, or not delivered because the server
   *     could not be reached
   * @param rejected records the server refused (each named by run, kind and key), never resent
   */
  public record SyncResult(int sessions, int operations, int pending, List<String> rejected) {
    /** Copies the list. */
    public SyncResult {
      rejected = List.copyOf(rejected);
    }
  }

  // ------------------------------------------------------------------------------- internals

  static List<Path> sessionDirectories(Path serverDir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(serverDir)) {
      return out;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(serverDir, Files::isDirectory)) {
      for (Path d : dirs) {
        out.add(d);
      }
    }
    out.sort(null);
    return out;
  }

  static void writeServerFile(Path serverDir, String server) throws IOException {
    Files.createDirectories(serverDir);
    Path f = serverDir.resolve(SERVER_FILE);
    if (!Files.exists(f)) {
      Files.writeString(f, server + "\n", StandardCharsets.UTF_8);
    }
  }

  private static boolean isLocked(Path dir) {
    try (FileChannel ch = FileChannel.open(dir.resolve(Journal.LOCK), StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException heldInThisJvm) {
      return true;
    } catch (NoSuchFileException gone) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  static String key(URI server) {
    String scheme = server.getScheme() == null ? "" : server.getScheme().toLowerCase(Locale.ROOT);
    String host = server.getHost() == null ? "" : server.getHost().toLowerCase(Locale.ROOT);
    int port = server.getPort();
    if (port == -1) {
      port = "https".equals(scheme) ? 443 : 80;
    }
    String path = server.getPath() == null ? "" : server.getPath().replaceAll("/+$", "");
    String normal = scheme + "://" + host + ":" + port + path;
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(normal.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static String describe(URI server) {
    return Secrets.redact(server.toString());
  }
}
