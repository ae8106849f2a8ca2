package dev.tracker.cli;

import dev.tracker.ModelRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registered model versions made from a run, as its tag {@value ModelRegistry#LINEAGE_TAG}
 * lists them ({@code iris/1,iris/2}).
 */
final class ModelLineage {
  private ModelLineage() {}

  /**
   * One entry of the tag: a model name and its version; an entry that is not {@code name/number}
   * is kept whole as the name, with a null version, so that a hand-edited tag still shows.
   */
  record Ref(String name, Integer version) {}

  /** The entries of the run's lineage tag in its order; empty when the run has no such tag. */
  static List<Ref> of(Map<String, String> tags) {
    String value = tags.get(ModelRegistry.LINEAGE_TAG);
    List<Ref> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    for (String raw : value.split(",")) {
      String entry = raw.strip();
      if (!entry.isEmpty()) {
        out.add(parse(entry));
      }
    }
    return out;
  }

  /** The versions as {@code show --format json} writes them: {"name": ..., "version": ...}. */
  static List<Object> json(List<Ref> refs) {
    List<Object> out = new ArrayList<>();
    for (Ref r : refs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", r.name());
      m.put("version", r.version());
      out.add(m);
    }
    return out;
  }

  private static Ref parse(String entry) {
    // a model name may hold '/', a version never does
    int slash = entry.lastIndexOf('/');
    if (slash > 0 && entry.substring(slash + 1).matches("[0-9]{1,9}")) {
      return new Ref(entry.substring(0, slash), Integer.valueOf(entry.substring(slash + 1)));
    }
    return new Ref(entry, null);
  }
}
