package dev.tracker.djl;

import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.listener.EvaluatorTrainingListener;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The metric keys of one evaluator, computed once per training: DJL's names, with the evaluator's
 * name made a valid key.
 *
 * @param trainBatch a logged batch's value, DJL's {@code train_all_<name>}
 * @param trainEpoch an epoch's training value, DJL's {@code train_epoch_<name>}
 * @param validateEpoch an epoch's validation value, DJL's {@code validate_epoch_<name>}
 * @param trainFinal the last epoch's training value, {@code train_<name>} as in DJL's
 *     {@code TrainingResult}
 * @param validateFinal the last epoch's validation value, {@code validate_<name>}
 * @param djlTrain the name of the training value in DJL's {@link
 *     EvaluatorTrainingListener#getLatestEvaluations()}
 * @param djlValidate the same for the validation value
 */
record MetricKeys(String trainBatch, String trainEpoch, String validateEpoch, String trainFinal,
    String validateFinal, String djlTrain, String djlValidate) {
  /**
   * The characters of a metric key (MLflow's rule, as tracker-core checks it): Python's {@code
   * \w} is a letter or number of any script or '_', never a combining mark or joiner.
   */
  private static final Pattern NOT_KEY_CHAR = Pattern.compile("[^\\p{L}\\p{N}_./\\- :]");
  /** The longest evaluator name kept: the longest key, less the longest prefix. */
  private static final int MAX_NAME = 250 - "validate_epoch_".length();

  private static MetricKeys of(Evaluator evaluator, String name) {
    return new MetricKeys("train_all_" + name, "train_epoch_" + name, "validate_epoch_" + name,
        "train_" + name, "validate_" + name,
        "train_" + evaluator.getName(), "validate_" + evaluator.getName());
  }

  /**
   * The keys of a training's evaluators, in their order, no key shared by two of them nor with
   * the listener's own metrics: an evaluator whose keys would be taken already gets its name
   * numbered ({@code acc_2}). The loss is served first, so that {@code train_loss} and {@code
   * validate_loss} stay its final values.
   */
  static List<MetricKeys> of(List<Evaluator> evaluators, Evaluator loss) {
    Set<String> taken = new HashSet<>(
        List.of(TrackerTrainingListener.EPOCH_TIME, TrackerTrainingListener.EPOCHS));
    MetricKeys[] keys = new MetricKeys[evaluators.size()];
    int lossIndex = evaluators.indexOf(loss);
    if (lossIndex >= 0) {
      keys[lossIndex] = unique(loss, taken);
    }
    taken.add(TrackerTrainingListener.TRAIN_LOSS);
    taken.add(TrackerTrainingListener.VALIDATE_LOSS);
    for (int i = 0; i < keys.length; i++) {
      if (i != lossIndex) {
        keys[i] = unique(evaluators.get(i), taken);
      }
    }
    return List.of(keys);
  }

  private static MetricKeys unique(Evaluator evaluator, Set<String> taken) {
    String base = keyPart(evaluator.getName());
    for (int n = 1; ; n++) {
      String suffix = n == 1 ? "" : "_" + n;
      String name = cut(base, MAX_NAME - suffix.length()) + suffix;
      MetricKeys k = of(evaluator, name);
      List<String> all = List.of(k.trainBatch, k.trainEpoch, k.validateEpoch, k.trainFinal,
          k.validateFinal);
      if (all.stream().noneMatch(taken::contains)) {
        taken.addAll(all);
        return k;
      }
    }
  }

  /**
   * An evaluator's name with each character that a key may not hold replaced by '_', and made a
   * normalized path as keys must be: no empty, "." or ".." segment.
   */
  static String keyPart(String name) {
    String s = name == null ? "" : NOT_KEY_CHAR.matcher(name).replaceAll("_");
    List<String> segments = new ArrayList<>();
    for (String segment : s.split("/")) {
      if (!segment.isEmpty()) {
        segments.add(segment.equals(".") || segment.equals("..") ? "_" : segment);
      }
    }
    s = String.join("/", segments);
    if (s.isBlank()) {
      return "evaluator";
    }
    return cut(s, MAX_NAME);
  }

  /** The first {@code max} characters of a key part, less a '/' it would end with. */
  private static String cut(String s, int max) {
    String cut = s.length() > max ? s.substring(0, max) : s;
    return cut.endsWith("/") ? cut.substring(0, cut.length() - 1) : cut;
  }
}
