package dev.tracker.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.Params;
import scala.collection.JavaConverters;

/**
 * The params of an estimator and of everything it holds (a pipeline's stages, a tuning
 * estimator's estimator and evaluator), under keys without uids: {@code
 * LogisticRegression.regParam}, {@code VectorAssembler.inputCols}. A stage is named by its class;
 * a second stage of the same class is {@code LogisticRegression_2}, in the order of the tree, so
 * the keys are the same in every run of the same code.
 */
final class ParamTree {
  private final Map<String, String> keyOfUid = new HashMap<>();
  private final Map<String, Integer> seen = new HashMap<>();
  private final Map<String, String> params = new LinkedHashMap<>();

  private ParamTree() {}

  /** Walks an estimator (or any {@link Params}) and everything it holds. */
  static ParamTree of(Params root) {
    ParamTree tree = new ParamTree();
    tree.walk(root);
    return tree;
  }

  /** Every defined param (set or default), key to value, in tree order. */
  Map<String, String> params() {
    return Collections.unmodifiableMap(params);
  }

  /** Every uid met in the tree: the stages whose own fits belong to this one. */
  Set<String> uids() {
    return Collections.unmodifiableSet(keyOfUid.keySet());
  }

  /**
   * A param map as text, its entries sorted by key: {@code LogisticRegression.regParam=0.1,
   * LogisticRegression.elasticNetParam=0.0} becomes {@code
   * LogisticRegression.elasticNetParam=0.0 LogisticRegression.regParam=0.1}. The same map gives
   * the same text whatever its order. A stage, or stages, as a value are named by their classes
   * ({@code Pipeline.stages=[VectorAssembler, LogisticRegression]}).
   */
  String describe(ParamMap map) {
    List<String> entries = new ArrayList<>();
    for (ParamPair<?> pair : JavaConverters.seqAsJavaList(map.toSeq())) {
      Param<?> param = pair.param();
      String owner = keyOfUid.getOrDefault(param.parent(), "param");
      String value = pair.value() instanceof Params p ? className(p)
          : pair.value() instanceof Object[] a && a.length > 0 && allParams(a) ? classNames(a)
          : format(pair.value());
      entries.add(owner + "." + param.name() + "=" + (value == null ? "?" : value));
    }
    Collections.sort(entries);
    return String.join(" ", entries);
  }

  private void walk(Params node) {
    if (keyOfUid.containsKey(node.uid())) {
      return;
    }
    String key = keyFor(node);
    keyOfUid.put(node.uid(), key);
    List<Params> children = new ArrayList<>();
    for (Param<?> param : node.params()) {
      if (!node.isDefined(param)) {
        continue;
      }
      Object value = node.getOrDefault(param);
      if (value instanceof Params p) {
        children.add(p);
      } else if (value instanceof Object[] array && array.length > 0 && allParams(array)) {
        for (Object o : array) {
          children.add((Params) o);
        }
      } else {
        String text = format(value);
        if (text != null) {
          params.put(key + "." + param.name(), text);
        }
      }
    }
    children.forEach(this::walk);
  }

  private String keyFor(Params node) {
    String base = className(node);
    int n = seen.merge(base, 1, Integer::sum);
    return n == 1 ? base : base + "_" + n;
  }

  /** A stage's class as a key part: its simple name, "stage" for an anonymous class. */
  private static String className(Params node) {
    String name = node.getClass().getSimpleName().replaceAll("[^\\w-]", "_");
    return name.isEmpty() ? "stage" : name;
  }

  private static String classNames(Object[] stages) {
    List<String> names = new ArrayList<>();
    for (Object o : stages) {
      names.add(className((Params) o));
    }
    return names.toString();
  }

  private static boolean allParams(Object[] array) {
    for (Object o : array) {
      if (!(o instanceof Params)) {
        return false;
      }
    }
    return true;
  }

  /** A value as text, or null for what has no uid-free text (param maps, stages). */
  static String format(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Params || value instanceof ParamMap || value instanceof ParamMap[]) {
      return null;
    }
    if (value instanceof Object[] array) {
      if (allParams(array) && array.length > 0) {
        return null;
      }
      return Arrays.deepToString(array); // a double[][] by its numbers, not "[[D@6d06d69c"
    }
    if (value instanceof double[] a) {
      return Arrays.toString(a);
    }
    if (value instanceof int[] a) {
      return Arrays.toString(a);
    }
    if (value instanceof long[] a) {
      return Arrays.toString(a);
    }
    if (value instanceof boolean[] a) {
      return Arrays.toString(a);
    }
    return String.valueOf(value);
  }
}
