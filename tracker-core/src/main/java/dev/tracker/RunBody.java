package dev.tracker;

/**
 * The body of a run for {@link Experiment#run(String, RunBody)} or of a child run for {@link
 * Run#childRun(String, RunBody)}.
 *
 * @param <E> the exception the body may throw, rethrown unchanged
 */
@FunctionalInterface
public interface RunBody<E extends Exception> {
  /** Does the run's work, logging to {@code run}. */
  void accept(Run run) throws E;
}
