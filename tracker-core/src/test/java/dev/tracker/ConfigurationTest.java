package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationTest {
  private final RecordingBackend backend = new RecordingBackend();

  private Tracker build(Map<String, String> props, Map<String, String> env) {
    return Tracker.builder().backend(backend).shutdownHook(false)
        .systemProperties(props::get).environment(env::get).build();
  }

  @Test
  void experimentComesFromPropertyThenTrackerEnvThenMlflowEnvThenDefault() {
    try (Tracker t = build(Map.of("tracker.experiment", "p"),
        Map.of("TRACKER_EXPERIMENT", "e", "MLFLOW_EXPERIMENT_NAME", "m"))) {
      assertThat(t.experiment().name()).isEqualTo("p");
    }
    try (Tracker t = build(Map.of(), Map.of("TRACKER_EXPERIMENT", "e",
        "MLFLOW_EXPERIMENT_NAME", "m"))) {
      assertThat(t.experiment().name()).isEqualTo("e");
    }
    try (Tracker t = build(Map.of(), Map.of("MLFLOW_EXPERIMENT_NAME", "m"))) {
      assertThat(t.experiment().name()).isEqualTo("m");
    }
    try (Tracker t = build(Map.of(), Map.of())) {
      assertThat(t.experiment().name()).isEqualTo(Tracker.DEFAULT_EXPERIMENT);
    }
  }

  @Test
  void builderWinsOverPropertiesAndEnvironment() {
    try (Tracker t = Tracker.builder().backend(backend).shutdownHook(false).experiment("b")
        .seed(5).systemProperties(Map.of("tracker.experiment", "p", "tracker.seed", "6")::get)
        .environment(k -> null).build()) {
      assertThat(t.experiment().name()).isEqualTo("b");
      assertThat(t.experiment().startRun().seeds().root()).isEqualTo(5);
    }
  }

  @Test
  void aSeedThatIsNotANumberIsRejectedNamingTheSetting() {
    assertThatThrownBy(() -> build(Map.of("tracker.seed", "abc"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tracker.seed / TRACKER_SEED must be a long integer but was 'abc'");
  }

  @Test
  void anUnknownSchemeNamesTheArtifactToAdd() {
    assertThatThrownBy(() -> Tracker.builder().uri("ftp://host/runs").shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).build())
        .isInstanceOf(TrackerException.class)
        .hasMessageStartingWith("no backend for URI scheme 'ftp' (ftp://host/runs); add");
    assertThatThrownBy(() -> Tracker.builder().uri("https://user:s3cret@host").shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).build())
        .isInstanceOf(TrackerException.class)
        .hasMessage("no backend for URI scheme 'https' (https://***@host); add"
            + " dev.tracker:tracker-http to the class path")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void aPasswordThatEndsTheAuthorityEarlyDoesNotAppearInTheMessage() {
    assertThatThrownBy(() -> fromSettings(Map.of("tracker.uri", "ftp://alice:pa/ss@host"),
        Map.of()))
        .isInstanceOf(TrackerException.class)
        .hasMessageStartingWith("no backend for URI scheme 'ftp' (ftp://***@host); add");
    assertThatThrownBy(() -> Tracker.builder().uri("http://alice:pa ss@host").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Tracker.builder().uri(..) must be a URI such as file:./runs or"
            + " http://host:5000 but was 'http://***@host'");
  }

  private static Tracker fromSettings(Map<String, String> props, Map<String, String> env) {
    return Tracker.builder().shutdownHook(false).systemProperties(props::get)
        .environment(env::get).build();
  }

  @Test
  void theUriComesFromPropertyThenTrackerEnvThenMlflowEnv() {
    // no backend serves these schemes here: the error names the URI that was taken
    assertThatThrownBy(() -> fromSettings(Map.of("tracker.uri", "a:x"),
        Map.of("TRACKER_URI", "b:y", "MLFLOW_TRACKING_URI", "c:z")))
        .isInstanceOf(TrackerException.class)
        .hasMessageStartingWith("no backend for URI scheme 'a' (a:x)");
    assertThatThrownBy(() -> fromSettings(Map.of("tracker.uri", " "),
        Map.of("TRACKER_URI", "b:y", "MLFLOW_TRACKING_URI", "c:z")))
        .hasMessageStartingWith("no backend for URI scheme 'b' (b:y)");
    assertThatThrownBy(() -> fromSettings(Map.of(), Map.of("TRACKER_URI", "",
        "MLFLOW_TRACKING_URI", " c:z ")))
        .hasMessageStartingWith("no backend for URI scheme 'c' (c:z)");
  }

  @Test
  void aUriThatIsNoUriNamesTheSettingItCameFrom() {
    assertThatThrownBy(() -> fromSettings(Map.of(),
        Map.of("MLFLOW_TRACKING_URI", "http://exa mple:5000")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLFLOW_TRACKING_URI must be a URI such as file:./runs or http://host:5000"
            + " but was 'http://exa mple:5000'");
    assertThatThrownBy(() -> fromSettings(Map.of("tracker.uri", "http://[x"), Map.of()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("tracker.uri must be a URI such as file:./runs or http://host:5000"
            + " but was 'http://[x'");
  }

  @Test
  void anMlflowDatabaseStoreIsRefusedNamingTheSettingAndTheWayOut() {
    assertThatThrownBy(() -> fromSettings(Map.of(),
        Map.of("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLFLOW_TRACKING_URI must be a tracking server's URL (http://host:5000) or a"
            + " folder (file:./runs) but was 'sqlite:///mlflow.db', a database that only an"
            + " MLflow server opens: start one with `mlflow server --backend-store-uri <that"
            + " URI>` and set MLFLOW_TRACKING_URI to its URL");
    for (String uri : new String[] {"postgresql://alice:s3cret@db/mlflow",
        "mysql+pymysql://alice:s3cret@db/mlflow", "MSSQL+pyodbc://alice:s3cret@db/mlflow"}) {
      assertThatThrownBy(() -> fromSettings(Map.of(), Map.of("TRACKER_URI", uri)))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("TRACKER_URI must be a tracking server's URL")
          .hasMessageContaining("://***@db/mlflow', a database")
          .hasMessageNotContaining("s3cret");
    }
  }

  @Test
  void aUriIsNotCheckedWhenABackendIsGiven() {
    try (Tracker t = build(Map.of(), Map.of("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db"))) {
      assertThat(t.uri()).isEqualTo(backend.describe());
    }
  }

  @Test
  void uploadsInFlightOutOfRangeInAVariableNamesTheVariable() {
    for (String v : new String[] {"0", "65", "four"}) {
      assertThatThrownBy(() -> build(Map.of(), Map.of("TRACKER_UPLOADS_IN_FLIGHT", v)))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("tracker.uploadsInFlight / TRACKER_UPLOADS_IN_FLIGHT must be an integer"
              + " from 1 to 64 but was '" + v + "'");
    }
    assertThatThrownBy(() -> Tracker.builder().backend(backend).uploadsInFlight(0).build())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("uploadsInFlight must be from 1 to 64 but was 0");
  }

  @Test
  void invalidBuilderSettingsNameTheSetting() {
    assertThatThrownBy(() -> Tracker.builder().backend(backend).batchSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchSize must be at least 1 but was 0");
    assertThatThrownBy(() -> Tracker.builder().backend(backend).queueCapacity(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("queueCapacity must be at least 1 but was -1");
    assertThatThrownBy(() -> Tracker.builder().backend(backend).flushInterval(Duration.ZERO)
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("flushInterval must be positive but was PT0S");
  }

  @Test
  void resumeRunContinuesTheGivenRunId() {
    try (Tracker t = build(Map.of(), Map.of("MLFLOW_RUN_ID", "0123456789abcdef0123456789abcdef"))) {
      Run run = t.experiment().startRun("resumed");
      Run next = t.experiment().startRun("new");
      t.flush();
      assertThat(run.id()).isEqualTo("0123456789abcdef0123456789abcdef");
      assertThat(backend.spec(run.id()).resume()).isTrue();
      assertThat(backend.spec(next.id()).resume()).isFalse();
    }
  }

  @Test
  void noopTrackerValidatesButRecordsNothing() {
    try (Tracker t = Tracker.noop()) {
      Run run = t.experiment("e").startRun("r");
      run.logMetric("loss", 1.0, 0);
      assertThatThrownBy(() -> run.logMetric("lo$$", 1.0, 0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(t.uri()).isEqualTo("noop");
      assertThat(t.flush()).isEqualTo(FlushResult.DELIVERED);
    }
  }
}
