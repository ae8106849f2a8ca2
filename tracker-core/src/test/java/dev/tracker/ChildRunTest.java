package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ChildRunTest {
  private final RecordingBackend backend = new RecordingBackend();

  private Tracker tracker() {
    return Tracker.builder().backend(backend).shutdownHook(false)
        .systemProperties(k -> null).environment(k -> null).build();
  }

  @Test
  void childRunEndsFailedAndRethrowsWhenTheBodyThrowsAndTheParentGoesOn() {
    try (Tracker tracker = tracker()) {
      Run parent = tracker.experiment("e").startRun("cv");
      IOException boom = new IOException("fold data missing");
      assertThatThrownBy(() -> parent.childRun("fold-1", fold -> {
        fold.logMetric("accuracy", 0.5);
        throw boom;
      })).isSameAs(boom);
      parent.logMetric("folds", 1);
      tracker.flush();
      String child = backend.runIds().get(1);
      assertThat(backend.spec(child).tags()).containsEntry("mlflow.parentRunId", parent.id())
          .containsEntry("mlflow.runName", "fold-1");
      assertThat(backend.status(child)).isEqualTo(RunStatus.FAILED);
      assertThat(backend.tags(child)).containsEntry("tracker.failure",
          "java.io.IOException: fold data missing");
      assertThat(backend.metrics(child)).extracting(Metric::value).containsExactly(0.5);
      assertThat(parent.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(backend.metrics(parent.id())).extracting(Metric::key).containsExactly("folds");
    }
  }

  @Test
  void childRunEndsFinishedWhenTheBodyReturns() {
    try (Tracker tracker = tracker()) {
      Run parent = tracker.experiment("e").startRun("cv");
      Run[] seen = new Run[1];
      parent.childRun("fold-2", fold -> {
        seen[0] = fold;
        fold.logMetric("accuracy", 0.9);
      });
      assertThat(seen[0].status()).isEqualTo(RunStatus.FINISHED);
      tracker.flush();
      assertThat(backend.status(seen[0].id())).isEqualTo(RunStatus.FINISHED);
      assertThat(backend.spec(seen[0].id()).tags())
          .containsEntry("mlflow.parentRunId", parent.id());
      assertThat(seen[0].seeds().root()).isEqualTo(parent.seeds().derive("fold-2"));
    }
  }

  @Test
  void tryWithResourcesEndsAChildFinishedEvenWhenTheBlockThrows() {
    try (Tracker tracker = tracker()) {
      Run parent = tracker.experiment("e").startRun("cv");
      String[] id = new String[1];
      assertThatThrownBy(() -> {
        try (Run child = parent.startChildRun("fold-3")) {
          id[0] = child.id();
          throw new IllegalStateException("boom");
        }
      }).isInstanceOf(IllegalStateException.class).hasMessage("boom");
      tracker.flush();
      assertThat(backend.status(id[0])).isEqualTo(RunStatus.FINISHED);
    }
  }

  @Test
  void childRunRefusesANullBody() {
    try (Tracker tracker = tracker()) {
      Run parent = tracker.experiment("e").startRun("cv");
      assertThatThrownBy(() -> parent.childRun("fold", null))
          .isInstanceOf(NullPointerException.class).hasMessage("body");
    }
  }

  @Test
  void aLongFailureMessageIsCutToTheTagLimitBetweenCharactersNotInsideOne() {
    String prefix = "java.lang.IllegalStateException: ";
    // the 8000th character of the failure tag would be the first half of the emoji
    String message = "x".repeat(7999 - prefix.length()) + "\uD83D\uDD25 and more";
    IllegalStateException boom = new IllegalStateException(message);
    try (Tracker tracker = tracker()) {
      Run parent = tracker.experiment("e").startRun("cv");
      assertThatThrownBy(() -> parent.childRun("fold", fold -> {
        throw boom;
      })).isSameAs(boom);
      tracker.flush();
      String child = backend.runIds().get(1);
      assertThat(backend.status(child)).isEqualTo(RunStatus.FAILED);
      assertThat(backend.tags(child)).containsEntry("tracker.failure",
          prefix + "x".repeat(7999 - prefix.length()));
    }
  }
}
