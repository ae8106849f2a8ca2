package dev.tracker.internal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tags every run gets at start, as MLflow's Python client sets them, computed once per
 * tracker: user, source, git commit and branch, JVM facts.
 */
public final class RunContext {
  /** MLflow's standard tag names. */
  public static final String RUN_NAME = "mlflow.runName";
  public static final String PARENT_RUN_ID = "mlflow.parentRunId";
  public static final String USER = "mlflow.user";
  public static final String SOURCE_NAME = "mlflow.source.name";
  public static final String SOURCE_TYPE = "mlflow.source.type";
  public static final String GIT_COMMIT = "mlflow.source.git.commit";
  public static final String GIT_BRANCH = "mlflow.source.git.branch";

  private RunContext() {}

  /** The standard tags for runs started by this JVM in {@code workDir}. */
  public static Map<String, String> standardTags(Path workDir) {
    Map<String, String> tags = new LinkedHashMap<>();
    putIfPresent(tags, USER, System.getProperty("user.name"));
    putIfPresent(tags, SOURCE_NAME, sourceName(System.getProperty("sun.java.command")));
    tags.put(SOURCE_TYPE, "LOCAL");
    GitInfo.find(workDir).ifPresent(git -> {
      putIfPresent(tags, GIT_COMMIT, git.commit());
      putIfPresent(tags, GIT_BRANCH, git.branch());
    });
    putIfPresent(tags, "tracker.java.version", System.getProperty("java.version"));
    putIfPresent(tags, "tracker.java.vendor", System.getProperty("java.vendor"));
    putIfPresent(tags, "tracker.os.name", System.getProperty("os.name"));
    putIfPresent(tags, "tracker.os.arch", System.getProperty("os.arch"));
    return tags;
  }

  /**
   * The main class, or the jar's file name, from the {@code sun.java.command} property ("main
   * class or jar, then arguments"); arguments are dropped since they may hold secrets.
   */
  static String sourceName(String command) {
    if (command == null || command.isBlank()) {
      return null;
    }
    String first = command.trim().split("\\s+", 2)[0];
    if (first.endsWith(".jar")) {
      int slash = Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\'));
      return first.substring(slash + 1);
    }
    return first;
  }

  private static void putIfPresent(Map<String, String> tags, String key, String value) {
    if (value != null && !value.isBlank()) {
      tags.put(key, value.length() > Validation.MAX_TAG_VALUE_LENGTH
          ? value.substring(0, Validation.MAX_TAG_VALUE_LENGTH) : value);
    }
  }
}
