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
    putIfPresent(tags, SOURCE_NAME, Launch.current().source());
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

  private static void putIfPresent(Map<String, String> tags, String key, String value) {
    if (value != null && !value.isBlank()) {
      tags.put(key, Validation.cut(value, Validation.MAX_TAG_VALUE_LENGTH));
    }
  }
}
