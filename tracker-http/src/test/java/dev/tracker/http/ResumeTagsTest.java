package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Run;
import dev.tracker.RunStatus;
import dev.tracker.Tracker;
import dev.tracker.spi.TrackingBackend;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A resumed run keeps what it holds and gets the tags its new start gives that it does not hold
 * yet, on an MLflow server as in run folders ({@code FileBackend.createRun}: "tags not yet
 * present added, everything else kept").
 */
@Timeout(30)
class ResumeTagsTest extends FakeServerTest {
  private Tracker.Builder tracker(TrackingBackend backend) {
    return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).seed(7)
        .flushInterval(Duration.ofMillis(50));
  }

  /** A finished run tagged phase=1, resumed with phase=2 and note=x; its tags at the end. */
  private Map<String, String> resumedTags(TrackingBackend first, TrackingBackend second)
      throws Exception {
    String id;
    try (Tracker t = tracker(first).build();
         Run run = t.experiment("iris").newRun("r").tag("phase", "1").start()) {
      id = run.id();
    }
    try (Tracker t = tracker(second).resumeRun(id).build()) {
      try (Run run = t.experiment("iris").newRun("r").tag("phase", "2").tag("note", "x")
          .start()) {
        run.logMetric("loss", 0.5, 1);
      }
      assertThat(t.run(id).info().status()).isEqualTo(RunStatus.FINISHED);
      return t.run(id).tags();
    }
  }

  @Test
  void aResumedRunGetsTheStartsTagsItLacksAndKeepsThoseItHolds() throws Exception {
    Map<String, String> tags = resumedTags(
        Fixtures.backend(server, tmp.resolve("spool")).build(),
        Fixtures.backend(server, tmp.resolve("spool")).build());

    assertThat(tags).containsEntry("phase", "1").containsEntry("note", "x")
        .containsEntry("mlflow.runName", "r");
    assertThat(fake.runs()).hasSize(1);
  }
}
