package dev.tracker;

import dev.tracker.internal.RunContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A named group of runs. Cheap to obtain from {@link Tracker#experiment(String)}; created in the
 * backend when its first run starts. Thread-safe.
 */
public final class Experiment {
  private final Tracker tracker;
  private final String name;

  Experiment(Tracker tracker, String name) {
    this.tracker = tracker;
    this.name = name;
  }

  /** The experiment's name. */
  public String name() {
    return name;
  }

  /**
   * The tracker this experiment records to: from a run handed to code that did not create it (a
   * JUnit test's), {@code run.experiment().tracker().models()} reaches the model registry.
   */
  public Tracker tracker() {
    return tracker;
  }

  /** Starts a run with a generated name ({@code run-<first 8 characters of its id>}). */
  public Run startRun() {
    return newRun(null).start();
  }

  /**
   * Starts a run. Its root seed is the configured one ({@code tracker.seed}, {@code
   * TRACKER_SEED}) or drawn at random, and is recorded as the param {@code seed}.
   *
   * @throws IllegalStateException when the tracker is closed
   */
  public Run startRun(String name) {
    return newRun(name).start();
  }

  /** A builder for a run with a given seed, tags or parent. */
  public RunBuilder newRun(String name) {
    return new RunBuilder(name);
  }

  /**
   * Runs {@code body} in a new run: the run ends {@link RunStatus#FINISHED} when the body
   * returns, {@link RunStatus#FAILED} when it throws, and the exception is rethrown unchanged
   * (the failure is recorded in the tag {@code tracker.failure}).
   *
   * <pre>{@code
   * tracker.experiment("iris").run("lr-0.1", run -> {
   *   run.logParam("lr", 0.1);
   *   run.logMetric("loss", train(), 0);
   * });
   * }</pre>
   */
  public <E extends Exception> void run(String name, RunBody<E> body) throws E {
    Objects.requireNonNull(body, "body");
    Run.runBody(startRun(name), body);
  }

  @Override
  public String toString() {
    return "Experiment{" + name + "}";
  }

  /** Starts a run with a chosen seed, tags or parent. */
  public final class RunBuilder {
    private final String runName;
    private Long seed;
    private Run parent;
    private final Map<String, String> tags = new LinkedHashMap<>();

    RunBuilder(String runName) {
      this.runName = runName;
    }

    /** The root seed, instead of the configured or a random one. */
    public RunBuilder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The parent run: the new run is tagged {@code mlflow.parentRunId}, and its seed, unless
     * given, is {@code parent.seeds().derive(name)}.
     */
    public RunBuilder parent(Run parent) {
      this.parent = parent;
      return this;
    }

    /**
     * A tag set at start. The tag {@code mlflow.runName} names a run started without a name; with
     * a name, it must be that name (as MLflow requires).
     */
    public RunBuilder tag(String key, String value) {
      Tag t = new Tag(key, value);
      tags.put(t.key(), t.value());
      return this;
    }

    /** Tags set at start. */
    public RunBuilder tags(Map<String, String> tags) {
      tags.forEach(this::tag);
      return this;
    }

    /**
     * Starts the run. Does no I/O: the run is created in the backend by the dispatcher.
     *
     * @throws IllegalArgumentException when the run name is blank, or differs from the tag
     *     {@code mlflow.runName} given
     * @throws IllegalStateException when the tracker is closed
     */
    public Run start() {
      String tagged = tags.get(RunContext.RUN_NAME);
      if (runName != null && tagged != null && !runName.equals(tagged)) {
        // MLflow refuses such a run at runs/create: the whole run would be lost at delivery
        throw new IllegalArgumentException("run name '" + runName + "' and tag '"
            + RunContext.RUN_NAME + "' '" + tagged + "' must be the same; give the name once");
      }
      String name = runName != null ? runName : tagged;
      if (name != null && name.isBlank()) {
        throw new IllegalArgumentException("run name must not be blank");
      }
      if (name != null) {
        new Tag(RunContext.RUN_NAME, name);
      }
      return tracker.startRun(Experiment.this, name, seed, tags, parent);
    }
  }
}
