package dev.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Dataset;
import dev.tracker.DatasetInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Digests equal md5sum's and DVC 3's, and an unchanged file is not read again. */
class DatasetDigestsTest {
  @TempDir Path tmp;

  private final DatasetDigests digests = new DatasetDigests();

  @Test
  void aFileDigestIsTheMd5OfItsBytes() throws Exception {
    assertThat(digests.md5(Files.writeString(tmp.resolve("empty"), "")))
        .isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
    assertThat(digests.md5(Files.writeString(tmp.resolve("abc"), "abc")))
        .isEqualTo("900150983cd24fb0d6963f7d28e17f72");
    // DVC 3 hashes raw bytes: CRLF text is not normalised (DVC 2 did)
    assertThat(digests.md5(Files.writeString(tmp.resolve("crlf"), "a\r\nb\r\n")))
        .isEqualTo("59b0d7772f0561efb95518f3cb8abc60");
  }

  @Test
  void aFileBiggerThanTheBufferDigestsAsMd5sumSays() throws Exception {
    byte[] data = new byte[(3 << 20) + 12345];
    new Random(7).nextBytes(data);
    Path file = Files.write(tmp.resolve("big.bin"), data);
    String expected = java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("MD5").digest(data));
    assertThat(digests.md5(file)).isEqualTo(expected);
    String md5sum = md5sum(file);
    if (md5sum != null) {
      assertThat(digests.md5(file)).isEqualTo(md5sum);
    }
  }

  private static String md5sum(Path file) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder("md5sum", file.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      return null; // not on PATH
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out.substring(0, 32);
  }

  @Test
  void anUnchangedFileIsNotReadAgainAndAChangedOneIs() throws Exception {
    Path file = Files.writeString(tmp.resolve("d.csv"), "abc");
    FileTime t = FileTime.fromMillis(1_700_000_000_000L);
    Files.setLastModifiedTime(file, t);
    assertThat(digests.file(file).md5()).isEqualTo("900150983cd24fb0d6963f7d28e17f72");
    // same size, same time: the cached digest, though the bytes changed
    Files.writeString(file, "xyz");
    Files.setLastModifiedTime(file, t);
    assertThat(digests.file(file).md5()).isEqualTo("900150983cd24fb0d6963f7d28e17f72");
    Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_001_000L));
    assertThat(digests.file(file).md5()).isEqualTo("d16fb36f0911f878998c136191af705e");
  }

  @Test
  void aFolderDigestIsDvcsDirectoryDigest() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("images"));
    Files.writeString(dir.resolve("b.txt"), "b");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/a.txt"), "abc");
    Files.writeString(dir.resolve("\u00e9t\u00e9 \"q\".txt"), "");
    DatasetInput in = digests.input(Dataset.of(dir));
    // python3: json.dumps(sorted([{"md5":…,"relpath":…},…], key=relpath), sort_keys=True)
    assertThat(in.digest()).isEqualTo("89aff0baf1ebeb3cf0dd7a21cec1ca65.dir");
    assertThat(in.size()).isEqualTo(4);
    assertThat(in.fileCount()).isEqualTo(3);
    assertThat(in.sourceType()).isEqualTo("local");
  }

  @Test
  void jsonStringsAndOrderAreAsPythonWritesThem() {
    StringBuilder out = new StringBuilder();
    DatasetDigests.jsonString(out, "a\"\\\n\u0001\u007f\u00e9\ud83d\ude00~");
    assertThat(out.toString()).isEqualTo("\"a\\\"\\\\\\n\\u0001\\u007f\\u00e9\\ud83d\\ude00~\"");
    assertThat(DatasetDigests.compareCodePoints("\ud83d\ude00", "\uffff")).isPositive();
    assertThat(DatasetDigests.compareCodePoints("a", "ab")).isNegative();
    assertThat(DatasetDigests.compareCodePoints("ab", "ab")).isZero();
  }

  @Test
  void aUriIsDigestedByItsTextAndHasItsSchemeAsSourceType() throws Exception {
    // python3: hashlib.sha256(b"https://h/x.csv").hexdigest()[:8]
    assertThat(digests.input(Dataset.ofUri("https://h/x.csv").schema("{}")))
        .isEqualTo(new DatasetInput("x.csv", "14521217", "http", "https://h/x.csv", "training",
            -1, -1, "{}", null));
    assertThat(digests.input(Dataset.ofUri("S3://b/k")).sourceType()).isEqualTo("s3");
  }

  @Test
  void aFileGoneSinceItWasLoggedFailsOnTheDispatcherNamingIt() {
    Path gone = tmp.resolve("gone.csv");
    assertThatThrownBy(() -> digests.input(Dataset.of(gone)))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("cannot read dataset file " + gone + ": no such file")
        .hasCauseExactlyInstanceOf(NoSuchFileException.class);
  }

  @Test
  void aFileThatCannotBeReadFailsNamingItAndWhy() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("set"));
    Path secret = Files.writeString(dir.resolve("secret.csv"), "abc");
    Files.setPosixFilePermissions(secret, java.util.Set.of());
    Assumptions.assumeFalse(Files.isReadable(secret), "this user reads any file (root)");
    assertThatThrownBy(() -> digests.input(Dataset.of(dir)))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("cannot read dataset file " + secret + ": permission denied");
  }

  @Test
  void aFileThatChangesWhileItsDigestIsReadFailsAndIsNotCached() throws Exception {
    Path file = Files.writeString(tmp.resolve("growing.csv"), "abc");
    FileTime t = FileTime.fromMillis(1_700_000_000_000L);
    Files.setLastModifiedTime(file, t);
    AtomicBoolean append = new AtomicBoolean(true);
    // a writer appends while the first buffer is read: the bytes read are of no version of it
    DatasetDigests writing = new DatasetDigests(f -> {
      FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
      if (append.getAndSet(false)) {
        Files.writeString(f, "def", StandardOpenOption.APPEND);
        Files.setLastModifiedTime(f, FileTime.fromMillis(1_700_000_001_000L));
      }
      return ch;
    });
    assertThatThrownBy(() -> writing.input(Dataset.of(file)))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("dataset file " + file + " changed while its digest was read (3 bytes,"
            + " modified 2023-11-14T22:13:20Z, when it began; 6 bytes read; 6 bytes, modified"
            + " 2023-11-14T22:13:21Z, when it ended); log it once it is written");
    // the failed read left nothing in the cache: the file as it is now is read whole
    assertThat(writing.input(Dataset.of(file)))
        .extracting(DatasetInput::digest, DatasetInput::size)
        .containsExactly("e80b5017098950fc58aad83c8c14978e", 6L);
  }

  @Test
  void aFileWhoseSizeIsNotItsBytesFails() {
    Path status = Path.of("/proc/self/status");
    Assumptions.assumeTrue(Files.isReadable(status), "needs Linux's /proc");
    assertThatThrownBy(() -> digests.input(Dataset.of(status)))
        .isExactlyInstanceOf(IOException.class)
        .hasMessageStartingWith("dataset file " + status + " changed while its digest was read"
            + " (0 bytes, modified ");
  }

  @Test
  void anEmptyFolderHasDvcsEmptyDirectoryDigest() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("empty/sub"));
    assertThat(digests.input(Dataset.of(dir.getParent())))
        .extracting(DatasetInput::digest, DatasetInput::size, DatasetInput::fileCount)
        .containsExactly("d751713988987e9331980363e24189ce.dir", 0L, 0L);
  }

  @Test
  void linksToFilesCountAsTheFilesWhereverTheyLeadAndLinksToFoldersAreNotWalked(
      @TempDir Path cache) throws Exception {
    // DVC's symlink cache type: each file of the folder links into the cache, outside it
    Path copies = Files.createDirectories(tmp.resolve("copies/sub")).getParent();
    Files.writeString(copies.resolve("a.txt"), "abc");
    Files.writeString(copies.resolve("sub/b.txt"), "b");
    Path links = Files.createDirectories(tmp.resolve("links/sub")).getParent();
    Files.createSymbolicLink(links.resolve("a.txt"),
        Files.writeString(Files.createDirectories(cache.resolve("90"))
            .resolve("0150983cd24fb0d6963f7d28e17f72"), "abc"));
    Files.createSymbolicLink(links.resolve("sub/b.txt"), Files.writeString(
        Files.createDirectories(cache.resolve("92")).resolve("eb5ffee6ae2fec3ad71c777531578f"),
        "b"));
    Files.createSymbolicLink(links.resolve("elsewhere"), cache); // a folder: not walked
    DatasetInput copied = digests.input(Dataset.of(copies));
    assertThat(digests.input(Dataset.of(links)))
        .extracting(DatasetInput::digest, DatasetInput::size, DatasetInput::fileCount)
        .containsExactly(copied.digest(), 4L, 2L);
  }

  @Test
  void aLinkThatLeadsNowhereOrInALoopFailsTheFolderDigestNamingIt() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("set"));
    Files.writeString(dir.resolve("a.txt"), "a");
    Path dangling = Files.createSymbolicLink(dir.resolve("gone"), tmp.resolve("nothing"));
    assertThatThrownBy(() -> digests.input(Dataset.of(dir)))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("dataset folder " + dir + " holds a symbolic link 'gone' that leads nowhere"
            + " (no such file); remove it or point it at a file");
    Files.delete(dangling);
    Files.createSymbolicLink(dir.resolve("x"), dir.resolve("y"));
    Files.createSymbolicLink(dir.resolve("y"), dir.resolve("x"));
    assertThatThrownBy(() -> digests.input(Dataset.of(dir)))
        .isExactlyInstanceOf(IOException.class)
        .hasMessageStartingWith("dataset folder " + dir + " holds a symbolic link '")
        .hasMessageContaining("' that leads nowhere (Too many levels of symbolic links")
        .hasMessageEndingWith("); remove it or point it at a file");
  }

  @Test
  void dvcsOwnMd5IsRecordedFromADvcFileOrADvcLockAbove() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("repo/data"));
    Path train = Files.writeString(data.resolve("train.csv"), "abc");
    Files.writeString(data.resolve("train.csv.dvc"), """
        outs:
        - md5: 0123456789abcdef0123456789abcdef
          size: 3
          hash: md5
          path: train.csv
        """);
    assertThat(digests.input(Dataset.of(train)).dvcMd5())
        .isEqualTo("0123456789abcdef0123456789abcdef");

    Path test = Files.writeString(data.resolve("test.csv"), "abc");
    Path images = Files.createDirectories(data.resolve("images"));
    Files.writeString(tmp.resolve("repo/dvc.lock"), """
        schema: '2.0'
        stages:
          prepare:
            cmd: python prepare.py
            deps:
            - path: data/raw.csv  # the raw file
              hash: md5
              md5: "ffffffffffffffffffffffffffffffff"
            outs:
            - path: data/test.csv
              hash: md5
              md5: 900150983cd24fb0d6963f7d28e17f72
              size: 3
            - path: data/images
              hash: md5
              md5: 'd41d8cd98f00b204e9800998ecf8427e.dir'
              nfiles: 0
        """);
    assertThat(digests.input(Dataset.of(test)).dvcMd5())
        .isEqualTo("900150983cd24fb0d6963f7d28e17f72");
    assertThat(digests.input(Dataset.of(images)).dvcMd5())
        .isEqualTo("d41d8cd98f00b204e9800998ecf8427e.dir");
    Path other = Files.writeString(data.resolve("other.csv"), "abc");
    assertThat(digests.input(Dataset.of(other)).dvcMd5()).isNull();
  }

  @Test
  void aDvcLockInTheWorkingDirectoryCountsForDataOutsideIt() throws Exception {
    Path data = Files.writeString(Files.createDirectories(tmp.resolve("data")).resolve("t.csv"),
        "abc");
    Path work = Files.createDirectories(tmp.resolve("project"));
    assertThat(DvcFiles.md5(data, work)).isNull();
    Files.writeString(work.resolve("dvc.lock"), """
        stages:
          train:
            deps:
            - path: ../data/t.csv
              md5: 900150983cd24fb0d6963f7d28e17f72
        """);
    assertThat(DvcFiles.md5(data, work)).isEqualTo("900150983cd24fb0d6963f7d28e17f72");
    assertThat(DvcFiles.md5(data, work.resolve("sub"))).isEqualTo(
        "900150983cd24fb0d6963f7d28e17f72");
  }

  @Test
  void yamlScalarsLoseQuotesAndComments() {
    assertThat(DvcFiles.scalar(" 'a b' ")).isEqualTo("a b");
    assertThat(DvcFiles.scalar("\"x\" # c")).isEqualTo("x");
    assertThat(DvcFiles.scalar("abc  # c")).isEqualTo("abc");
  }
}
