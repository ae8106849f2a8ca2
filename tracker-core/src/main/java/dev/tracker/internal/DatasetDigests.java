package dev.tracker.internal;

import dev.tracker.Dataset;
import dev.tracker.DatasetInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Turns a {@link Dataset} into the {@link DatasetInput} to record: digests of local data, read
 * with one reused 1 MiB buffer (constant memory), and remembered by (absolute path, size,
 * modification time), so that logging an unchanged file again reads only its attributes.
 *
 * <p>A file's digest is the MD5 of its bytes (DVC 3's {@code md5}, {@code md5sum}'s). A folder's
 * is DVC 3's directory digest over its files (each file's digest cached as above): the MD5 of
 * {@code json.dumps([{"md5": …, "relpath": …}, …], sort_keys=True)} with the entries sorted by
 * relative path, plus {@code .dir}. The folder's files are found as DVC finds them: a symbolic
 * link to a file counts as that file wherever it leads (DVC's {@code symlink} cache type makes
 * every file of a folder such a link), a link to a folder is not walked into, and a link that
 * leads nowhere fails the digest, as it fails DVC's. DVC's {@code .dvcignore} is not read, so a
 * folder with ignored files gets another digest than DVC's (its own {@code md5} is then recorded
 * beside it, from {@link DvcFiles}).
 *
 * <p>A file that changes while its digest is read (its size or modification time differ after,
 * or it held other than its size in bytes) fails the digest: the digest would be of no version
 * of the file, and the recorded size not the digest's. A file that cannot be read fails it with
 * a message naming the file and the reason.
 *
 * <p>Not thread-safe: the tracker's dispatcher is its only user.
 */
public final class DatasetDigests {
  /** How many file digests are remembered. */
  static final int CACHE_ENTRIES = 4096;

  private static final int BUFFER_BYTES = 1 << 20;

  /** Opens a file to read its bytes; tests change what a read sees. */
  interface Opener {
    ReadableByteChannel open(Path file) throws IOException;
  }

  private final Opener opener;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private final MessageDigest md5 = newMd5();
  private final Map<Key, String> cache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, String> eldest) {
      return size() > CACHE_ENTRIES;
    }
  };

  private record Key(String path, long size, long modifiedNanos) {}

  /** A file's digest and its size in bytes, both of the bytes read. */
  record FileDigest(String md5, long size) {}

  /** Digests that read files as they are. */
  public DatasetDigests() {
    this(file -> FileChannel.open(file, StandardOpenOption.READ));
  }

  DatasetDigests(Opener opener) {
    this.opener = opener;
  }

  /**
   * What to record for a data set.
   *
   * @throws IOException when a local data set cannot be read (gone since it was logged, say)
   */
  public DatasetInput input(Dataset d) throws IOException {
    String schema = d.schema().orElse(null);
    if (d.path().isEmpty()) {
      return new DatasetInput(d.name(), uriDigest(d.source()), sourceType(d.source()),
          d.source(), d.context(), -1, -1, schema, null);
    }
    Path p = d.path().get();
    String dvc = DvcFiles.md5(p, Path.of("").toAbsolutePath());
    if (Files.isDirectory(p)) {
      List<ArtifactDirectory.Entry> files = folderFiles(p);
      files.sort((a, b) -> compareCodePoints(a.relativePath(), b.relativePath()));
      StringBuilder json = new StringBuilder(files.size() * 80 + 2).append('[');
      long size = 0;
      for (ArtifactDirectory.Entry e : files) {
        if (json.length() > 1) {
          json.append(", ");
        }
        FileDigest f = file(e.file());
        json.append("{\"md5\": \"").append(f.md5()).append("\", \"relpath\": ");
        jsonString(json, e.relativePath());
        json.append('}');
        size += f.size();
      }
      json.append(']');
      String digest = hex(md5.digest(json.toString().getBytes(StandardCharsets.UTF_8))) + ".dir";
      return new DatasetInput(d.name(), digest, DatasetInput.LOCAL, d.source(), d.context(),
          size, files.size(), schema, dvc);
    }
    FileDigest f = file(p);
    return new DatasetInput(d.name(), f.md5(), DatasetInput.LOCAL, d.source(), d.context(),
        f.size(), 1, schema, dvc);
  }

  /**
   * The files of a data set folder, as DVC walks it ({@code os.walk}, links to folders not
   * followed): regular files, and links to regular files wherever they lead.
   *
   * @throws IOException naming the folder and the entry when a link leads nowhere (dangling, a
   *     loop) or a folder in it cannot be read
   */
  static List<ArtifactDirectory.Entry> folderFiles(Path dir) throws IOException {
    Path real = dir.toRealPath();
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(real)) {
      paths = walk.filter(p -> !p.equals(real)).toList();
    } catch (UncheckedIOException e) {
      throw new IOException("cannot list dataset folder " + dir + ": " + why(e.getCause()),
          e.getCause());
    }
    List<ArtifactDirectory.Entry> out = new ArrayList<>();
    for (Path p : paths) {
      String relative = real.relativize(p).toString().replace('\\', '/');
      if (Files.isSymbolicLink(p)) {
        Path target;
        try {
          target = p.toRealPath();
        } catch (IOException e) {
          throw new IOException("dataset folder " + dir + " holds a symbolic link '" + relative
              + "' that leads nowhere (" + why(e) + "); remove it or point it at a file", e);
        }
        if (!Files.isRegularFile(target)) {
          continue; // a folder (not walked into, as DVC does not), a device, a pipe
        }
      } else if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      out.add(new ArtifactDirectory.Entry(p, relative));
    }
    return out;
  }

  /**
   * The MD5 and size of a file's bytes, from the cache when its size and modification time
   * match.
   *
   * @throws IOException naming the file when it cannot be read or changed while it was read
   */
  FileDigest file(Path file) throws IOException {
    BasicFileAttributes a = attributes(file);
    Key key = new Key(file.toAbsolutePath().normalize().toString(), a.size(),
        a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
    String digest = cache.get(key);
    if (digest != null) {
      return new FileDigest(digest, a.size());
    }
    long read;
    try {
      read = hash(file);
    } catch (IOException e) {
      throw unreadable(file, e);
    }
    digest = hex(md5.digest());
    BasicFileAttributes after = attributes(file);
    if (read != a.size() || after.size() != a.size()
        || !after.lastModifiedTime().equals(a.lastModifiedTime())) {
      throw new IOException("dataset file " + file + " changed while its digest was read ("
          + a.size() + " bytes, modified " + a.lastModifiedTime() + ", when it began; " + read
          + " bytes read; " + after.size() + " bytes, modified " + after.lastModifiedTime()
          + ", when it ended); log it once it is written");
    }
    cache.put(key, digest);
    return new FileDigest(digest, a.size());
  }

  private static BasicFileAttributes attributes(Path file) throws IOException {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      throw unreadable(file, e);
    }
  }

  private static IOException unreadable(Path file, IOException e) {
    return new IOException("cannot read dataset file " + file + ": " + why(e), e);
  }

  /** The MD5 of a file's bytes, streamed through the reused buffer. */
  String md5(Path file) throws IOException {
    hash(file);
    return hex(md5.digest());
  }

  /** Feeds the file's bytes to {@link #md5}, reset first; returns how many there were. */
  private long hash(Path file) throws IOException {
    md5.reset();
    ByteBuffer buf = ByteBuffer.wrap(buffer);
    long read = 0;
    try (ReadableByteChannel ch = opener.open(file)) {
      int n;
      while ((n = ch.read(buf.clear())) >= 0) {
        md5.update(buffer, 0, n);
        read += n;
      }
    }
    return read;
  }

  /** Why reading failed, without the file's name, which the message already has. */
  private static String why(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /**
   * The digest of a data set known by its URI, whose data is not read: the first 8 hex digits of
   * the SHA-256 of the URI, as MLflow's {@code MetaDataset} digests a data set from its source.
   * Backends keep one input per name and digest; without it, two URIs with one file name
   * ({@code …/v3/train.parquet}, {@code …/v4/train.parquet}) were one input.
   */
  static String uriDigest(String uri) {
    try {
      byte[] utf8 = uri.getBytes(StandardCharsets.UTF_8);
      return hex(MessageDigest.getInstance("SHA-256").digest(utf8)).substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must"
          + " have", e);
    }
  }

  /** MLflow's source type of a URI: {@code http} for http and https, else its scheme. */
  static String sourceType(String uri) {
    String scheme = URI.create(uri).getScheme().toLowerCase(Locale.ROOT);
    return scheme.equals("https") ? "http" : scheme;
  }

  /**
   * Strings by code point, as Python and SQLite (UTF-8 bytes) order them; Java's compareTo orders
   * by UTF-16 unit, which puts a character beyond U+FFFF before one from U+E000 to U+FFFF.
   */
  public static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** A JSON string as Python's {@code json.dumps} writes it (ASCII only, {@code \\uXXXX}). */
  static void jsonString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no MD5, which every Java platform must have",
          e);
    }
  }
}
