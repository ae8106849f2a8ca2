package dev.tracker.file;

import dev.tracker.Param;
import dev.tracker.RunInfo;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the YAML files of a run folder hold: {@code run.yaml} (the run's info and tags) and {@code
 * params.yaml} (params, typed where the string is a number's or boolean's canonical form), read
 * into values and merged with new params and tags.
 */
final class RunYaml {
  static final String RUN_NAME_TAG = "mlflow.runName";
  static final Pattern LONG = Pattern.compile("-?[0-9]{1,19}");
  static final Pattern DOUBLE_LIKE = Pattern.compile("-?[0-9].*");

  private RunYaml() {}

  static List<String> mergeParams(Path file, List<Param> params) throws IOException {
    Map<String, Object> current = Files.exists(file) ? YamlFiles.loadMap(file)
        : new LinkedHashMap<>();
    List<String> conflicts = new ArrayList<>();
    boolean changed = false;
    for (Param p : params) {
      if (!current.containsKey(p.key())) {
        current.put(p.key(), typedParam(p.value()));
        changed = true;
        continue;
      }
      String old = paramText(file, p.key(), current.get(p.key()));
      if (!old.equals(p.value())) {
        conflicts.add("param '" + p.key() + "' is '" + abbreviate(old) + "' in " + file
            + " and cannot be changed to '" + abbreviate(p.value()) + "' (params are write-once)");
      }
    }
    if (changed) {
      YamlFiles.write(file, current);
    }
    return conflicts;
  }

  static void mergeTags(Path file, List<Tag> tags) throws IOException {
    Map<String, Object> yaml = YamlFiles.loadMap(file);
    Map<String, String> current = readTags(file, yaml);
    for (Tag t : tags) {
      current.put(t.key(), t.value());
      if (t.key().equals(RUN_NAME_TAG)) {
        yaml.put("name", t.value()); // renames the run, as MLflow's set_tag does
      }
    }
    yaml.put("tags", sorted(current));
    YamlFiles.write(file, yaml);
  }

  static RunInfo info(Path dir, Path file, Map<String, Object> yaml) throws IOException {
    String id = string(file, yaml, "id", dir.getFileName().toString());
    String experiment = string(file, yaml, "experiment", dir.getParent().getFileName().toString());
    String statusText = string(file, yaml, "status", RunStatus.RUNNING.name());
    RunStatus status;
    try {
      status = RunStatus.valueOf(statusText);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " was rejected: status must be one of RUNNING, FINISHED,"
          + " FAILED, KILLED but was '" + statusText + "'");
    }
    return new RunInfo(id, string(file, yaml, "name", id), experiment, experiment, status,
        number(file, yaml, "start_time", 0), number(file, yaml, "end_time", 0),
        string(file, yaml, "parent", null));
  }

  static Map<String, String> readParams(Path file) throws IOException {
    Map<String, Object> yaml;
    try {
      yaml = YamlFiles.loadMap(file);
    } catch (NoSuchFileException e) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : yaml.entrySet()) {
      out.put(e.getKey(), paramText(file, e.getKey(), e.getValue()));
    }
    return out;
  }

  static Map<String, String> readTags(Path file, Map<String, Object> yaml)
      throws IOException {
    Object tags = yaml.get("tags");
    Map<String, String> out = new LinkedHashMap<>();
    if (tags == null) {
      return out;
    }
    if (!(tags instanceof Map<?, ?> map)) {
      throw new IOException(file + " was rejected: tags must be a mapping but was a "
          + YamlFiles.kind(tags));
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object v = e.getValue();
      if (v instanceof Map || v instanceof Iterable) {
        throw new IOException(file + " was rejected: tag '" + e.getKey()
            + "' must be a scalar but was a " + YamlFiles.kind(v));
      }
      out.put(String.valueOf(e.getKey()), v == null ? "" : scalarText(v));
    }
    return out;
  }

  static Map<String, Object> newRunYaml(RunSpec spec) {
    Map<String, Object> yaml = new LinkedHashMap<>();
    yaml.put("id", spec.runId());
    yaml.put("name", spec.runName());
    yaml.put("experiment", spec.experimentName());
    yaml.put("status", RunStatus.RUNNING.name());
    yaml.put("start_time", spec.startTime());
    yaml.put("end_time", null);
    yaml.put("parent", spec.parentRunId());
    yaml.put("source", spec.tags().get("mlflow.source.name"));
    yaml.put("tags", sorted(spec.tags()));
    return yaml;
  }

  static Map<String, String> sorted(Map<String, String> tags) {
    return new LinkedHashMap<>(new TreeMap<>(tags));
  }

  /**
   * The value to write for a param: a Long, Double or Boolean when the string is exactly how
   * Java writes that value (so that reading it back gives the same string), else the string.
   */
  static Object typedParam(String value) {
    if (value.equals("true")) {
      return Boolean.TRUE;
    }
    if (value.equals("false")) {
      return Boolean.FALSE;
    }
    if (LONG.matcher(value).matches()) {
      try {
        long l = Long.parseLong(value);
        if (Long.toString(l).equals(value)) {
          return l;
        }
      } catch (NumberFormatException tooBig) {
        return value;
      }
    }
    if (DOUBLE_LIKE.matcher(value).matches()) {
      try {
        double d = Double.parseDouble(value);
        if (Double.toString(d).equals(value)) {
          return d;
        }
      } catch (NumberFormatException notANumber) {
        return value;
      }
    }
    return value;
  }

  /** The string a param value read from YAML stands for. */
  static String paramText(Path file, String key, Object value) throws IOException {
    if (value instanceof Map || value instanceof Iterable) {
      throw new IOException(file + " was rejected: param '" + key
          + "' must be a scalar but was a " + YamlFiles.kind(value));
    }
    return value == null ? "null" : scalarText(value);
  }

  static String scalarText(Object value) {
    if (value instanceof Double d) {
      return Double.toString(d);
    }
    if (value instanceof byte[] bytes) {
      // what earlier versions wrote for a string with control characters (!!binary)
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return String.valueOf(value);
  }

  static String string(Path file, Map<String, Object> yaml, String field, String dflt)
      throws IOException {
    Object v = yaml.get(field);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Map || v instanceof Iterable) {
      throw new IOException(file + " was rejected: " + field + " must be a scalar but was a "
          + YamlFiles.kind(v));
    }
    return scalarText(v);
  }

  static long number(Path file, Map<String, Object> yaml, String field, long dflt)
      throws IOException {
    Object v = yaml.get(field);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw new IOException(file + " was rejected: " + field
        + " must be an integer (milliseconds since the epoch) but was '" + v + "'");
  }

  static String abbreviate(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "…";
  }
}
