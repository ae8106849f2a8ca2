package dev.tracker.file;

import static dev.tracker.file.FileBackend.ARTIFACTS_DIR;
import static dev.tracker.file.FileBackend.EXPERIMENT_FILE;
import static dev.tracker.file.FileBackend.RUN_FILE;

import dev.tracker.ExperimentInfo;
import dev.tracker.RunInfo;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folders under a file backend's root: an experiment's folder for its name, a run's folder
 * for its id (searched in every experiment, remembered once found), and the listings of
 * experiments and runs.
 */
final class RunFolders {
  private static final Logger log = LoggerFactory.getLogger(FileBackend.class);
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");

  private final Path root;
  private final Map<String, Path> runDirs = new ConcurrentHashMap<>();

  RunFolders(Path root) {
    this.root = root;
  }

  /**
   * The experiments: every folder of the root with an {@code experiment.yaml} or a run, by name.
   */
  List<ExperimentInfo> listExperiments() throws IOException {
    List<ExperimentInfo> out = new ArrayList<>();
    for (Path dir : subfolders(root)) {
      String folder = dir.getFileName().toString();
      Path file = dir.resolve(EXPERIMENT_FILE);
      if (!Files.exists(file)) {
        if (subfolders(dir).stream().anyMatch(d -> Files.isRegularFile(d.resolve(RUN_FILE)))) {
          out.add(new ExperimentInfo(folder, folder, 0));
        }
        continue;
      }
      try {
        Map<String, Object> yaml = YamlFiles.loadMap(file);
        String name = RunYaml.string(file, yaml, "name", folder);
        out.add(new ExperimentInfo(RunYaml.string(file, yaml, "id", name), name,
            RunYaml.number(file, yaml, "created", 0)));
      } catch (IOException e) {
        log.warn("{}; listing the experiment by its folder name", e.getMessage());
        out.add(new ExperimentInfo(folder, folder, 0));
      }
    }
    out.sort(Comparator.comparing(ExperimentInfo::name));
    return out;
  }

  /** The runs of an experiment, newest first (by start time, then id); none when it is missing. */
  List<RunInfo> listRuns(String experimentName) throws IOException {
    Path dir;
    try {
      dir = experimentDir(experimentName);
    } catch (IllegalArgumentException e) {
      return List.of(); // no folder can have that name
    }
    List<RunInfo> out = new ArrayList<>();
    for (Path runDir : subfolders(dir)) {
      if (!Files.isRegularFile(runDir.resolve(RUN_FILE))) {
        continue;
      }
      try {
        out.add(readInfo(runDir));
      } catch (IOException e) {
        log.warn("skipping run folder {}: {}", runDir, e.getMessage());
      }
    }
    out.sort(Comparator.comparingLong(RunInfo::startTime).reversed()
        .thenComparing(RunInfo::id));
    return out;
  }

  /**
   * The folder of a run, searched in every experiment; null when there is none. Ids that cannot
   * be folder names have none.
   */
  /** Remembers where a run created here lives. */
  void remember(String runId, Path dir) {
    runDirs.put(runId, dir);
  }

  Path findRunDir(String runId) throws IOException {
    if (runId == null || !RUN_ID.matcher(runId).matches()) {
      return null;
    }
    Path known = runDirs.get(runId);
    if (known != null && Files.isRegularFile(known.resolve(RUN_FILE))) {
      return known;
    }
    for (Path exp : subfolders(root)) {
      Path dir = exp.resolve(runId);
      if (Files.isRegularFile(dir.resolve(RUN_FILE))) {
        runDirs.put(runId, dir);
        return dir;
      }
    }
    return null;
  }

  private static RunInfo readInfo(Path dir) throws IOException {
    Path file = dir.resolve(RUN_FILE);
    return RunYaml.info(dir, file, YamlFiles.loadMap(file));
  }

  static List<String> artifacts(Path runDir) throws IOException {
    Path dir = runDir.resolve(ARTIFACTS_DIR);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    return files(dir);
  }

  /**
   * The regular files under {@code dir} (links not followed, temporary files left out), as
   * '/'-separated paths relative to it, sorted.
   */
  static List<String> files(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !AtomicFiles.isTemporary(p.getFileName().toString()))
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }

  // ------------------------------------------------------------------------------ helpers

  /**
   * The folder of an experiment: {@link ExperimentFolders#folderName} of its name, or the folder
   * an earlier version made for it, named by the name itself, when that one exists; {@link
   * ExperimentFolders#hashedFolderName} when that folder holds another experiment.
   *
   * @throws IllegalArgumentException when the name is null or blank
   */
  Path experimentDir(String name) throws IOException {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("experiment name must not be blank but was "
          + (name == null ? "null" : "'" + name + "'"));
    }
    String folder = ExperimentFolders.folderName(name);
    try {
      if (!folder.equals(name) && ExperimentFolders.wasAllowed(name)) {
        Path legacy = root.resolve(name);
        if (Files.isDirectory(legacy) && !Files.isDirectory(root.resolve(folder))
            && holds(legacy, name)) {
          return legacy;
        }
      }
    } catch (InvalidPathException notOnThisFileSystem) {
      // the new folder name below
    }
    Path dir = folder(name, folder);
    if (holds(dir, name)) {
      return dir;
    }
    // Iris and iris on a case-insensitive file system: one folder, two experiments
    Path own = folder(name, ExperimentFolders.hashedFolderName(name));
    if (holds(own, name)) {
      return own;
    }
    throw new IOException("experiment '" + name + "' has no folder of its own: " + dir + " and "
        + own + " hold other experiments");
  }

  private Path folder(String name, String folder) throws IOException {
    try {
      return root.resolve(folder);
    } catch (InvalidPathException e) {
      throw new IOException("experiment name '" + name + "' cannot be a folder name on this file"
          + " system (" + folder + "): " + e.getReason(), e);
    }
  }

  /** False when the folder's experiment.yaml names another experiment. */
  private static boolean holds(Path dir, String name) {
    Path file = dir.resolve(EXPERIMENT_FILE);
    if (!Files.isRegularFile(file)) {
      return true;
    }
    try {
      return name.equals(RunYaml.string(file, YamlFiles.loadMap(file), "name", name));
    } catch (IOException unreadable) {
      return true; // as before: the folder named for it
    }
  }


  static String checkRunId(String runId) {
    if (runId == null || !RUN_ID.matcher(runId).matches()) {
      throw new IllegalArgumentException("run id must be 1 to 128 letters, digits, '_' or '-'"
          + " (Tracker's ids are 32 lowercase hex characters) but was '"
          + (runId == null ? "null" : runId.replaceAll("\\p{Cntrl}", "?")) + "'");
    }
    return runId;
  }

  static List<Path> subfolders(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path p : stream) {
        out.add(p);
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }
}
