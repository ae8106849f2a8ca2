package dev.tracker.file;

import dev.tracker.DatasetInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A run folder's {@code inputs.yaml}: the data sets the run used, as a list under {@code inputs},
 * one mapping each ({@code name}, {@code digest}, {@code source_type}, {@code source}, {@code
 * context}, {@code size}, {@code files}, and {@code schema} and {@code dvc_md5} when known), in
 * the order first logged. One entry per (name, digest): logging it again changes nothing.
 */
final class InputsYaml {
  /** The file name in a run folder. */
  static final String FILE = "inputs.yaml";

  private InputsYaml() {}

  /** Adds the inputs not yet listed, replacing the file atomically when any is new. */
  static void merge(Path file, List<DatasetInput> inputs) throws IOException {
    List<DatasetInput> current = read(file);
    boolean changed = false;
    for (DatasetInput in : inputs) {
      if (current.stream().noneMatch(c -> c.name().equals(in.name())
          && Objects.equals(c.digest(), in.digest()))) {
        current.add(in);
        changed = true;
      }
    }
    if (!changed) {
      return;
    }
    List<Map<String, Object>> list = new ArrayList<>();
    for (DatasetInput in : current) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", in.name());
      m.put("digest", in.digest());
      m.put("source_type", in.sourceType());
      m.put("source", in.source());
      m.put("context", in.context());
      m.put("size", in.size());
      m.put("files", in.fileCount());
      if (in.schema() != null) {
        m.put("schema", in.schema());
      }
      if (in.dvcMd5() != null) {
        m.put("dvc_md5", in.dvcMd5());
      }
      list.add(m);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("inputs", list);
    YamlFiles.write(file, doc);
  }

  /**
   * The inputs listed; none when the file is missing.
   *
   * @throws IOException when the file is not such a list, naming the file and the entry
   */
  static List<DatasetInput> read(Path file) throws IOException {
    List<DatasetInput> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    Object list = YamlFiles.loadMap(file).get("inputs");
    if (list == null) {
      return out;
    }
    if (!(list instanceof List<?> items)) {
      throw new IOException(file + " was rejected: 'inputs' must be a sequence but was a "
          + YamlFiles.kind(list));
    }
    for (int i = 0; i < items.size(); i++) {
      if (!(items.get(i) instanceof Map<?, ?> m)) {
        throw new IOException(file + " was rejected: input " + (i + 1) + " must be a mapping"
            + " but was a " + YamlFiles.kind(items.get(i)));
      }
      String where = file + " was rejected: input " + (i + 1);
      out.add(new DatasetInput(text(where, m, "name", true), text(where, m, "digest", false),
          text(where, m, "source_type", true), text(where, m, "source", true),
          text(where, m, "context", true), number(where, m, "size"),
          number(where, m, "files"), text(where, m, "schema", false),
          text(where, m, "dvc_md5", false)));
    }
    return out;
  }

  private static String text(String where, Map<?, ?> m, String key, boolean required)
      throws IOException {
    Object v = m.get(key);
    if (v == null) {
      if (required) {
        throw new IOException(where + " has no '" + key + "'");
      }
      return null;
    }
    if (v instanceof Map || v instanceof Iterable) {
      throw new IOException(where + ": '" + key + "' must be a scalar but was a "
          + YamlFiles.kind(v));
    }
    return String.valueOf(v);
  }

  private static long number(String where, Map<?, ?> m, String key) throws IOException {
    Object v = m.get(key);
    if (v == null) {
      return -1;
    }
    if (!(v instanceof Number n)) {
      throw new IOException(where + ": '" + key + "' must be a whole number but was a "
          + YamlFiles.kind(v));
    }
    return n.longValue();
  }
}
