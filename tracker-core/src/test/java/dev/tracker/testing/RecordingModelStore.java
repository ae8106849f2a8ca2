package dev.tracker.testing;

import dev.tracker.ModelRegistry;
import dev.tracker.ModelVersion;
import dev.tracker.RunData;
import dev.tracker.Tag;
import dev.tracker.spi.Batch;
import dev.tracker.spi.ModelStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The model registry of a {@link RecordingBackend}, in memory. */
final class RecordingModelStore implements ModelStore {
  private final RecordingBackend backend;
  private final Map<String, List<ModelVersion>> models = new LinkedHashMap<>();
  private final Map<String, Map<String, Integer>> aliases = new LinkedHashMap<>();

  RecordingModelStore(RecordingBackend backend) {
    this.backend = backend;
  }

  @Override
  public ModelVersion createVersion(String name, RunData run, String artifactPath)
      throws IOException {
    ModelVersion v;
    synchronized (this) {
      List<ModelVersion> versions = models.computeIfAbsent(name, n -> new ArrayList<>());
      v = new ModelVersion(name, versions.size() + 1, run.info().id(), artifactPath,
          "memory:/" + run.info().id() + "/artifacts/" + artifactPath, List.of(), Map.of(),
          System.currentTimeMillis());
      versions.add(v);
    }
    String lineage = ModelStore.withLineage(
        backend.tags(run.info().id()).get(ModelRegistry.LINEAGE_TAG), v.ref());
    backend.logBatch(run.info().id(), new Batch(List.of(), List.of(),
        List.of(new Tag(ModelRegistry.LINEAGE_TAG, lineage))));
    return v;
  }

  @Override
  public synchronized Optional<List<ModelVersion>> versions(String name) {
    List<ModelVersion> versions = models.get(name);
    if (versions == null) {
      return Optional.empty();
    }
    List<ModelVersion> out = new ArrayList<>();
    for (ModelVersion v : versions) {
      out.add(withAliases(v));
    }
    return Optional.of(out);
  }

  @Override
  public synchronized Optional<ModelVersion> version(String name, int version) {
    List<ModelVersion> versions = models.getOrDefault(name, List.of());
    return version > versions.size() ? Optional.empty()
        : Optional.of(withAliases(versions.get(version - 1)));
  }

  @Override
  public synchronized Optional<ModelVersion> aliased(String name, String alias) {
    Integer v = aliases.getOrDefault(name, Map.of()).get(alias);
    return v == null ? Optional.empty() : version(name, v);
  }

  @Override
  public synchronized void setAlias(String name, String alias, int version) {
    aliases.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(alias, version);
  }

  @Override
  public synchronized void deleteAlias(String name, String alias) {
    aliases.getOrDefault(name, new LinkedHashMap<>()).remove(alias);
  }

  @Override
  public List<String> files(ModelVersion version) {
    String prefix = version.artifactPath() + "/";
    List<String> out = new ArrayList<>();
    for (String path : backend.artifacts(version.runId()).keySet()) {
      if (path.equals(version.artifactPath())) {
        out.add(path.substring(path.lastIndexOf('/') + 1));
      } else if (path.startsWith(prefix)) {
        out.add(path.substring(prefix.length()));
      }
    }
    return out;
  }

  @Override
  public InputStream open(ModelVersion version, String file) throws IOException {
    String path = version.artifactPath();
    boolean single = backend.artifacts(version.runId()).containsKey(path);
    return backend.openArtifact(version.runId(), single ? path : path + "/" + file);
  }

  private ModelVersion withAliases(ModelVersion v) {
    List<String> names = new ArrayList<>();
    aliases.getOrDefault(v.name(), Map.of()).forEach((alias, version) -> {
      if (version == v.version()) {
        names.add(alias);
      }
    });
    return v.withAliases(names);
  }
}
