package dev.tracker.djl;

import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.listener.EvaluatorTrainingListener;
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
  /** The characters of a metric key (MLflow's rule, as tracker-core checks it). */
  private static final Pattern NOT_KEY_CHAR =
      Pattern.compile("[^\\w./\\- :]", Pattern.UNICODE_CHARACTER_CLASS);
  /** The longest evaluator name kept: the longest key, less the longest prefix. */
  private static final int MAX_NAME = 250 - "validate_epoch_".length();

  static MetricKeys of(Evaluator evaluator) {
    String name = keyPart(evaluator.getName());
    return new MetricKeys("train_all_" + name, "train_epoch_" + name, "validate_epoch_" + name,
        "train_" + name, "validate_" + name,
        "train_" + evaluator.getName(), "validate_" + evaluator.getName());
  }

  /** An evaluator's name with each character that a key may not hold replaced by '_'. */
  static String keyPart(String name) {
    String s = name == null || name.isBlank() ? "evaluator" : name;
    s = NOT_KEY_CHAR.matcher(s).replaceAll("_");
    return s.length() > MAX_NAME ? s.substring(0, MAX_NAME) : s;
  }
}
