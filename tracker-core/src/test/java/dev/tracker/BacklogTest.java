package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BacklogTest {
  @Test
  void oneOperationWaitsAndSeveralWait() {
    assertThat(new Backlog(1, 1, "/spool/ab", "http://mlflow:5000").describe())
        .isEqualTo("1 operation for http://mlflow:5000 waits in the journal /spool/ab, among"
            + " them the end of 1 run, which the server shows RUNNING until then; the next"
            + " tracker for this server or `tracker sync` delivers them");
    assertThat(new Backlog(3, 0, "/spool/ab", "http://mlflow:5000").describe())
        .isEqualTo("3 operations for http://mlflow:5000 wait in the journal /spool/ab; the next"
            + " tracker for this server or `tracker sync` delivers them");
  }

  @Test
  void nothingWaitingSaysEverythingWasDelivered() {
    assertThat(new Backlog(0, 0, "/spool/ab", "http://mlflow:5000").describe())
        .isEqualTo("everything was delivered to http://mlflow:5000");
  }
}
