package dev.tracker.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/** The params that describe a training: engine, model, loss, optimizer, devices, batch size. */
final class TrainingParams {
  /** Optimizer fields that are state, not settings. */
  private static final Set<String> OPTIMIZER_STATE = Set.of("numUpdate", "updateCounts");

  private final DefaultTrainingConfig config;

  TrainingParams(DefaultTrainingConfig config) {
    this.config = config;
  }

  /** What is known when the trainer is made. */
  Map<String, Object> atStart(Trainer trainer) {
    Map<String, Object> p = new LinkedHashMap<>();
    Engine engine = trainer.getManager().getEngine();
    p.put("djl.version", Engine.getDjlVersion());
    p.put("djl.engine", engine.getEngineName());
    p.put("djl.engine.version", engine.getVersion());
    if (engine.getSeed() != null) {
      p.put("djl.seed", engine.getSeed());
    }
    Model model = trainer.getModel();
    p.put("model.name", model.getName());
    p.put("model.block", className(model.getBlock()));
    p.put("loss", trainer.getLoss().getName());
    StringJoiner evaluators = new StringJoiner(",");
    for (Evaluator e : trainer.getEvaluators()) {
      if (e != trainer.getLoss()) {
        evaluators.add(e.getName());
      }
    }
    if (evaluators.length() > 0) {
      p.put("evaluators", evaluators.toString());
    }
    StringJoiner devices = new StringJoiner(",");
    for (Device d : trainer.getDevices()) {
      devices.add(d.toString());
    }
    p.put("devices", devices.toString());
    Optimizer optimizer = config.getOptimizer();
    if (optimizer != null) {
      p.put("optimizer", className(optimizer));
      p.putAll(optimizerSettings(optimizer));
    }
    return p;
  }

  /** What is known once the block is initialized: its size, initializers, the batch size. */
  Map<String, Object> ofModel(Model model, BatchData data) {
    Map<String, Object> p = new LinkedHashMap<>();
    Block block = model.getBlock();
    long count = 0;
    Set<String> initializers = new LinkedHashSet<>();
    for (Parameter parameter : block.getParameters().values()) {
      if (parameter.isInitialized()) {
        count += parameter.getArray().size();
      }
      if (parameter.getInitializer() != null) {
        initializers.add(initializerName(parameter.getInitializer()));
      }
    }
    p.put("model.parameters", count);
    if (!initializers.isEmpty()) {
      p.put("initializer", String.join(",", initializers));
    }
    if (data != null) {
      p.put("batch_size", data.getBatch().getSize());
    }
    return p;
  }

  /**
   * The numbers an optimizer holds, by field name: DJL has no getters for them. A learning rate
   * tracker {@code xTracker} gives {@code optimizer.xTracker} (its class) and {@code optimizer.x}
   * (its first value).
   */
  static Map<String, Object> optimizerSettings(Optimizer optimizer) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (Class<?> c = optimizer.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || OPTIMIZER_STATE.contains(f.getName())) {
          continue;
        }
        try {
          Class<?> type = f.getType();
          if (type.isPrimitive() || ParameterTracker.class.isAssignableFrom(type)) {
            f.setAccessible(true);
            Object value = f.get(optimizer);
            if (value instanceof ParameterTracker t) {
              p.putIfAbsent("optimizer." + f.getName(), className(t));
              String rate = f.getName().endsWith("Tracker")
                  ? f.getName().substring(0, f.getName().length() - "Tracker".length())
                  : f.getName() + ".first";
              p.putIfAbsent("optimizer." + rate, t.getNewValue("", 0));
            } else if (value != null) {
              p.putIfAbsent("optimizer." + f.getName(), value);
            }
          }
        } catch (RuntimeException | IllegalAccessException e) {
          // a module that does not open it, or a tracker that needs a known parameter id:
          // the setting is not recorded
        }
      }
    }
    return p;
  }

  /** An initializer's class, or the name of DJL's constant when it is one of those lambdas. */
  static String initializerName(Initializer initializer) {
    if (initializer == Initializer.ZEROS) {
      return "Initializer.ZEROS";
    }
    if (initializer == Initializer.ONES) {
      return "Initializer.ONES";
    }
    return className(initializer);
  }

  /** A class's simple name; "lambda" for a lambda, whose class name changes from run to run. */
  private static String className(Object o) {
    Class<?> c = o.getClass();
    if (c.isSynthetic() || c.isHidden()) {
      return "lambda";
    }
    String simple = c.getSimpleName();
    return simple.isEmpty() ? c.getName() : simple;
  }
}
