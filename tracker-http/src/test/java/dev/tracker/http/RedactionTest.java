package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.BackendConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials never reach logs, messages, toString() or the spool. */
class RedactionTest {
  private static final String PASSWORD = "pw-7f3e9a";
  private static final String TOKEN = "tok-c41d2b";
  private static final String USERINFO_SECRET = "ui-88a0e1";

  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer();
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream originalErr;
  private MockWebServer server;

  @BeforeEach
  void captureLogs() throws Exception {
    originalErr = System.err;
    // slf4j-simple writes to the current System.err
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    server = Fixtures.start(fake);
  }

  @AfterEach
  void restore() {
    System.setErr(originalErr);
    server.close();
  }

  private static List<String> secrets() {
    return List.of(PASSWORD, TOKEN, USERINFO_SECRET,
        Base64.getEncoder().encodeToString(("alice:" + PASSWORD)
            .getBytes(StandardCharsets.UTF_8)),
        Base64.getEncoder().encodeToString(("carol:" + USERINFO_SECRET)
            .getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void noSecretAppearsWhateverHappens() throws Exception {
    List<String> texts = new ArrayList<>();
    String uri = "http://carol:" + USERINFO_SECRET + "@localhost:" + server.getPort();
    BackendConfig config = BackendConfig.builder().uri(uri)
        .environment(Map.of("MLFLOW_TRACKING_USERNAME", "alice",
            "MLFLOW_TRACKING_PASSWORD", PASSWORD, "MLFLOW_TRACKING_TOKEN", TOKEN,
            "TRACKER_SPOOL_DIR", tmp.toString()))
        .systemProperties(Map.of()).build();
    MlflowBackend backend = MlflowBackendProvider.configure(config).backoffFactor(0.001)
        .backoffJitter(0).build();
    texts.add(backend.toString());
    texts.add(backend.describe());
    texts.add(backend.toBuilder().toString());
    texts.add(config.toString());
    fake.requireAuthorization("Bearer something-else"); // every request refused: 401
    Tracker tracker = Tracker.builder().backend(backend).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null)
        .closeTimeout(java.time.Duration.ofSeconds(1)).build();
    texts.add(tracker.toString());
    Run run = tracker.experiment("e").startRun("r");
    run.logMetric("loss", 1, 0);
    try {
      tracker.flush();
    } catch (RuntimeException e) {
      collect(e, texts);
    }
    fake.requireAuthorization(null);
    fake.outage(FakeMlflowServer.Outage.UNAVAILABLE);
    run.logMetric("loss", 2, 1);
    try {
      tracker.close();
    } catch (RuntimeException e) {
      collect(e, texts);
    }
    try (Stream<Path> files = Files.walk(tmp)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        texts.add(f.toString());
        texts.add(Files.readString(f, StandardCharsets.ISO_8859_1));
      }
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    texts.add(logs);

    assertThat(logs).contains("401").contains("journal");
    for (String text : texts) {
      for (String secret : secrets()) {
        assertThat(text).doesNotContain(secret);
      }
    }
  }

  private static void collect(Throwable t, List<String> texts) {
    while (t != null) {
      texts.add(t.toString());
      for (Throwable s : t.getSuppressed()) {
        collect(s, texts);
      }
      t = t.getCause();
    }
  }
}
