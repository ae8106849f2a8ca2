package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.spi.BackendConfig;
import dev.tracker.spi.Backends;
import dev.tracker.spi.TrackingBackend;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class FileBackendProviderTest {
  private final FileBackendProvider provider = new FileBackendProvider();

  @TempDir Path tmp;

  private static Path root(String uri, Map<String, String> props, Map<String, String> env) {
    return FileBackendProvider.root(BackendConfig.builder().uri(uri).systemProperties(props)
        .environment(env).build());
  }

  /** A tracker for {@code uri} that reads no property or variable. */
  private static Tracker trackerFor(String uri) {
    return Tracker.builder().uri(uri).shutdownHook(false).systemProperties(k -> null)
        .environment(k -> null).build();
  }

  private static Path root(String uri) {
    return root(uri, Map.of(), Map.of());
  }

  @Test
  void servesFileUrisBarePathsAndWindowsDrivesOnly() {
    assertThat(provider.supports(URI.create("file:./runs"))).isTrue();
    assertThat(provider.supports(URI.create("FILE:///data/runs"))).isTrue();
    assertThat(provider.supports(URI.create("runs"))).isTrue();
    assertThat(provider.supports(URI.create("C:/runs"))).isTrue();
    assertThat(provider.supports(URI.create("http://localhost:5000"))).isFalse();
    assertThat(provider.supports(URI.create("databricks"))).isFalse(); // MLflow's Databricks
    assertThat(provider.supports(URI.create("./databricks"))).isTrue();
    assertThat(provider.supports(URI.create("databricks://profile"))).isFalse();
    assertThat(provider.artifact()).isEqualTo("dev.tracker:tracker-file");
  }

  @Test
  void theRootIsThePathTheUriNames() {
    assertThat(root("file:./runs")).isEqualTo(Path.of("./runs"));
    assertThat(root("file:runs")).isEqualTo(Path.of("runs"));
    assertThat(root("file:my%20runs")).isEqualTo(Path.of("my runs"));
    assertThat(root("file:///data/runs")).isEqualTo(Path.of("/data/runs"));
    assertThat(root("file:/data/runs")).isEqualTo(Path.of("/data/runs"));
    assertThat(root("file://localhost/data/runs")).isEqualTo(Path.of("/data/runs"));
    assertThat(root("runs/nested")).isEqualTo(Path.of("runs/nested"));
    assertThat(root("/data/runs")).isEqualTo(Path.of("/data/runs"));
  }

  @Test
  void theBareDatabricksUriIsNeverAFolderNamedDatabricks() {
    assertThatThrownBy(() -> trackerFor("databricks"))
        .isExactlyInstanceOf(TrackerException.class)
        .hasMessage("no backend for URI scheme 'databricks' (databricks); add"
            + " dev.tracker:tracker-http to the class path");
    assertThat(Path.of("databricks")).doesNotExist();
  }

  @Test
  void trackerDirNamesTheRootWhenTheUriIsTheDefault() {
    assertThat(root(Tracker.DEFAULT_URI, Map.of(), Map.of("TRACKER_DIR", "/data/runs")))
        .isEqualTo(Path.of("/data/runs"));
    assertThat(root(Tracker.DEFAULT_URI, Map.of("tracker.dir", "/from/property"),
        Map.of("TRACKER_DIR", "/data/runs"))).isEqualTo(Path.of("/from/property"));
    assertThat(root("file:/explicit", Map.of(), Map.of("TRACKER_DIR", "/data/runs")))
        .isEqualTo(Path.of("/explicit"));
    assertThat(root(Tracker.DEFAULT_URI, Map.of(), Map.of("TRACKER_DIR", " ")))
        .isEqualTo(Path.of("./runs"));
  }

  @Test
  void aConfiguredUriWinsOverTrackerDirEvenWhenItIsTheDefaultsText() throws Exception {
    Path dir = tmp.resolve("from-tracker-dir");
    assertThat(FileBackendProvider.root(BackendConfig.builder().uri(Tracker.DEFAULT_URI)
        .defaultUri(false).systemProperties(Map.of())
        .environment(Map.of("TRACKER_DIR", dir.toString())).build()))
        .isEqualTo(Path.of("./runs"));
    Path runs = Path.of("runs");
    boolean existed = Files.exists(runs);
    try {
      for (Tracker.Builder b : new Tracker.Builder[] {
          Tracker.builder().uri(Tracker.DEFAULT_URI).systemProperties(k -> null),
          Tracker.builder().systemProperties(Map.of("tracker.uri", "file:./runs")::get)}) {
        try (Tracker t = b.shutdownHook(false)
            .environment(Map.of("TRACKER_DIR", dir.toString())::get).build()) {
          assertThat(t.uri()).isEqualTo("file:./runs");
        }
      }
      assertThat(dir).doesNotExist();
    } finally {
      if (!existed) {
        Files.deleteIfExists(runs);
      }
    }
  }

  @Test
  void urisThatNameNoLocalFolderAreRejected() {
    assertThatThrownBy(() -> root("file://server/share/runs"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("file URI must name a local folder (file:./runs, file:///abs/runs) but has"
            + " the host 'server' in 'file://server/share/runs'");
    assertThatThrownBy(() -> root("file:///runs?x=1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("file URI must not have a query or fragment but was 'file:///runs?x=1'");
    assertThatThrownBy(() -> root("file:///runs#top"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("file URI must not have a query or fragment but was 'file:///runs#top'");
  }

  @Test
  void credentialsInAFileUriDoNotAppearInTheMessage() {
    assertThatThrownBy(() -> root("file://user:secret@server/runs"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("file URI must name a local folder (file:./runs, file:///abs/runs) but has"
            + " the host 'server' in 'file://***@server/runs'");
  }

  @Test
  void aPasswordThatEndsTheAuthorityEarlyDoesNotAppearInTheMessage() {
    assertThatThrownBy(() -> root("file://alice:pa/ss@server/runs"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("file URI must name a local folder (file:./runs, file:///abs/runs) but has"
            + " an authority in 'file://***@server/runs'");
  }

  @Test
  void trackerFindsTheProviderByServiceLoader() throws Exception {
    Path root = tmp.resolve("runs");
    try (Tracker tracker = Tracker.builder().uri(root.toUri().toString()).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).build()) {
      assertThat(tracker.uri()).isEqualTo("file:" + root);
      try (Run run = tracker.experiment("found").startRun("r")) {
        run.logMetric("m", 1, 0);
      }
    }
    assertThat(Files.isDirectory(root.resolve("found"))).isTrue();
    assertThat(Backends.create(BackendConfig.of(URI.create("file:" + root))))
        .isInstanceOf(FileBackend.class);
  }

  @Test
  void aPathOrFileUriWithASpaceIsThatFolderAsInMlflow() throws Exception {
    for (String uri : new String[] {tmp + "/my runs", "file:" + tmp + "/my runs 2",
        "file://" + tmp + "/100% runs"}) {
      try (Tracker tracker = Tracker.builder().shutdownHook(false).systemProperties(k -> null)
          .environment(Map.of("MLFLOW_TRACKING_URI", uri)::get).build()) {
        assertThat(tracker.uri()).isEqualTo("file:" + uri.replaceFirst("^file:(//)?", ""));
        tracker.experiment("spaced").startRun("r").close();
      }
    }
    assertThat(tmp.resolve("my runs").resolve("spaced")).isDirectory();
    assertThat(tmp.resolve("my runs 2").resolve("spaced")).isDirectory();
    assertThat(tmp.resolve("100% runs").resolve("spaced")).isDirectory();
  }

  @Test
  void trackerUsesTrackerDirFromTheEnvironmentWhenNoUriIsConfigured() throws Exception {
    Path root = tmp.resolve("from-env");
    try (Tracker tracker = Tracker.builder().shutdownHook(false).systemProperties(k -> null)
        .environment(Map.of("TRACKER_DIR", root.toString())::get).build()) {
      assertThat(tracker.uri()).isEqualTo("file:" + root);
    }
  }

  @Test
  void anUnusableRunsFolderFailsAtBuildNamingThePathTheKindAndTheReason() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    Path root = file.resolve("runs");
    assertThatThrownBy(() -> Tracker.builder().uri("file:" + root).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).build())
        .isExactlyInstanceOf(TrackerException.class)
        .hasMessage("file:" + root + " cannot store records: the runs folder " + root
            + " cannot be created or written: FileSystemException: " + root + ": Not a directory")
        .hasRootCauseInstanceOf(java.nio.file.FileSystemException.class);
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aRunsFolderUnderProcFailsAtBuildWithNoSuchFile() {
    assertThatThrownBy(() -> trackerFor("file:/proc/runs"))
        .isExactlyInstanceOf(TrackerException.class)
        .hasMessage("file:/proc/runs cannot store records: the runs folder /proc/runs cannot be"
            + " created or written: NoSuchFileException: /proc/runs");
  }

  @Test
  void onlyATrackerCreatesTheRootReadersDoNot() throws Exception {
    Path root = tmp.resolve("not-yet");
    try (TrackingBackend reader = Backends.create(BackendConfig.of(URI.create("file:" + root)))) {
      assertThat(reader.listExperiments()).isEmpty();
    }
    assertThat(root).doesNotExist();
    try (Tracker tracker = Tracker.builder().uri("file:" + root).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).build()) {
      assertThat(root).isEmptyDirectory();
    }
  }
}
