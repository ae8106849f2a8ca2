package dev.tracker.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.DatasetInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inputs.yaml}: one entry per (name, digest), written atomically, read back exactly. */
class InputsYamlTest {
  @TempDir Path tmp;

  private static final DatasetInput TRAIN = new DatasetInput("iris-train",
      "900150983cd24fb0d6963f7d28e17f72", "local", "/data/train.csv", "training", 3, 1,
      "{\"mlflow_colspec\": []}", "900150983cd24fb0d6963f7d28e17f72");
  private static final DatasetInput URI = new DatasetInput("k", null, "s3", "s3://b/k",
      "evaluation", -1, -1, null, null);

  @Test
  void inputsAreWrittenAsAListOfMappingsOnePerNameAndDigest() throws Exception {
    Path file = tmp.resolve(InputsYaml.FILE);
    InputsYaml.merge(file, List.of(TRAIN));
    InputsYaml.merge(file, List.of(TRAIN, URI, URI));
    assertThat(Files.readString(file)).isEqualTo("""
        inputs:
        - name: iris-train
          digest: 900150983cd24fb0d6963f7d28e17f72
          source_type: local
          source: /data/train.csv
          context: training
          size: 3
          files: 1
          schema: '{"mlflow_colspec": []}'
          dvc_md5: 900150983cd24fb0d6963f7d28e17f72
        - name: k
          digest: null
          source_type: s3
          source: s3://b/k
          context: evaluation
          size: -1
          files: -1
        """);
    assertThat(InputsYaml.read(file)).containsExactly(TRAIN, URI);
  }

  @Test
  void aMissingFileHasNoInputsAndABadOneIsRejectedNamingTheEntry() throws Exception {
    Path file = tmp.resolve(InputsYaml.FILE);
    assertThat(InputsYaml.read(file)).isEmpty();
    Files.writeString(file, "inputs:\n- name: a\n  source_type: local\n  source: /a\n");
    assertThatThrownBy(() -> InputsYaml.read(file)).isExactlyInstanceOf(IOException.class)
        .hasMessage(file + " was rejected: input 1 has no 'context'");
    Files.writeString(file, "inputs:\n- name: a\n  source_type: local\n  source: /a\n"
        + "  context: training\n  size: big\n");
    assertThatThrownBy(() -> InputsYaml.read(file)).isExactlyInstanceOf(IOException.class)
        .hasMessage(file + " was rejected: input 1: 'size' must be a whole number but was a"
            + " string");
    Files.writeString(file, "inputs: 3\n");
    assertThatThrownBy(() -> InputsYaml.read(file)).isExactlyInstanceOf(IOException.class)
        .hasMessage(file + " was rejected: 'inputs' must be a sequence but was a number");
  }
}
