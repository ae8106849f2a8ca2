package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code mlflow.parentRunId} set by hand holds the parent's MLflow run id on the server, which
 * MLflow's UI nests by, as a child run's creation does; one that names no run is refused.
 */
@Timeout(30)
class ParentTagTest extends FakeServerTest {
  private static final String PARENT_TAG = "mlflow.parentRunId";

  private Tracker tracker() {
    return Fixtures.tracker(Fixtures.backend(server, tmp.resolve("spool")).build());
  }

  @Test
  void aParentTagSetByHandHoldsTheParentsMlflowIdAndReadsBackAsTheTrackers() throws Exception {
    String parent;
    String child;
    try (Tracker tracker = tracker()) {
      try (Run p = tracker.experiment("iris").startRun("cv");
           Run c = tracker.experiment("iris").startRun("fold")) {
        parent = p.id();
        child = c.id();
        c.setTag(PARENT_TAG, p.id());
      }
      assertThat(fake.run(fake.runId("fold")).tags())
          .containsEntry(PARENT_TAG, fake.runId("cv"));
      assertThat(tracker.run(child).info().parentRunId()).isEqualTo(parent);
      assertThat(tracker.run(child).tags()).containsEntry(PARENT_TAG, parent);
    }
  }

  @Test
  void aParentTagGivenAtTheStartOrAsAnMlflowIdIsTheParentsMlflowId() throws Exception {
    try (Tracker tracker = tracker()) {
      try (Run p = tracker.experiment("iris").startRun("cv")) {
        tracker.flush();
        String serverParent = fake.runId("cv");
        try (Run byTag = tracker.experiment("iris").newRun("tagged").tag(PARENT_TAG, p.id())
                .start();
             Run byMlflowId = tracker.experiment("iris").startRun("by-mlflow-id")) {
          byMlflowId.setTag(PARENT_TAG, serverParent);
        }
        assertThat(fake.run(fake.runId("tagged")).tags()).containsEntry(PARENT_TAG, serverParent);
        assertThat(fake.run(fake.runId("by-mlflow-id")).tags())
            .containsEntry(PARENT_TAG, serverParent);
      }
    }
  }

  @Test
  void aParentTagNamingNoRunIsRefusedByKeyAndTheRestDelivered() throws Exception {
    try (Tracker tracker = tracker()) {
      Run run = tracker.experiment("iris").startRun("orphan");
      tracker.flush();
      run.setTag(PARENT_TAG, "no-such-run");
      run.setTag("stage", "dev");

      assertThatThrownBy(tracker::flush).isExactlyInstanceOf(TrackerException.class)
          .hasMessageContaining("tag 'mlflow.parentRunId': 'no-such-run' names no run on "
              + server.url("/").toString().replaceAll("/$", "") + " (neither a tracker run id"
              + " nor an MLflow run id), so MLflow could not show the run under it; it was not"
              + " sent");
      run.close();
    }
    assertThat(fake.run(fake.runId("orphan")).tags()).containsEntry("stage", "dev")
        .doesNotContainKey(PARENT_TAG);
  }
}
