package dev.tracker.file;

import static dev.tracker.file.FileBackend.ARTIFACTS_DIR;
import static dev.tracker.file.FileBackend.RUN_FILE;

import dev.tracker.ModelRegistry;
import dev.tracker.ModelVersion;
import dev.tracker.RunData;
import dev.tracker.Tag;
import dev.tracker.spi.ModelStore;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The file backend's model registry, beside the experiment folders:
 *
 * <pre>
 * runs/models/&lt;name&gt;/      the model's name made safe as experiment names are ({@link
 *                              ExperimentFolders})
 *   version-1.yaml            name, version, run_id, artifact_path, source, creation_time, tags
 *   version-2.yaml
 *   aliases.yaml              alias: version
 * </pre>
 *
 * <p>A version's {@code source} is the {@code file:} URI of the model in its run's artifacts
 * folder: nothing is copied. Files are read through the run (found by id, so a moved root still
 * works), else through the source. Versions are numbered and aliases changed under the folder's
 * lock ({@link RunLock}, as for run folders), so several processes registering at once get 1, 2,
 * … with no gap and no number twice; every YAML is replaced atomically.
 */
final class FileModelStore implements ModelStore {
  /** The folder of the models under the root. */
  static final String MODELS_DIR = "models";
  /** The aliases of a model. */
  static final String ALIASES_FILE = "aliases.yaml";

  private static final Pattern VERSION_FILE = Pattern.compile("version-([1-9][0-9]{0,8})\\.yaml");

  private final Path root;
  private final RunFolders folders;
  private final InstantSource clock;

  FileModelStore(Path root, RunFolders folders, InstantSource clock) {
    this.root = root;
    this.folders = folders;
    this.clock = clock;
  }

  @Override
  public ModelVersion createVersion(String name, RunData run, String artifactPath)
      throws IOException {
    String runId = run.info().id();
    Path runDir = folders.findRunDir(runId);
    if (runDir == null) {
      throw new FileNotFoundException("no run " + runId + " under " + root);
    }
    Path model = runDir.resolve(ARTIFACTS_DIR)
        .resolve(String.join("/", ArtifactPaths.artifactSegments(artifactPath)));
    String source = model.toAbsolutePath().normalize().toUri().toString().replaceAll("/$", "");
    Path dir = modelDir(name);
    Files.createDirectories(dir);
    ModelVersion v = RunLock.locked(dir, () -> {
      int next = 1;
      for (ModelVersion existing : read(dir)) {
        next = Math.max(next, existing.version() + 1);
      }
      ModelVersion created = new ModelVersion(name, next, runId, artifactPath, source, List.of(),
          Map.of(), clock.millis());
      YamlFiles.write(dir.resolve(fileName(next)), yaml(created));
      return created;
    });
    RunLock.locked(runDir, () -> {
      Path file = runDir.resolve(RUN_FILE);
      String lineage = RunYaml.readTags(file, YamlFiles.loadMap(file))
          .get(ModelRegistry.LINEAGE_TAG);
      RunYaml.mergeTags(file, List.of(new Tag(ModelRegistry.LINEAGE_TAG,
          ModelStore.withLineage(lineage, v.ref()))));
      return null;
    });
    return v;
  }

  @Override
  public Optional<List<ModelVersion>> versions(String name) throws IOException {
    Path dir = modelDir(name);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    Map<String, Integer> aliases = aliases(dir);
    List<ModelVersion> out = new ArrayList<>();
    for (ModelVersion v : read(dir)) {
      out.add(withAliases(v, aliases));
    }
    return Optional.of(out);
  }

  @Override
  public Optional<ModelVersion> version(String name, int version) throws IOException {
    Path dir = modelDir(name);
    Path file = dir.resolve(fileName(version));
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(withAliases(parse(file), aliases(dir)));
  }

  @Override
  public Optional<ModelVersion> aliased(String name, String alias) throws IOException {
    Path dir = modelDir(name);
    Integer version = Files.isDirectory(dir) ? aliases(dir).get(alias) : null;
    return version == null ? Optional.empty() : version(name, version);
  }

  @Override
  public void setAlias(String name, String alias, int version) throws IOException {
    changeAliases(name, aliases -> aliases.put(alias, version));
  }

  @Override
  public void deleteAlias(String name, String alias) throws IOException {
    changeAliases(name, aliases -> aliases.remove(alias));
  }

  @Override
  public List<String> files(ModelVersion version) throws IOException {
    Path base = base(version);
    if (Files.isRegularFile(base)) {
      return List.of(base.getFileName().toString());
    }
    if (!Files.isDirectory(base)) {
      throw new FileNotFoundException("the files of model version " + version.ref()
          + " are gone: no " + base);
    }
    return RunFolders.files(base);
  }

  @Override
  public InputStream open(ModelVersion version, String file) throws IOException {
    Path base = base(version);
    boolean single = Files.isRegularFile(base);
    Path target = single ? base
        : base.resolve(String.join("/", ArtifactPaths.artifactSegments(file)));
    if (single ? !file.equals(base.getFileName().toString()) : !Files.isRegularFile(target)
        || !target.toRealPath().startsWith(base.toRealPath())) {
      throw new FileNotFoundException("no file '" + file + "' in model version "
          + version.ref());
    }
    return Files.newInputStream(target);
  }

  // ------------------------------------------------------------------------------- internals

  private interface AliasChange {
    void apply(Map<String, Integer> aliases);
  }

  private void changeAliases(String name, AliasChange change) throws IOException {
    Path dir = modelDir(name);
    RunLock.locked(dir, () -> {
      Map<String, Integer> aliases = aliases(dir);
      change.apply(aliases);
      YamlFiles.write(dir.resolve(ALIASES_FILE), aliases);
      return null;
    });
  }

  /**
   * Where the version's files are: in its run when the run is here (and there, after following
   * symbolic links, in the run's artifacts folder), else at its source.
   */
  private Path base(ModelVersion v) throws IOException {
    Path runDir = v.runId() == null || v.artifactPath() == null ? null
        : folders.findRunDir(v.runId());
    if (runDir != null) {
      Path base = runDir.resolve(ARTIFACTS_DIR)
          .resolve(String.join("/", ArtifactPaths.artifactSegments(v.artifactPath())));
      if (Files.exists(base)
          && !base.toRealPath().startsWith(runDir.toRealPath().resolve(ARTIFACTS_DIR))) {
        throw new IOException("the files of model version " + v.ref() + " lead outside the"
            + " artifacts folder of run " + v.runId() + " through a symbolic link: " + base
            + " is " + base.toRealPath());
      }
      return base;
    }
    try {
      return Path.of(URI.create(v.source()));
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      throw new FileNotFoundException("the run " + v.runId() + " of model version " + v.ref()
          + " is not under " + root + " and its source " + v.source() + " is not a file");
    }
  }

  private Path modelDir(String name) throws IOException {
    String folder = ExperimentFolders.folderName(name);
    try {
      return root.resolve(MODELS_DIR).resolve(folder);
    } catch (InvalidPathException e) {
      throw new IOException("model name '" + name + "' cannot be a folder name on this file"
          + " system (" + folder + "): " + e.getReason(), e);
    }
  }

  private static String fileName(int version) {
    return "version-" + version + ".yaml";
  }

  /** The versions in a model's folder, oldest first, without aliases. */
  private static List<ModelVersion> read(Path dir) throws IOException {
    List<ModelVersion> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "version-*.yaml")) {
      for (Path file : files) {
        if (VERSION_FILE.matcher(file.getFileName().toString()).matches()) {
          out.add(parse(file));
        }
      }
    }
    out.sort(Comparator.comparingInt(ModelVersion::version));
    return out;
  }

  private static ModelVersion parse(Path file) throws IOException {
    Matcher m = VERSION_FILE.matcher(file.getFileName().toString());
    Map<String, Object> yaml = YamlFiles.loadMap(file);
    String source = RunYaml.string(file, yaml, "source", null);
    String name = RunYaml.string(file, yaml, "name", null);
    if (source == null || name == null || !m.matches()) {
      throw new IOException(file + " was rejected: a model version needs a name and a source");
    }
    return new ModelVersion(name, Integer.parseInt(m.group(1)),
        RunYaml.string(file, yaml, "run_id", null),
        RunYaml.string(file, yaml, "artifact_path", null), source, List.of(),
        RunYaml.readTags(file, yaml), RunYaml.number(file, yaml, "creation_time", 0));
  }

  private static Map<String, Object> yaml(ModelVersion v) {
    Map<String, Object> yaml = new LinkedHashMap<>();
    yaml.put("name", v.name());
    yaml.put("version", v.version());
    yaml.put("run_id", v.runId());
    yaml.put("artifact_path", v.artifactPath());
    yaml.put("source", v.source());
    yaml.put("creation_time", v.creationTime());
    yaml.put("tags", v.tags());
    return yaml;
  }

  /** A model's aliases, alias to version. */
  private static Map<String, Integer> aliases(Path dir) throws IOException {
    Path file = dir.resolve(ALIASES_FILE);
    Map<String, Integer> out = new LinkedHashMap<>();
    if (!Files.isRegularFile(file)) {
      return out;
    }
    Map<String, Object> yaml = YamlFiles.loadMap(file);
    for (Map.Entry<String, Object> e : yaml.entrySet()) {
      // a file edited by hand: a version past an int, or no number, is no version
      if (!(e.getValue() instanceof Integer version) || version < 1) {
        throw new IOException(file + " was rejected: alias '" + e.getKey() + "' must name a"
            + " version (a whole number from 1) but was " + (e.getValue() == null ? "empty"
            : "'" + RunYaml.abbreviate(String.valueOf(e.getValue())) + "'"));
      }
      out.put(e.getKey(), version);
    }
    return out;
  }

  private static ModelVersion withAliases(ModelVersion v, Map<String, Integer> aliases) {
    List<String> names = new ArrayList<>();
    aliases.forEach((alias, version) -> {
      if (version == v.version()) {
        names.add(alias);
      }
    });
    return v.withAliases(names);
  }
}
