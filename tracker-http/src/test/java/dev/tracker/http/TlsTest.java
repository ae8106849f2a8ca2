package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.DeliveryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A self-signed server is refused unless its certificate is given or checking is off. */
class TlsTest {
  @TempDir Path tmp;
  private final FakeMlflowServer fake = new FakeMlflowServer();
  private final HeldCertificate certificate = new HeldCertificate.Builder()
      .commonName("localhost").addSubjectAlternativeName("localhost").build();
  private MockWebServer server;

  @BeforeEach
  void start() throws Exception {
    server = FakeMlflowServer.newServer();
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate).build()
        .sslSocketFactory());
    server.setDispatcher(fake);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private MlflowBackend.Builder builder() {
    return MlflowBackend.builder().uri("https://localhost:" + server.getPort())
        .spoolDir(tmp.resolve("spool")).backoffFactor(0.001).backoffJitter(0);
  }

  @Test
  void aSelfSignedServerIsRefusedByDefaultWithoutRetrying() throws Exception {
    try (MlflowBackend backend = builder().build()) {
      assertThatThrownBy(backend::listExperiments).isInstanceOf(DeliveryException.class)
          .satisfies(e -> assertThat(((DeliveryException) e).kind())
              .isEqualTo(DeliveryException.Kind.BLOCKED))
          .hasMessageStartingWith("POST experiments/search to https://localhost:"
              + server.getPort() + " failed: the TLS handshake failed (")
          .hasMessageEndingWith("); if the server uses a private or self-signed certificate,"
              + " set MLFLOW_TRACKING_SERVER_CERT_PATH to its CA certificate (PEM), or"
              + " MLFLOW_TRACKING_INSECURE_TLS=true to skip verification");
    }
    assertThat(fake.requests()).isEmpty();
  }

  @Test
  void aTrackerReportsTheRefusalAtFlushAndKeepsTheRecords() throws Exception {
    Tracker tracker = Tracker.builder().backend(builder().build()).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null)
        .closeTimeout(Duration.ofMillis(500)).build();
    Run run = tracker.experiment("e").startRun("r");
    run.logMetric("loss", 1, 0);

    assertThatThrownBy(tracker::flush).isInstanceOf(TrackerException.class)
        .hasMessageContaining("MLFLOW_TRACKING_SERVER_CERT_PATH");
    tracker.close();
    // the run's creation, its seed and loss (in one batch or two), its end
    assertThat(tracker.backlog().operations()).isGreaterThanOrEqualTo(3);
    assertThat(tracker.backlog().runEnds()).isEqualTo(1);
    assertThat(tracker.backlog().runsNotCreated()).isEqualTo(1);
    assertThat(tracker.backlog().journal()).startsWith(tmp.resolve("spool").toString());
  }

  @Test
  void theServersCertificateFileMakesItTrusted() throws Exception {
    Path pem = Files.writeString(tmp.resolve("ca.pem"), certificate.certificatePem());
    try (MlflowBackend backend = builder().serverCertPath(pem).build()) {
      assertThat(backend.listExperiments()).extracting(e -> e.name()).containsExactly("Default");
    }
  }

  @Test
  void aFolderOfCertificatesMakesItTrustedAsInMlflow() throws Exception {
    Path folder = Files.createDirectory(tmp.resolve("certs"));
    Files.writeString(folder.resolve("README"), "CA certificates of the team");
    Files.writeString(folder.resolve("ca.pem"), certificate.certificatePem());
    try (MlflowBackend backend = builder().serverCertPath(folder).build()) {
      assertThat(backend.listExperiments()).extracting(e -> e.name()).containsExactly("Default");
    }
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    assertThatThrownBy(() -> builder().serverCertPath(empty).build())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLFLOW_TRACKING_SERVER_CERT_PATH must name a PEM file (or folder) of CA"
            + " certificates but '" + empty + "' holds none");
  }

  @Test
  void insecureTlsAcceptsAnyCertificate() throws Exception {
    try (MlflowBackend backend = builder().insecureTls(true).build()) {
      assertThat(backend.listExperiments()).extracting(e -> e.name()).containsExactly("Default");
    }
  }

  @Test
  void aCertificateFileOfAnotherServerDoesNotHelp() throws Exception {
    HeldCertificate other = new HeldCertificate.Builder().commonName("localhost")
        .addSubjectAlternativeName("localhost").build();
    Path pem = Files.writeString(tmp.resolve("other.pem"), other.certificatePem());
    try (MlflowBackend backend = builder().serverCertPath(pem).build()) {
      assertThatThrownBy(backend::listExperiments).isInstanceOf(DeliveryException.class)
          .satisfies(e -> assertThat(((DeliveryException) e).kind())
              .isEqualTo(DeliveryException.Kind.BLOCKED))
          .hasMessageContaining("the TLS handshake failed");
    }
  }

  @Test
  void aFileThatIsNoCertificateIsRejectedAtBuild() throws Exception {
    Path pem = Files.writeString(tmp.resolve("bad.pem"), "not a certificate");
    assertThatThrownBy(() -> builder().serverCertPath(pem).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("MLFLOW_TRACKING_SERVER_CERT_PATH must name a readable PEM file"
            + " of CA certificates but '" + pem + "' is not one: ");
  }

  @Test
  void insecureTlsAndACertificateFileTogetherAreRejected() throws Exception {
    Path pem = Files.writeString(tmp.resolve("ca.pem"), certificate.certificatePem());
    assertThatThrownBy(() -> builder().serverCertPath(pem).insecureTls(true).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH must not"
            + " both be set: the first skips the verification that the second configures");
  }
}
