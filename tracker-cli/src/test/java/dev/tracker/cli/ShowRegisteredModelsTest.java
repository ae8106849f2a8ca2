package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.ModelRegistry;
import dev.tracker.Tag;
import dev.tracker.file.FileBackend;
import dev.tracker.spi.Batch;
import dev.tracker.spi.ModelStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code show} lists the model versions registered from a run, read from its lineage tag. */
class ShowRegisteredModelsTest {
  @TempDir
  Path root;

  @BeforeEach
  void threeRunsInFiles() throws Exception {
    try (FileBackend b = Fixtures.threeRuns(FileBackend.create(root))) {
      b.logArtifact(Fixtures.B, "w".getBytes(StandardCharsets.UTF_8), "model/weights.csv");
      b.flush();
    }
  }

  private Harness.Result show(String... args) {
    return new Harness(uri -> FileBackend.create(root)).run(args);
  }

  private void register(String model) throws Exception {
    try (FileBackend b = FileBackend.create(root)) {
      ModelStore store = b.modelStore().orElseThrow();
      store.createVersion(model, b.readRun(Fixtures.B).orElseThrow(), "model");
    }
  }

  private void lineageTag(String value) throws Exception {
    try (FileBackend b = FileBackend.create(root)) {
      b.logBatch(Fixtures.B, new Batch(List.of(), List.of(),
          List.of(new Tag(ModelRegistry.LINEAGE_TAG, value))));
    }
  }

  @Test
  void listsTheVersionsRegisteredFromTheRunAfterItsArtifacts() throws Exception {
    register("iris");
    register("iris");
    register("penguins");

    Harness.Result r = show("show", Fixtures.B);

    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).endsWith("""

        artifacts
          model/weights.csv

        registered models
          iris      version 1
          iris      version 2
          penguins  version 1
        """);
  }

  @Test
  void jsonHasTheVersionsAsNameAndNumber() throws Exception {
    register("iris");
    register("penguins");

    Harness.Result r = show("show", Fixtures.B, "--format", "json");

    assertThat(r.code()).isZero();
    assertThat(r.out()).endsWith("""
          "inputs": [],
          "registered_models": [
            {
              "name": "iris",
              "version": 1
            },
            {
              "name": "penguins",
              "version": 1
            }
          ]
        }
        """);
  }

  @Test
  void malformedEntriesAreShownAsTheyAre() throws Exception {
    lineageTag("iris/1,latest,iris/x,/3,team/iris/2");

    Harness.Result table = show("show", Fixtures.B);
    Harness.Result json = show("show", Fixtures.B, "--format", "json");

    assertThat(table.code()).isZero();
    assertThat(table.out()).endsWith("""

        registered models
          iris       version 1
          latest
          iris/x
          /3
          team/iris  version 2
        """);
    assertThat(json.code()).isZero();
    assertThat(json.out()).contains("""
          "registered_models": [
            {
              "name": "iris",
              "version": 1
            },
            {
              "name": "latest",
              "version": null
            },
            {
              "name": "iris/x",
              "version": null
            },
            {
              "name": "/3",
              "version": null
            },
            {
              "name": "team/iris",
              "version": 2
            }
          ]
        """);
  }

  @Test
  void aRunWithoutTheTagHasNoRegisteredModels() {
    Harness.Result table = show("show", Fixtures.B);
    Harness.Result json = show("show", Fixtures.B, "--format", "json");

    assertThat(table.out()).endsWith("""

        artifacts
          model/weights.csv
        """);
    assertThat(json.out()).endsWith("""
          "inputs": []
        }
        """);
  }
}
