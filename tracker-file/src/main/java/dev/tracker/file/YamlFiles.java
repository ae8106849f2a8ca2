package dev.tracker.file;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads and writes the YAML files of a run folder.
 *
 * <p>Reading uses SnakeYAML's {@link SafeConstructor} only (no tag can instantiate a class), with
 * limits that defuse "billion laughs" alias bombs, deep nesting and huge files; files written by
 * someone else are untrusted. Writing replaces a file atomically: the content goes to a temporary
 * file in the same folder, is forced to disk, and is renamed over the old file, so a reader (or a
 * crash) sees the old or the new file, never a part.
 *
 * <p>Every string is written so that every YAML reader reads back exactly that string: a string
 * that a YAML 1.1 reader (Python's PyYAML, SnakeYAML) or a YAML 1.2 reader would resolve to
 * something else when written plain ({@code =}, {@code <<}, {@code ~}, {@code null}, {@code
 * yes}/{@code off}, {@code 0x1f}, {@code 1_000}, {@code 1:20}, {@code .nan}, {@code 2001-12-14},
 * …) is written in single quotes; a string holding control characters or line breaks is written
 * in double quotes with escapes ({@code "\e"}, {@code "\0"}), never as {@code !!binary}.
 */
final class YamlFiles {
  /** Our files use no aliases; a hand-edited one may use a few. */
  static final int MAX_ALIASES = 20;
  static final int MAX_NESTING = 20;
  static final int MAX_CODE_POINTS = 16 * 1024 * 1024;

  private YamlFiles() {}

  /**
   * Loads a YAML document safely: standard tags only, at most {@value #MAX_ALIASES} aliases.
   *
   * @return the document (maps, lists, strings, numbers, booleans, null); timestamps stay strings,
   *     and so do plain scalars PyYAML reads as strings ({@code 1e-4}, {@code -.5}), see {@link
   *     Yaml11Resolver}
   * @throws java.nio.file.NoSuchFileException when the file is missing
   * @throws IOException when the file cannot be read, or is not valid, safe YAML; the message names
   *     the file and the reason
   */
  static Object load(Path file) throws IOException {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(MAX_NESTING);
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setAllowDuplicateKeys(false);
    // class tags such as !!javax.script.ScriptEngineManager fail here, before construction;
    // the safe constructor refuses every other tag it does not know
    options.setTagInspector(tag -> false);
    Yaml yaml = new Yaml(new StringConstructor(options), new PlainRepresenter(dumperOptions()),
        dumperOptions(), options, new Yaml11Resolver());
    try (Reader in = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
      return yaml.load(in);
    } catch (YAMLException e) {
      if (e.getCause() instanceof IOException io) { // reading failed: not the content's fault
        throw new IOException("cannot read " + file + ": " + OpenRun.reason(io), io);
      }
      throw new IOException(file + " was rejected: " + describe(e), e);
    }
  }

  /**
   * Loads a YAML file whose document is a mapping with string keys (an empty document reads as an
   * empty mapping).
   *
   * @throws IOException when the file is not such a mapping, naming the file
   */
  static Map<String, Object> loadMap(Path file) throws IOException {
    Object doc = load(file);
    if (doc == null) {
      return new LinkedHashMap<>();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new IOException(file + " was rejected: expected a YAML mapping but was a "
          + kind(doc));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (e.getKey() == null || e.getKey() instanceof Map || e.getKey() instanceof Iterable) {
        throw new IOException(file + " was rejected: expected scalar keys but found a "
            + kind(e.getKey()) + " key");
      }
      out.put(String.valueOf(e.getKey()), e.getValue());
    }
    return out;
  }

  /** "mapping", "sequence", "string", … for messages. */
  static String kind(Object value) {
    if (value == null) {
      return "null";
    } else if (value instanceof Map) {
      return "mapping";
    } else if (value instanceof Iterable) {
      return "sequence";
    } else if (value instanceof byte[]) {
      return "binary value";
    } else if (value instanceof String) {
      return "string";
    } else if (value instanceof Number) {
      return "number";
    } else if (value instanceof Boolean) {
      return "boolean";
    }
    return value.getClass().getSimpleName();
  }

  private static String describe(YAMLException e) {
    if (e instanceof MarkedYAMLException m) {
      Mark mark = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
      String problem = m.getProblem() != null ? m.getProblem() : m.getContext();
      if (mark != null) {
        return problem + " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1)
            + ")";
      }
      return problem;
    }
    return e.getMessage();
  }

  /**
   * Writes a YAML mapping atomically: temporary file in the same folder, forced to disk, renamed
   * over {@code file}. When anything fails, {@code file} is unchanged and the temporary file gone.
   */
  static void write(Path file, Map<String, ?> content) throws IOException {
    String text;
    try {
      text = dump(content);
    } catch (YAMLException e) {
      throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The YAML text of a mapping, as {@link #write} writes it. */
  static String dump(Map<String, ?> content) {
    DumperOptions options = dumperOptions();
    return new Yaml(new SafeConstructor(new LoaderOptions()), new PlainRepresenter(options),
        options).dump(content);
  }

  private static DumperOptions dumperOptions() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setLineBreak(DumperOptions.LineBreak.UNIX);
    options.setSplitLines(false);
    options.setAllowUnicode(true);
    options.setIndent(2);
    options.setNonPrintableStyle(DumperOptions.NonPrintableStyle.ESCAPE);
    return options;
  }

  /** The safe constructor, with timestamps kept as the strings they are written as. */
  private static final class StringConstructor extends SafeConstructor {
    StringConstructor(LoaderOptions options) {
      super(options);
      this.yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
    }
  }

  /**
   * SnakeYAML's resolver with PyYAML's YAML 1.1 floats: SnakeYAML also reads {@code 1e-4}, {@code
   * 1E5}, {@code 1.0e5} and {@code -.5} as floats, which PyYAML (the DAGsHub logger's {@code
   * yaml.safe_dump}) writes plain for those strings, so a string param such as an {@code lr}
   * given on a command line would read back as another string ({@code 1.0E-4}).
   */
  private static final class Yaml11Resolver extends Resolver {
    private static final Pattern FLOAT = Pattern.compile(YAML11_FLOAT);

    @Override
    public Tag resolve(NodeId kind, String value, boolean implicit) {
      Tag tag = super.resolve(kind, value, implicit);
      return Tag.FLOAT.equals(tag) && !FLOAT.matcher(value).matches() ? Tag.STR : tag;
    }
  }

  /**
   * Writes maps, lists, strings, numbers and booleans only (any other class fails instead of
   * being written as a bean with a class tag), and a double's exponent with its sign ({@code
   * 1.0E+10}): YAML 1.1 readers such as Python's PyYAML read {@code 1.0E10} as a string.
   */
  private static final class PlainRepresenter extends Representer {
    PlainRepresenter(DumperOptions options) {
      super(options);
      this.representers.put(null, data -> {
        throw new YAMLException("cannot write a " + data.getClass().getName() + " as YAML");
      });
      this.representers.put(String.class, data -> representString((String) data));
      this.representers.put(Double.class, data -> representScalar(Tag.FLOAT,
          formatDouble((Double) data)));
    }

    /**
     * A string scalar: in double quotes with escapes when it holds a control character or a line
     * break, in single quotes when a reader could take it plain for another type, otherwise as
     * SnakeYAML chooses (plain where it can).
     */
    private Node representString(String s) {
      DumperOptions.ScalarStyle style = needsEscapes(s) ? DumperOptions.ScalarStyle.DOUBLE_QUOTED
          : NOT_A_PLAIN_STRING.matcher(s).matches() ? DumperOptions.ScalarStyle.SINGLE_QUOTED
          : defaultScalarStyle;
      return representScalar(Tag.STR, s, style);
    }
  }

  /** PyYAML's implicit float (YAML 1.1): a dot, and a sign in any exponent. */
  private static final String YAML11_FLOAT = String.join("|",
      "[-+]?[0-9][0-9_]*\\.[0-9_]*(?:[eE][-+][0-9]+)?",
      "\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?",
      "[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*",
      "[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");

  /**
   * Plain scalars that some YAML reader resolves to something other than a string: PyYAML's YAML
   * 1.1 resolvers (bool, int, float, merge, null, timestamp, value, yaml) and the YAML 1.2 core
   * schema's ({@code 0o17}, {@code 1e3}).
   */
  private static final Pattern NOT_A_PLAIN_STRING = Pattern.compile(String.join("|",
      // YAML 1.1 bool
      "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
      // YAML 1.1 and 1.2 y/n are read as booleans by some readers (1.1's full bool type)
      "y|Y|n|N",
      // YAML 1.1 float
      YAML11_FLOAT,
      // YAML 1.1 int: binary, octal, decimal, hex, sexagesimal
      "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+",
      "[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+",
      // YAML 1.2 core schema int and float
      "[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+",
      "[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?",
      // merge, null, value, yaml (!, &, *)
      "<<|~|null|Null|NULL|=|!|&|\\*|",
      // timestamp
      "[0-9]{4}-[0-9]{2}-[0-9]{2}",
      "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]*)?"
          + "(?:[ \\t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"));

  /**
   * True when {@code s} holds a character that only a double-quoted scalar carries exactly: C0 and
   * C1 control characters (tab and line breaks included), DEL, the Unicode line and paragraph
   * separators, a byte order mark and the non-characters U+FFFE and U+FFFF.
   */
  static boolean needsEscapes(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
          || c == '\ufeff' || c >= '\ufffe') {
        return true;
      }
    }
    return false;
  }

  /** A double as YAML 1.1 writes it: {@code .nan}, {@code .inf}, {@code 1.0E+10}. */
  static String formatDouble(double d) {
    if (Double.isNaN(d)) {
      return ".nan";
    } else if (d == Double.POSITIVE_INFINITY) {
      return ".inf";
    } else if (d == Double.NEGATIVE_INFINITY) {
      return "-.inf";
    }
    String s = Double.toString(d);
    int e = s.indexOf('E');
    if (e >= 0 && s.charAt(e + 1) != '-') {
      s = s.substring(0, e + 1) + "+" + s.substring(e + 1);
    }
    return s;
  }
}
