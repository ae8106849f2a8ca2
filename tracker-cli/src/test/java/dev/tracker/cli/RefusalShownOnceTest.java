package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.file.FileBackend;
import dev.tracker.http.MlflowBackend;
import dev.tracker.http.testing.FakeMlflowServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code tracker sync} prints about records the server refuses: each refusal once, in the
 * command's own words, not a second time as the uploader's ERROR log line (slf4j-simple writes
 * {@code tracker.jar}'s log to the same standard error).
 */
class RefusalShownOnceTest extends FakeServerTest {
  private static final String REFUSAL = "param 'lr': already logged with value";

  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private PrintStream originalErr;

  @AfterEach
  void stop() {
    if (originalErr != null) {
      System.setErr(originalErr);
    }
  }

  /** Runs a sync, with what the process logs to standard error kept in {@link #log}. */
  private Harness.Result sync() {
    Harness h = Harness.real();
    h.env.put("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.01");
    h.env.put("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0");
    h.env.put("TRACKER_SPOOL_DIR", tmp.resolve("spool").toString());
    originalErr = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      return h.run("sync", "--from", "file:" + root(), "--to", url);
    } finally {
      System.setErr(originalErr);
      originalErr = null;
    }
  }

  private int times(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void aRecordTheServerRefusesIsShownOnce() throws Exception {
    String id;
    try (Tracker tracker = Tracker.builder().uri("file:" + root()).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).seed(1).build();
        Run run = tracker.experiment("iris").startRun("a")) {
      run.logParam("lr", 0.1);
      id = run.id();
    }
    assertThat(sync().code()).isZero();
    Path params = root().resolve("iris").resolve(id).resolve(FileBackend.PARAMS_FILE);
    Files.writeString(params, Files.readString(params).replace("lr: 0.1", "lr: 0.5"));
    log.reset();

    Harness.Result r = sync();

    assertThat(r.code()).isEqualTo(TrackerCli.BACKEND_ERROR);
    assertThat(times(r.err() + log.toString(StandardCharsets.UTF_8), REFUSAL))
        .as(r.err() + log.toString(StandardCharsets.UTF_8)).isEqualTo(1);
  }

  @Test
  void aJournaledRecordTheServerRefusesIsShownOnce() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    fake.interceptor(endpoint -> endpoint.equals("runs/log-batch") && down.get()
        ? FakeMlflowServer.disconnect() : null);
    try (Tracker tracker = Tracker.builder().backend(MlflowBackend.builder().uri(url)
            .spoolDir(tmp.resolve("spool")).backoffFactor(0.02).backoffJitter(0)
            .maxBackoff(Duration.ofMillis(50)).build())
        .shutdownHook(false).standardTags(false).systemProperties(k -> null)
        .environment(k -> null).closeTimeout(Duration.ofMillis(300)).build();
        Run run = tracker.experiment("iris").startRun("live")) {
      run.logParam("lr", 0.1);
      assertThat(fake.await(f -> f.runId("live") != null, Duration.ofSeconds(10))).isTrue();
    }
    fake.putParam(fake.runId("live"), "lr", "0.5");
    down.set(false);
    Files.createDirectories(root());

    Harness.Result r = sync();

    assertThat(r.code()).isEqualTo(TrackerCli.BACKEND_ERROR);
    assertThat(times(r.err() + log.toString(StandardCharsets.UTF_8), REFUSAL))
        .as(r.err() + log.toString(StandardCharsets.UTF_8)).isEqualTo(1);
  }
}
