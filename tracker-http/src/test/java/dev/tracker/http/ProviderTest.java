package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.spi.BackendConfig;
import dev.tracker.spi.Backends;
import dev.tracker.spi.RemoteDelivery;
import dev.tracker.spi.TrackingBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The provider is found for http(s) URIs and reads MLflow's variables through the config. */
class ProviderTest {
  @TempDir Path tmp;

  private BackendConfig config(String uri, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("TRACKER_SPOOL_DIR", tmp.toString());
    return BackendConfig.builder().uri(uri).environment(all).systemProperties(Map.of()).build();
  }

  private MlflowBackend.Builder configured(Map<String, String> env) {
    return MlflowBackendProvider.configure(config("http://localhost:5000", env));
  }

  @Test
  void theServiceLoaderFindsTheProviderForHttpAndHttps() throws Exception {
    for (String uri : new String[] {"http://localhost:5000", "https://dagshub.com/o/r.mlflow"}) {
      try (TrackingBackend b = Backends.create(config(uri, Map.of()))) {
        assertThat(b).isInstanceOf(MlflowBackend.class);
        assertThat(b.describe()).isEqualTo(uri);
      }
    }
  }

  @Test
  void supportsHttpHttpsAndDatabricksOnly() {
    MlflowBackendProvider p = new MlflowBackendProvider();
    assertThat(p.supports(URI.create("HTTP://h"))).isTrue();
    assertThat(p.supports(URI.create("https://h"))).isTrue();
    assertThat(p.supports(URI.create("databricks"))).isTrue();
    assertThat(p.supports(URI.create("file:./runs"))).isFalse();
    assertThat(p.supports(URI.create("runs/databricks"))).isFalse();
    assertThat(p.artifact()).isEqualTo("dev.tracker:tracker-http");
  }

  @Test
  void theBareDatabricksUriIsAClearErrorToo() {
    assertThatThrownBy(() -> new MlflowBackendProvider().create(config("databricks", Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tracking URI 'databricks' names a Databricks profile");
  }

  @Test
  void aDatabricksProfileIsAClearError() {
    assertThatThrownBy(() -> new MlflowBackendProvider().create(config("databricks://prod",
        Map.of()))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tracking URI 'databricks://prod' names a Databricks profile, which"
            + " dev.tracker:tracker-http does not read; set MLFLOW_TRACKING_URI to the workspace"
            + " URL (https://<workspace>.cloud.databricks.com) and MLFLOW_TRACKING_TOKEN to a"
            + " personal access token");
  }

  @Test
  void everyMlflowVariableIsRead() {
    MlflowBackend.Builder b = configured(Map.of(
        "MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "pw",
        "MLFLOW_TRACKING_INSECURE_TLS", "TRUE",
        "MLFLOW_EXPERIMENT_ID", "42",
        "MLFLOW_HTTP_REQUEST_TIMEOUT", "15",
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES", "3",
        "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.5",
        "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0.25",
        "TRACKER_SPOOL_DIR", "/var/spool/tracker"));

    assertThat(b.authKind()).isEqualTo("basic");
    assertThat(b.insecureTls()).isTrue();
    assertThat(b.experimentId()).isEqualTo("42");
    assertThat(b.timeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(b.backoffFactor()).isEqualTo(0.5);
    assertThat(b.backoffJitter()).isEqualTo(0.25);
    assertThat(b.spoolDir()).isEqualTo(Path.of("/var/spool/tracker"));
  }

  @Test
  void theTokenAndTheCertificatePathAreRead() {
    MlflowBackend.Builder b = configured(Map.of("MLFLOW_TRACKING_TOKEN", "t",
        "MLFLOW_TRACKING_SERVER_CERT_PATH", "/etc/ca.pem"));
    assertThat(b.authKind()).isEqualTo("bearer");
    assertThat(b.serverCertPath()).isEqualTo(Path.of("/etc/ca.pem"));
  }

  @Test
  void withoutVariablesTheDefaultsApply() {
    MlflowBackend.Builder b = MlflowBackendProvider.configure(BackendConfig.builder()
        .uri("http://h").environment(Map.of()).systemProperties(Map.of()).build());
    assertThat(b.authKind()).isEqualTo("none");
    assertThat(b.timeout()).isEqualTo(MlflowBackend.DEFAULT_TIMEOUT);
    assertThat(b.backoffFactor()).isEqualTo(2.0);
    assertThat(b.spoolDir()).isEqualTo(MlflowBackend.defaultSpoolDir());
  }

  @Test
  void theSpoolPropertyWinsOverTheVariable() {
    MlflowBackend.Builder b = MlflowBackendProvider.configure(BackendConfig.builder()
        .uri("http://h").environment(Map.of("TRACKER_SPOOL_DIR", "/a"))
        .systemProperties(Map.of("tracker.spoolDir", "/b")).build());
    assertThat(b.spoolDir()).isEqualTo(Path.of("/b"));
  }

  @Test
  void theExperimentIdIsIgnoredWhenAnExperimentNameIsConfigured() {
    assertThat(configured(Map.of("MLFLOW_EXPERIMENT_ID", "42", "MLFLOW_EXPERIMENT_NAME", "iris"))
        .experimentId()).isNull();
    assertThat(configured(Map.of("MLFLOW_EXPERIMENT_ID", "42", "TRACKER_EXPERIMENT", "iris"))
        .experimentId()).isNull();
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "MLFLOW_TRACKING_INSECURE_TLS|yes|MLFLOW_TRACKING_INSECURE_TLS must be one of true, false,"
          + " 1, 0 but was 'yes'",
      "MLFLOW_HTTP_REQUEST_TIMEOUT|0|MLFLOW_HTTP_REQUEST_TIMEOUT must be a positive number of"
          + " seconds but was '0'",
      "MLFLOW_HTTP_REQUEST_TIMEOUT|soon|MLFLOW_HTTP_REQUEST_TIMEOUT must be a positive number of"
          + " seconds but was 'soon'",
      "MLFLOW_HTTP_REQUEST_MAX_RETRIES|-1|MLFLOW_HTTP_REQUEST_MAX_RETRIES must be a non-negative"
          + " integer but was '-1'",
      "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR|NaN|MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR must be a"
          + " non-negative number of seconds but was 'NaN'",
      "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER|-2|MLFLOW_HTTP_REQUEST_BACKOFF_JITTER must be a"
          + " non-negative number of seconds but was '-2'"})
  void anInvalidValueIsRejectedNamingTheVariable(String name, String value, String message) {
    assertThatThrownBy(() -> configured(Map.of(name, value)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "3000000|PT833H20M", "0.0001|PT0.0001S"})
  void aTimeoutOkHttpCannotTakeIsRejectedNamingTheVariable(String seconds, String shown) {
    assertThatThrownBy(() -> configured(Map.of("MLFLOW_HTTP_REQUEST_TIMEOUT", seconds)).build())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout (MLFLOW_HTTP_REQUEST_TIMEOUT) must be from 1 ms to 2147483647 ms"
            + " (24 days) but was " + shown);
  }

  @Test
  void aTokenThatNoHeaderCanCarryIsRejectedAtBuildWithoutShowingIt() {
    // a zero-width space pasted with the token from a web page
    assertThatThrownBy(() -> configured(Map.of("MLFLOW_TRACKING_TOKEN", "dapi-s3cret\u200b"))
        .build())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLFLOW_TRACKING_TOKEN must hold only printable ASCII characters, as an HTTP"
            + " header does, but holds U+200B at index 11");
    assertThatThrownBy(() -> configured(Map.of("MLFLOW_TRACKING_TOKEN", "s3cret\nX-Evil: 1"))
        .build())
        .hasMessageEndingWith("but holds U+000A at index 6");
  }

  @Test
  void aUsernameWithoutPasswordIsRejected() {
    assertThatThrownBy(() -> configured(Map.of("MLFLOW_TRACKING_USERNAME", "alice")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD must be set together"
            + " but only the username was given");
  }

  @Test
  void aUriWithoutHostOrWithAnotherSchemeIsRejected() {
    assertThatThrownBy(() -> MlflowBackend.builder().uri("ftp://h").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLflow tracking URI must start with http:// or https:// but was 'ftp://h'");
    assertThatThrownBy(() -> MlflowBackend.builder().uri("http:///x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLflow tracking URI must name a host but was 'http:///x'");
    assertThatThrownBy(() -> MlflowBackend.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLflow tracking URI must be set (MLFLOW_TRACKING_URI or"
            + " MlflowBackend.builder().uri(..)), e.g. http://localhost:5000");
  }

  @Test
  void aPasswordThatEndsTheAuthorityEarlyDoesNotAppearInTheMessage() {
    assertThatThrownBy(() -> MlflowBackend.builder().uri("https://alice:pa/ss@host").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLflow tracking URI must be http(s)://host[:port][/path], with a host name or"
            + " address and a port from 1 to 65535, but was 'https://***@host'");
    assertThatThrownBy(() -> MlflowBackend.builder().uri("http://alice:pa ss@host"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLflow tracking URI must be a URI such as http://host:5000 but was"
            + " 'http://***@host'");
  }

  @Test
  void aHostNameWithAnUnderscoreIsAHostAsInMlflow() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().body("{}").build());
      server.start();
      Dns compose = host -> host.equals("mlflow_server")
          ? List.of(InetAddress.getLoopbackAddress()) : Dns.SYSTEM.lookup(host);
      String uri = "http://bob:tok%2F1@mlflow_server:" + server.getPort() + "/mlflow/";
      try (MlflowBackend b = MlflowBackend.builder().uri(uri).spoolDir(tmp)
          .client(new OkHttpClient.Builder().dns(compose).build()).build()) {
        assertThat(b.describe()).isEqualTo("http://mlflow_server:" + server.getPort() + "/mlflow");
        assertThat(b.toString()).endsWith(", auth=basic}");
        assertThat(b.listExperiments()).isEmpty();
      }
      RecordedRequest r = server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
      assertThat(r.getHeaders().get("Host")).isEqualTo("mlflow_server:" + server.getPort());
      assertThat(r.getUrl().encodedPath()).startsWith("/mlflow/api/2.0/mlflow/");
      assertThat(r.getHeaders().get("Authorization")).isEqualTo("Basic "
          + Base64.getEncoder().encodeToString("bob:tok/1".getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void aPathPrefixIsKeptAndATrailingSlashQueryAndFragmentAreNot() throws Exception {
    try (MlflowBackend b = MlflowBackend.builder()
        .uri("http://host:5000/team/mlflow//?o=1#/experiments/3").spoolDir(tmp).build()) {
      assertThat(b.describe()).isEqualTo("http://host:5000/team/mlflow");
    }
  }

  @Test
  void anInternationalizedHostNameIsAHost() throws Exception {
    try (MlflowBackend b = MlflowBackend.builder().uri("https://mlflöw.example/").spoolDir(tmp)
        .build()) {
      assertThat(b.describe()).isEqualTo("https://xn--mlflw-mua.example");
    }
  }

  @Test
  void serversWhoseHostNamesHaveUnderscoresKeepTheirJournalsApart() {
    Path root = Path.of("/s");
    Path compose = MlflowBackend.journalDirectory(root, URI.create("http://mlflow_server:5000"));
    assertThat(compose)
        .isNotEqualTo(MlflowBackend.journalDirectory(root, URI.create("http://other_server:5000")))
        .isNotEqualTo(MlflowBackend.journalDirectory(root, URI.create("http://mlflow_server:5001")))
        .isEqualTo(MlflowBackend.journalDirectory(root,
            URI.create("http://u:p@MLflow_Server:5000/")));
    assertThat(MlflowBackend.journalDirectory(root, URI.create("http://mlflow_server")))
        .isEqualTo(MlflowBackend.journalDirectory(root, URI.create("http://mlflow_server:80")));
  }

  @Test
  void aPortOutOfRangeIsRejectedNamingTheRule() {
    assertThatThrownBy(() -> MlflowBackend.builder().uri("http://alice:s3cret@host:99999")
        .spoolDir(tmp).build())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLflow tracking URI must be http(s)://host[:port][/path], with a host name or"
            + " address and a port from 1 to 65535, but was 'http://***@host:99999'");
  }

  @Test
  void mlflowVariablesThisBackendCannotHonourAreWarnedAboutNotIgnored() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream err = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8)); // slf4j-simple's
    try {
      configured(Map.of("MLFLOW_TRACKING_CLIENT_CERT_PATH", "/etc/client.pem",
          "MLFLOW_TRACKING_AUTH", "my_plugin", "MLFLOW_TRACKING_AWS_SIGV4", "TRUE"));
      configured(Map.of("MLFLOW_TRACKING_AWS_SIGV4", "false"));
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains("WARN")).toList())
        .hasSize(3)
        .anySatisfy(l -> assertThat(l).endsWith("MLFLOW_TRACKING_CLIENT_CERT_PATH is set, but"
            + " dev.tracker:tracker-http sends no client certificate: a server that requires"
            + " one (mutual TLS) refuses the connection"))
        .anySatisfy(l -> assertThat(l).contains("MLFLOW_TRACKING_AUTH is set, but"))
        .anySatisfy(l -> assertThat(l).contains("MLFLOW_TRACKING_AWS_SIGV4 is true, but"));
  }

  @Test
  void theSpoolFolderOfAServerIsTheJournalFolderCoreNamesForIt() {
    URI server = URI.create("https://u:p@Example.com:443/team/");
    assertThat(MlflowBackend.journalDirectory(Path.of("/s"), server))
        .isEqualTo(RemoteDelivery.journalDirectory(Path.of("/s"), server))
        .isEqualTo(MlflowBackend.journalDirectory(Path.of("/s"),
            URI.create("https://example.com/team")));
  }

}
