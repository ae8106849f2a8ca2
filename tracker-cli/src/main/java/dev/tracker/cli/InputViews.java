package dev.tracker.cli;

import dev.tracker.DatasetInput;
import dev.tracker.RunData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A run's dataset inputs as {@code show} lists them and {@code compare} sets them side by side. */
final class InputViews {
  /** What {@code compare} says of runs whose inputs differ from the first run's. */
  static final String DIFFERENT_DATA = "trained on different data";

  private InputViews() {}

  /**
   * One input name across runs: the digests each run used under that name (comma-separated,
   * the source for an input without a digest; null when the run has none) and whether they
   * differ.
   */
  record Row(String name, List<String> values, boolean differs) {}

  static List<Row> rows(List<RunData> runs) {
    Set<String> names = new LinkedHashSet<>();
    runs.forEach(r -> r.inputs().forEach(i -> names.add(i.name())));
    List<Row> out = new ArrayList<>();
    for (String name : names) {
      List<String> values = new ArrayList<>();
      for (RunData r : runs) {
        TreeSet<String> ids = new TreeSet<>();
        for (DatasetInput i : r.inputs()) {
          if (i.name().equals(name)) {
            ids.add(i.digest() != null ? i.digest() : i.source());
          }
        }
        values.add(ids.isEmpty() ? null : String.join(",", ids));
      }
      out.add(new Row(name, values, new HashSet<>(values).size() > 1));
    }
    return out;
  }

  /** The ids of the runs (after the first) whose inputs differ from the first run's. */
  static List<String> differentData(List<RunData> runs, List<Row> rows) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i < runs.size(); i++) {
      for (Row row : rows) {
        if (!java.util.Objects.equals(row.values().get(i), row.values().get(0))) {
          out.add(runs.get(i).info().id());
          break;
        }
      }
    }
    return out;
  }

  /**
   * What {@code compare} and {@code report} say when some runs used other data than the first
   * run: "trained on different data: c3d4e5f6 used other inputs than a1b2c3d4"; null when none
   * did.
   */
  static String differentDataNote(List<RunData> runs, List<Row> rows) {
    List<String> different = differentData(runs, rows);
    return different.isEmpty() ? null : DIFFERENT_DATA + ": " + String.join(", ",
        different.stream().map(RunViews::shortId).toList()) + " used other inputs than "
        + RunViews.shortId(runs.get(0).info().id());
  }

  /** A digest short enough for a table: the first 8 hex characters, and ".dir" for a folder. */
  static String shortDigest(String value) {
    return shortDigest(value, 8);
  }

  /**
   * Each of the comma-separated digests in {@code value} cut to its first {@code length} hex
   * characters, keeping ".dir" for a folder; other values whole, "-" for null.
   */
  static String shortDigest(String value, int length) {
    if (value == null) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    for (String v : value.split(",")) {
      parts.add(v.matches("[0-9a-f]{32}(\\.dir)?") ? v.substring(0, length)
          + (v.endsWith(".dir") ? ".dir" : "") : v);
    }
    return String.join(",", parts);
  }

  /** The bytes of an input, "-" when unknown. */
  static String size(DatasetInput input) {
    return input.size() < 0 ? "-" : Long.toString(input.size());
  }

  /** The files of an input, "-" when unknown. */
  static String files(DatasetInput input) {
    return input.fileCount() < 0 ? "-" : Long.toString(input.fileCount());
  }

  /** The inputs as JSON values for {@code show}. */
  static List<Object> json(List<DatasetInput> inputs) {
    List<Object> out = new ArrayList<>();
    for (DatasetInput i : inputs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", i.name());
      m.put("digest", i.digest());
      m.put("source_type", i.sourceType());
      m.put("source", i.source());
      m.put("context", i.context());
      m.put("size", i.size() < 0 ? null : i.size());
      m.put("files", i.fileCount() < 0 ? null : i.fileCount());
      m.put("schema", i.schema());
      m.put("dvc_md5", i.dvcMd5());
      out.add(m);
    }
    return out;
  }

  /** The inputs as the table of {@code show}. */
  static TextTable.Rendered table(List<DatasetInput> inputs, Cli cli) {
    List<String> names = new ArrayList<>();
    List<String> contexts = new ArrayList<>();
    List<String> digests = new ArrayList<>();
    List<String> sizes = new ArrayList<>();
    List<String> files = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    List<String> dvc = new ArrayList<>();
    for (DatasetInput i : inputs) {
      names.add(Values.printable(i.name()));
      contexts.add(Values.printable(i.context()));
      digests.add(i.digest() == null ? "-" : i.digest());
      sizes.add(size(i));
      files.add(files(i));
      sources.add(Values.printable(i.source()));
      dvc.add(i.dvcMd5() == null ? "-" : i.dvcMd5().equals(i.digest()) ? "same"
          : i.dvcMd5());
    }
    TextTable t = new TextTable(cli.ellipsis).indent("  ")
        .column("input", TextTable.KEEP, TextTable.Align.LEFT, names)
        .column("context", 60, TextTable.Align.LEFT, contexts)
        .column("digest", 90, TextTable.Align.LEFT, digests)
        .column("size", 50, TextTable.Align.RIGHT, sizes)
        .column("files", 40, TextTable.Align.RIGHT, files)
        .column("source", 70, TextTable.Align.LEFT, sources);
    if (inputs.stream().anyMatch(i -> i.dvcMd5() != null)) {
      t.column("dvc md5", 30, TextTable.Align.LEFT, dvc);
    }
    return t.render(cli.width);
  }
}
