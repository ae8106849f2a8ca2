package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class YamlFilesTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aConcurrentReaderSeesTheOldOrTheNewFileNeverAPart() throws Exception {
    Path file = dir.resolve("params.yaml");
    Map<String, Object> small = Map.of("version", "small");
    Map<String, Object> large = new LinkedHashMap<>();
    for (int i = 0; i < 500; i++) {
      large.put("key" + i, "value ".repeat(20) + i);
    }
    YamlFiles.write(file, small);
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    List<Object> seen = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      while (!done.get() || reads.get() == 0) {
        try {
          Map<String, Object> read = YamlFiles.loadMap(file);
          if (!read.equals(small) && !read.equals(large)) {
            seen.add(read);
          }
        } catch (IOException | RuntimeException e) {
          seen.add(e);
        }
        reads.incrementAndGet();
      }
    });
    reader.start();
    for (int i = 0; i < 200; i++) {
      YamlFiles.write(file, i % 2 == 0 ? large : small);
    }
    done.set(true);
    reader.join(30_000);
    assertThat(seen).as("partial or failed reads out of %s", reads.get()).isEmpty();
    assertThat(reads.get()).isPositive();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void aWriteThatFailsLeavesTheOldFileAndNoTemporaryFile() throws IOException {
    Path file = dir.resolve("run.yaml");
    YamlFiles.write(file, Map.of("status", "RUNNING"));
    Map<String, Object> bad = new LinkedHashMap<>();
    bad.put("status", "FINISHED");
    bad.put("thing", new Object());
    assertThatThrownBy(() -> YamlFiles.write(file, bad))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot write " + file + ": cannot write a java.lang.Object as YAML");
    assertThat(file).hasContent("status: RUNNING");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void aRenameThatFailsRemovesTheTemporaryFile() throws IOException {
    Path target = Files.createDirectories(dir.resolve("taken"));
    Files.writeString(target.resolve("inside"), "x");
    assertThatThrownBy(() -> AtomicFiles.write(target, new byte[] {1}))
        .isInstanceOf(IOException.class);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void doublesAreWrittenSoThatYaml11ReadersSeeNumbers() {
    assertThat(YamlFiles.formatDouble(1e10)).isEqualTo("1.0E+10");
    assertThat(YamlFiles.formatDouble(1e-5)).isEqualTo("1.0E-5");
    assertThat(YamlFiles.formatDouble(0.1)).isEqualTo("0.1");
    assertThat(YamlFiles.formatDouble(Double.NaN)).isEqualTo(".nan");
    assertThat(YamlFiles.formatDouble(Double.POSITIVE_INFINITY)).isEqualTo(".inf");
    assertThat(YamlFiles.formatDouble(Double.NEGATIVE_INFINITY)).isEqualTo("-.inf");
  }

  @Test
  void deeplyNestedDocumentsAreRejected() throws IOException {
    Path file = dir.resolve("deep.yaml");
    Files.writeString(file, "a: " + "[".repeat(100) + "]".repeat(100) + "\n");
    assertThatThrownBy(() -> YamlFiles.load(file))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(file + " was rejected: Nesting Depth exceeded max 20");
  }

  @Test
  void aFileThatCannotBeReadIsToldAsSuchNotAsRejected() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("params.yaml"));
    assertThatThrownBy(() -> YamlFiles.load(folder))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot read " + folder + ": Is a directory");
  }

  @Test
  void timestampsStayStrings() throws IOException {
    Path file = dir.resolve("t.yaml");
    Files.writeString(file, "when: 2024-01-02\n");
    assertThat(YamlFiles.loadMap(file)).containsEntry("when", "2024-01-02");
  }

  @Test
  void plainScalarsPyYamlReadsAsStringsAreReadAsThoseStrings() throws IOException {
    // what PyYAML's safe_dump writes (the DAGsHub logger's params.yml) for these dicts:
    // {'lr': '1e-4', ...} as strings, {'x': 1e16, ...} as floats
    Path file = Files.writeString(dir.resolve("params.yml"), ""
        + "lr: 1e-4\n"
        + "big: 1E5\n"
        + "e2: 1.5e3\n"
        + "neg: -.5\n"
        + "unsigned: 1.0e5\n"
        + "plus: +1e3\n"
        + "x: 1.0e+16\n"
        + "small: 1.0e-05\n"
        + "half: 0.5\n"
        + "sexagesimal: 3:10.5\n"
        + "inf: -.inf\n");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("lr", "1e-4");
    expected.put("big", "1E5");
    expected.put("e2", "1.5e3");
    expected.put("neg", "-.5");
    expected.put("unsigned", "1.0e5");
    expected.put("plus", "+1e3");
    expected.put("x", 1e16);
    expected.put("small", 1e-5);
    expected.put("half", 0.5);
    expected.put("sexagesimal", 190.5);
    expected.put("inf", Double.NEGATIVE_INFINITY);
    assertThat(YamlFiles.loadMap(file)).containsExactlyEntriesOf(expected);
  }

  @Test
  void anEmptyDocumentIsAnEmptyMapping() throws IOException {
    Path file = Files.writeString(dir.resolve("empty.yaml"), "");
    assertThat(YamlFiles.loadMap(file)).isEmpty();
    List<String> lines = new ArrayList<>(List.of(YamlFiles.dump(Map.of()).split("\n")));
    assertThat(lines).containsExactly("{}");
  }

  @Test
  void everyStringReadsBackAsExactlyItself() throws IOException {
    Map<String, Object> content = new LinkedHashMap<>(HardStrings.asParams());
    Path file = dir.resolve("hard.yaml");
    YamlFiles.write(file, content);
    assertThat(YamlFiles.loadMap(file)).containsExactlyEntriesOf(content);
  }

  @Test
  void stringsOtherReadersWouldTypeAreQuotedAndControlCharactersEscaped() {
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("p", "=");
    content.put("merge", "<<");
    content.put("hex", "0x1f");
    content.put("sexagesimal", "1:20");
    content.put("y", "y");
    content.put("nan", ".nan");
    content.put("word", "NaN");
    content.put("esc", "\u001b[31m");
    content.put("nul", "a\0b");
    content.put("nel", "a\u0085b");
    content.put("number", 1.5);
    assertThat(YamlFiles.dump(content)).isEqualTo(""
        + "p: '='\n"
        + "merge: '<<'\n"
        + "hex: '0x1f'\n"
        + "sexagesimal: '1:20'\n"
        + "'y': 'y'\n"
        + "nan: '.nan'\n"
        + "word: NaN\n"
        + "esc: \"\\e[31m\"\n"
        + "nul: \"a\\0b\"\n"
        + "nel: \"a\\Nb\"\n"
        + "number: 1.5\n");
  }
}
