package dev.tracker.internal;

import dev.tracker.Dataset;
import dev.tracker.DatasetInput;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

/**
 * Turns a {@link Dataset} into the {@link DatasetInput} to record: digests of local data, read
 * with one reused 1 MiB buffer (constant memory), and remembered by (absolute path, size,
 * modification time), so that logging an unchanged file again reads only its attributes.
 *
 * <p>A file's digest is the MD5 of its bytes (DVC 3's {@code md5}, {@code md5sum}'s). A folder's
 * is DVC 3's directory digest over its files (each file's digest cached as above): the MD5 of
 * {@code json.dumps([{"md5": …, "relpath": …}, …], sort_keys=True)} with the entries sorted by
 * relative path, plus {@code .dir}. The folder's files are those {@link ArtifactDirectory} lists:
 * symbolic links are followed only inside the folder; DVC's {@code .dvcignore} is not read, so a
 * folder with ignored files gets another digest than DVC's (its own {@code md5} is then recorded
 * beside it, from {@link DvcFiles}).
 *
 * <p>Not thread-safe: the tracker's dispatcher is its only user.
 */
public final class DatasetDigests {
  /** How many file digests are remembered. */
  static final int CACHE_ENTRIES = 4096;

  private static final int BUFFER_BYTES = 1 << 20;

  private final byte[] buffer = new byte[BUFFER_BYTES];
  private final MessageDigest md5 = newMd5();
  private final Map<Key, String> cache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, String> eldest) {
      return size() > CACHE_ENTRIES;
    }
  };

  private record Key(String path, long size, long modifiedNanos) {}

  /**
   * What to record for a data set.
   *
   * @throws IOException when a local data set cannot be read (gone since it was logged, say)
   */
  public DatasetInput input(Dataset d) throws IOException {
    String schema = d.schema().orElse(null);
    if (d.path().isEmpty()) {
      return new DatasetInput(d.name(), null, sourceType(d.source()), d.source(), d.context(),
          -1, -1, schema, null);
    }
    Path p = d.path().get();
    String dvc = DvcFiles.md5(p, Path.of("").toAbsolutePath());
    if (Files.isDirectory(p)) {
      List<ArtifactDirectory.Entry> files = new ArrayList<>(ArtifactDirectory.files(p));
      files.sort((a, b) -> compareCodePoints(a.relativePath(), b.relativePath()));
      StringBuilder json = new StringBuilder(files.size() * 80 + 2).append('[');
      long size = 0;
      for (ArtifactDirectory.Entry e : files) {
        if (json.length() > 1) {
          json.append(", ");
        }
        json.append("{\"md5\": \"").append(file(e.file())).append("\", \"relpath\": ");
        jsonString(json, e.relativePath());
        json.append('}');
        size += Files.size(e.file());
      }
      json.append(']');
      String digest = hex(md5.digest(json.toString().getBytes(StandardCharsets.UTF_8))) + ".dir";
      return new DatasetInput(d.name(), digest, DatasetInput.LOCAL, d.source(), d.context(),
          size, files.size(), schema, dvc);
    }
    return new DatasetInput(d.name(), file(p), DatasetInput.LOCAL, d.source(), d.context(),
        Files.size(p), 1, schema, dvc);
  }

  /** The MD5 of a file's bytes, from the cache when its size and modification time match. */
  String file(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    Key key = new Key(file.toAbsolutePath().normalize().toString(), a.size(),
        a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
    String digest = cache.get(key);
    if (digest == null) {
      digest = md5(file);
      cache.put(key, digest);
    }
    return digest;
  }

  /** The MD5 of a file's bytes, streamed through the reused buffer. */
  String md5(Path file) throws IOException {
    md5.reset();
    ByteBuffer buf = ByteBuffer.wrap(buffer);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int n;
      while ((n = ch.read(buf.clear())) >= 0) {
        md5.update(buffer, 0, n);
      }
    }
    return hex(md5.digest());
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
