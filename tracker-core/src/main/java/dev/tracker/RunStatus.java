package dev.tracker;

/** The status of a run, with MLflow's names and meanings. */
public enum RunStatus {
  /** The run has started and has not ended. */
  RUNNING,
  /** The run ended normally. */
  FINISHED,
  /** The run ended because its code failed. */
  FAILED,
  /** The run was stopped from outside (for example the JVM shut down while it was running). */
  KILLED;

  /** True for every status but {@link #RUNNING}. */
  public boolean isTerminal() {
    return this != RUNNING;
  }
}
