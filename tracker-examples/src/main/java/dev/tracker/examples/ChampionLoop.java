package dev.tracker.examples;

import dev.tracker.Metric;
import dev.tracker.ModelRegistry;
import dev.tracker.ModelVersion;
import dev.tracker.Run;
import dev.tracker.Tracker;
import java.util.Locale;
import java.util.Optional;

/**
 * The champion loop: a freshly trained model is registered as the next version of a model, and
 * takes the alias {@value #ALIAS} when it beats the version that has it; a test fails when the
 * new model is worse than the champion by more than a tolerance.
 *
 * <pre>{@code
 * ChampionLoop.challenge(run, "iris", "model")  // registers; the alias moves if better
 *     .requireNoWorseBy(0.05);                // an AssertionError naming both runs if worse
 * }</pre>
 */
public final class ChampionLoop {
  /** The alias of the best version so far. */
  public static final String ALIAS = "champion";
  /** The metric compared: each run's latest value of it. */
  public static final String METRIC = "accuracy";

  private ChampionLoop() {}

  /**
   * What a challenge ended with.
   *
   * @param challenger the version registered from the new run
   * @param accuracy the new run's accuracy, NaN when it logged none
   * @param champion the version that had the alias before, or null when none had
   * @param championRun the run that made the champion, or null
   * @param championAccuracy the champion run's accuracy, NaN when there was no champion or it
   *     logged none
   * @param promoted whether the alias moved to the challenger
   */
  public record Challenge(ModelVersion challenger, double accuracy, ModelVersion champion,
      String championRun, double championAccuracy, boolean promoted) {
    /**
     * True when the challenger is worse than the champion by more than {@code tolerance}, or has
     * no accuracy while the champion has one.
     */
    public boolean worseBy(double tolerance) {
      return champion != null && !(accuracy >= championAccuracy - tolerance)
          && !Double.isNaN(championAccuracy);
    }

    /**
     * Fails when the challenger is worse than the champion by more than {@code tolerance}.
     *
     * @throws AssertionError saying so, with both versions, their runs and accuracies
     */
    public Challenge requireNoWorseBy(double tolerance) {
      if (worseBy(tolerance)) {
        throw new AssertionError(describe() + ", by more than " + tolerance);
      }
      return this;
    }

    /** Both versions, their runs and accuracies, in one sentence. */
    public String describe() {
      String self = "model " + challenger.ref() + " from run " + challenger.runId()
          + " has accuracy " + format(accuracy);
      if (champion == null) {
        return self + " and is the first " + ALIAS;
      }
      return self + (promoted ? " and replaces " : ", " + (accuracy < championAccuracy
          ? "worse than " : "no better than ")) + ALIAS + " " + champion.ref() + " from run "
          + championRun + " (accuracy " + format(championAccuracy) + ")";
    }

    private static String format(double accuracy) {
      return String.format(Locale.ROOT, "%.4f", accuracy);
    }
  }

  /**
   * Registers the model {@code run} logged at {@code artifactPath} as the next version of model
   * {@code name}, and moves the alias {@value #ALIAS} to it when its accuracy (the run's latest
   * {@value #METRIC}) is higher than the champion run's, or there is no champion yet.
   */
  public static Challenge challenge(Run run, String name, String artifactPath) {
    Tracker tracker = run.experiment().tracker();
    ModelRegistry models = tracker.models();
    Optional<ModelVersion> champion = models.find(name, ALIAS);
    ModelVersion challenger = models.register(name, run, artifactPath); // flushes the run
    double accuracy = accuracy(tracker, challenger.runId());
    String championRun = champion.map(ModelVersion::runId).orElse(null);
    double championAccuracy = championRun == null ? Double.NaN : accuracy(tracker, championRun);
    boolean promoted = champion.isEmpty() || !(accuracy <= championAccuracy);
    if (promoted) {
      models.setAlias(name, ALIAS, challenger.version());
    }
    return new Challenge(challenger, accuracy, champion.orElse(null), championRun,
        championAccuracy, promoted);
  }

  private static double accuracy(Tracker tracker, String runId) {
    Metric latest = tracker.run(runId).latestMetrics().get(METRIC);
    return latest == null ? Double.NaN : latest.value();
  }
}
