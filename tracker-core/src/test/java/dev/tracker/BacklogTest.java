package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BacklogTest {
  @Test
  void oneOperationWaitsAndSeveralWait() {
    assertThat(new Backlog(1, 1, 0, "/spool/ab", "http://mlflow:5000").describe())
        .isEqualTo("1 operation for http://mlflow:5000 waits in the journal /spool/ab, among"
            + " them the end of 1 run, which the server shows RUNNING until then; the next"
            + " tracker for this server or `tracker sync` delivers them");
    assertThat(new Backlog(3, 0, 0, "/spool/ab", "http://mlflow:5000").describe())
        .isEqualTo("3 operations for http://mlflow:5000 wait in the journal /spool/ab; the next"
            + " tracker for this server or `tracker sync` delivers them");
  }

  @Test
  void runsWhoseCreationWaitsTooAreNotSaidToShowRunning() {
    assertThat(new Backlog(3, 1, 1, "/spool/ab", "http://mlflow:5000").describe())
        .isEqualTo("3 operations for http://mlflow:5000 wait in the journal /spool/ab, among"
            + " them the end of 1 run and its creation, so the server may not have it until"
            + " then; the next tracker for this server or `tracker sync` delivers them");
    assertThat(new Backlog(6, 2, 2, "/spool/ab", "http://mlflow:5000").describe())
        .isEqualTo("6 operations for http://mlflow:5000 wait in the journal /spool/ab, among"
            + " them the end of 2 runs and their creation, so the server may not have them"
            + " until then; the next tracker for this server or `tracker sync` delivers them");
    assertThat(new Backlog(5, 3, 1, "/spool/ab", "http://mlflow:5000").describe())
        .isEqualTo("5 operations for http://mlflow:5000 wait in the journal /spool/ab, among"
            + " them the end of 3 runs: until then the server shows 2 of them RUNNING and may"
            + " not have the other 1 (their creation waits too); the next tracker for this"
            + " server or `tracker sync` delivers them");
  }

  @Test
  void nothingWaitingSaysEverythingWasDelivered() {
    assertThat(new Backlog(0, 0, 0, "/spool/ab", "http://mlflow:5000").describe())
        .isEqualTo("everything was delivered to http://mlflow:5000");
  }
}
