package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.spi.ModelStore;
import dev.tracker.testing.ForwardingBackend;
import dev.tracker.testing.RecordingBackend;
import dev.tracker.testing.RemoteRecordingBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ModelRegistryTest {
  @TempDir Path tmp;

  private final RecordingBackend recording = new RecordingBackend();

  private Tracker tracker() {
    return Tracker.builder().backend(recording).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).build();
  }

  /** A tracker with model "iris" version 1 registered. */
  private Tracker withIris() {
    Tracker tracker = tracker();
    try (Run run = tracker.experiment("e").startRun("r")) {
      run.logText("w", "model/w.txt");
      tracker.models().register("iris", run, "model");
    }
    return tracker;
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "v1      | model alias 'v1' is reserved: it names a version",
      "V12     | model alias 'V12' is reserved: it names a version",
      "42      | model alias '42' is reserved: it names a version",
      "latest  | model alias 'latest' is reserved: 'latest' (in any case) is MLflow's name for"
          + " the newest version",
      "LaTeSt  | model alias 'LaTeSt' is reserved: 'latest' (in any case) is MLflow's name for"
          + " the newest version",
      "a b     | model alias must be letters, digits, '_' and '-', at most 255 characters, but"
          + " was 'a b'",
      "'a.b'   | model alias must be letters, digits, '_' and '-', at most 255 characters, but"
          + " was 'a.b'"})
  void aliasesFollowMlflowsRules(String alias, String message) {
    try (Tracker tracker = withIris()) {
      assertThatThrownBy(() -> tracker.models().setAlias("iris", alias, 1))
          .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
  }

  @Test
  void aliasesMayHoldUnicodeLettersDigitsUnderscoresAndDashes() {
    try (Tracker tracker = withIris()) {
      tracker.models().setAlias("iris", "prod-2_ünï", 1);
      tracker.models().setAlias("iris", "v1x", 1);
      assertThat(tracker.models().get("iris", "prod-2_ünï").aliases())
          .containsExactly("prod-2_ünï", "v1x");
      tracker.models().setAlias("iris", "a".repeat(255), 1);
      assertThatThrownBy(() -> tracker.models().setAlias("iris", "a".repeat(256), 1))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("model alias must be letters, digits, '_' and '-', at most 255");
      assertThatThrownBy(() -> tracker.models().deleteAlias("iris", ""))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("model alias must not be null or empty");
    }
  }

  @Test
  void namesVersionsAndPathsAreCheckedAtTheCall() {
    try (Tracker tracker = withIris()) {
      ModelRegistry models = tracker.models();
      assertThatThrownBy(() -> models.get(" ", "1"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("model name must not be null or blank but was ' '");
      assertThatThrownBy(() -> models.list("m".repeat(257)))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("model name must be at most 256 characters but was 257 characters");
      assertThatThrownBy(() -> models.get("iris", "0"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("model version must be 1 to 2147483647 but was 0");
      assertThatThrownBy(() -> models.get("iris", "99999999999"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("model version must be 1 to 2147483647 but was 99999999999");
      assertThatThrownBy(() -> models.get("iris", 0))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("model version must be 1 or more but was 0");
      assertThatThrownBy(() -> models.get("iris", null))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("version or alias must not be null or blank but was null");
      assertThatThrownBy(() -> models.register("iris", (Run) null, "model"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("run must not be null");
      assertThatThrownBy(() -> models.register("iris", "0123", "../model"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("artifact path must be a relative path inside the run's");
      assertThatThrownBy(() -> models.register("iris", "ffff", "model"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("no run 'ffff' in recording");
      assertThatThrownBy(() -> models.download("iris", "1", null))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("destination must not be null");
    }
  }

  @Test
  void aDownloadIntoAFileIsRefusedAtTheCall() throws Exception {
    Path file = java.nio.file.Files.writeString(tmp.resolve("serving"), "keep");
    try (Tracker tracker = withIris()) {
      assertThatThrownBy(() -> tracker.models().download("iris", "1", file))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("destination must be a folder but " + file.toAbsolutePath()
              + " is a file");
    }
    assertThat(file).hasContent("keep");
  }

  @Test
  void aNameWithACommaIsNotRegisteredForItWouldSplitTheLineageTag() {
    try (Tracker tracker = tracker(); Run run = tracker.experiment("e").startRun("r")) {
      run.logText("w", "model/w.txt");
      String rule = "model name must not contain ',' (the run's tag " + ModelRegistry.LINEAGE_TAG
          + " separates versions with commas) but was 'iris,v2'";
      assertThatThrownBy(() -> tracker.models().register("iris,v2", run, "model"))
          .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(rule);
      assertThatThrownBy(() -> tracker.models().register("iris,v2", run.id(), "model"))
          .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(rule);
      assertThat(tracker.models().find("iris,v2", "1")).isEmpty();
    }
  }

  @Test
  void aBackendWithoutARegistrySaysSo() {
    ForwardingBackend plain = new ForwardingBackend(recording) {
      @Override
      public Optional<ModelStore> modelStore() {
        return Optional.empty();
      }
    };
    try (Tracker tracker = Tracker.builder().backend(plain).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null).build()) {
      assertThatThrownBy(() -> tracker.models().list("iris"))
          .isExactlyInstanceOf(UnsupportedOperationException.class)
          .hasMessage("recording has no model registry");
    }
  }

  @Test
  void aClosedTrackerHasNoRegistry() {
    Tracker tracker = tracker();
    tracker.close();
    assertThatThrownBy(tracker::models).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("tracker is closed");
  }

  @Test
  void aRemoteRunNotDeliveredInTimeIsNotRegistered() throws Exception {
    RemoteRecordingBackend remote = new RemoteRecordingBackend(recording, tmp);
    try (Tracker tracker = Tracker.builder().backend(remote).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null)
        .closeTimeout(Duration.ofMillis(200)).build()) {
      Run run = tracker.experiment("e").startRun("r");
      run.logText("w", "model/w.txt");
      recording.block();
      try {
        assertThatThrownBy(() -> tracker.models().register("iris", run, "model"))
            .isExactlyInstanceOf(TrackerException.class)
            .hasMessageStartingWith("cannot register model 'iris' from run " + run.id()
                + ": the run's records are not delivered to fake://server after PT0.2S (")
            // how many operations are still in the journal when the server stops depends on timing
            .hasMessageFindingMatch("\\d+ operations? for fake://server waits? in the journal")
            .hasMessageEndingWith("); register it once the server has them");
      } finally {
        recording.release();
      }
      assertThat(tracker.flush(Duration.ofSeconds(20))).isEqualTo(FlushResult.DELIVERED);
      assertThat(tracker.models().register("iris", run, "model").version()).isEqualTo(1);
    }
  }

  @Test
  void findIsEmptyForAMissingModelVersionOrAlias() {
    try (Tracker tracker = withIris()) {
      ModelRegistry models = tracker.models();
      assertThat(models.find("nope", "1")).isEmpty();
      assertThat(models.find("iris", "2")).isEmpty();
      assertThat(models.find("iris", "champion")).isEmpty();
      models.setAlias("iris", "champion", 1);
      assertThat(models.find("iris", "champion")).map(ModelVersion::version).contains(1);
      assertThatThrownBy(() -> models.find("iris", "latest"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("model alias 'latest' is reserved");
    }
  }

  @Test
  void aRunKnowsItsTrackerThroughItsExperiment() {
    try (Tracker tracker = tracker(); Run run = tracker.experiment("e").startRun("r")) {
      assertThat(run.experiment().tracker()).isSameAs(tracker);
    }
  }

  @Test
  void theLineageTagListsEachVersionOnceAndDropsTheOldestPastTheTagLimit() {
    assertThat(ModelStore.withLineage(null, "iris/1")).isEqualTo("iris/1");
    assertThat(ModelStore.withLineage("iris/1", "iris/2")).isEqualTo("iris/1,iris/2");
    assertThat(ModelStore.withLineage("iris/1,iris/2", "iris/1")).isEqualTo("iris/1,iris/2");
    String full = "m/1," + "x".repeat(7994); // with ",m/2" 8002 characters, past 8000
    assertThat(ModelStore.withLineage(full, "m/2")).isEqualTo("x".repeat(7994) + ",m/2");
    assertThat(ModelStore.withLineage("old/7,iris/1", "wine/1", "iris/1", "iris/2", "wine/1"))
        .isEqualTo("old/7,iris/1,wine/1,iris/2");
    assertThat(ModelStore.withLineage("iris/1")).isEqualTo("iris/1");
  }

  @Test
  void aBackendFailureIsATrackerExceptionSayingWhatFailedWhere() {
    ModelStore broken = (ModelStore) java.lang.reflect.Proxy.newProxyInstance(
        ModelStore.class.getClassLoader(), new Class<?>[] {ModelStore.class},
        (proxy, method, args) -> {
          throw new java.io.IOException("disk gone");
        });
    ForwardingBackend failing = new ForwardingBackend(recording) {
      @Override
      public Optional<ModelStore> modelStore() {
        return Optional.of(broken);
      }
    };
    try (Tracker tracker = Tracker.builder().backend(failing).shutdownHook(false)
        .standardTags(false).systemProperties(k -> null).environment(k -> null).build()) {
      assertThatThrownBy(() -> tracker.models().get("iris", "1"))
          .isExactlyInstanceOf(TrackerException.class)
          .hasMessage("cannot read version 1 of model 'iris' in recording: disk gone")
          .hasCauseExactlyInstanceOf(java.io.IOException.class);
    }
  }
}
