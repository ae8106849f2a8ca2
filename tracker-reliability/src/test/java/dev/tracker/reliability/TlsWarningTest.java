package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.FlushResult;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.http.MlflowBackend;
import dev.tracker.http.testing.FakeMlflowServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS verification is on unless turned off explicitly ({@code MLFLOW_TRACKING_INSECURE_TLS=true});
 * turning it off logs one WARN per backend, however many requests follow.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsWarningTest {
  private static final String WARNING = "TLS certificate and host name verification is off for";

  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer();
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream originalErr;
  private MockWebServer server;

  @BeforeEach
  void start() throws Exception {
    HeldCertificate certificate = new HeldCertificate.Builder().commonName("localhost")
        .addSubjectAlternativeName("localhost").build();
    server = FakeMlflowServer.newServer();
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate).build()
        .sslSocketFactory());
    server.setDispatcher(fake);
    server.start();
    originalErr = System.err;
    // slf4j-simple writes WARN (this module's level) to whatever System.err is at the time
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    System.setErr(originalErr);
    server.close();
  }

  private Map<String, String> env(boolean insecure) {
    return insecure
        ? Map.of("MLFLOW_TRACKING_URI", "https://localhost:" + server.getPort(),
            "MLFLOW_TRACKING_INSECURE_TLS", "true", "TRACKER_SPOOL_DIR", tmp.toString(),
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        : Map.of("MLFLOW_TRACKING_URI", "https://localhost:" + server.getPort(),
            "TRACKER_SPOOL_DIR", tmp.toString(), "MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0");
  }

  private Tracker tracker(Map<String, String> env) {
    return Tracker.builder().environment(env::get).systemProperties(k -> null)
        .shutdownHook(false).standardTags(false).closeTimeout(Duration.ofSeconds(1)).build();
  }

  private List<String> warnings() {
    return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(WARNING))
        .toList();
  }

  @Test
  void turningVerificationOffWarnsOnceHoweverManyRequestsFollow() {
    Tracker tracker = tracker(env(true));
    Run run = tracker.experiment("tls").startRun("insecure");
    for (int i = 0; i < 3; i++) {
      run.logMetric("loss", i, i);
      assertThat(tracker.flush()).isEqualTo(FlushResult.DELIVERED);
    }
    tracker.close();

    assertThat(fake.requests()).hasSizeGreaterThan(5);
    assertThat(warnings()).singleElement().asString().endsWith("WARN dev.tracker.http.MlflowBackend"
        + " - " + WARNING + " https://localhost:" + server.getPort()
        + " (MLFLOW_TRACKING_INSECURE_TLS=true): anyone on the network path can read and change"
        + " what is sent, credentials included; set MLFLOW_TRACKING_SERVER_CERT_PATH to the"
        + " server's CA certificate instead");
  }

  @Test
  void eachBackendBuiltWithVerificationOffWarnsOnce() {
    MlflowBackend.Builder builder = MlflowBackend.builder()
        .uri("https://localhost:" + server.getPort()).spoolDir(tmp).insecureTls(true);
    try (MlflowBackend first = builder.build(); MlflowBackend second = builder.build()) {
      assertThat(first.listExperiments()).extracting(e -> e.name()).containsExactly("Default");
      assertThat(second.listExperiments()).extracting(e -> e.name()).containsExactly("Default");
      assertThat(first.listExperiments()).hasSize(1);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(warnings()).hasSize(2);
  }

  @Test
  void verificationIsOnByDefaultRefusingTheSelfSignedServerWithoutWarning() {
    Tracker tracker = tracker(env(false));
    Run run = tracker.experiment("tls").startRun("default");
    run.logMetric("loss", 1, 0);

    assertThatThrownBy(tracker::flush).isInstanceOf(TrackerException.class)
        .hasMessageContaining("the TLS handshake failed");
    tracker.close();
    assertThat(fake.requests()).isEmpty();
    assertThat(warnings()).isEmpty();
  }
}
