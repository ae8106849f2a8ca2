package dev.tracker;

import dev.tracker.spi.Secrets;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads single runs for a {@link Tracker}, on the caller's thread: by id, unique id prefix or the
 * server's id; a metric's history; artifacts downloaded to a folder.
 */
final class RunReader {
  static final Pattern FULL_ID = Pattern.compile("[0-9a-f]{32}");
  private static final int MAX_LISTED = 5;

  /**
   * What an id names in a backend: the run with that id, else the runs whose id starts with it
   * (looked for only when the id is not a full one) and the experiments looked in.
   */
  record Lookup(Optional<RunData> exact, List<RunInfo> matches, List<String> experiments) {
    /** The matches as {@code id ('name' in 'experiment')}, at most five, for messages. */
    String listed() {
      List<String> listed = new ArrayList<>();
      for (RunInfo run : matches.subList(0, Math.min(MAX_LISTED, matches.size()))) {
        listed.add(run.id() + " ('" + run.name() + "' in '" + run.experimentName() + "')");
      }
      return String.join(", ", listed) + (matches.size() > MAX_LISTED ? ", …" : "");
    }
  }

  private final TrackingBackend backend;

  RunReader(TrackingBackend backend) {
    this.backend = backend;
  }

  /** Finds what {@code ref} names in {@code backend}. */
  static Lookup lookup(TrackingBackend backend, String ref) throws IOException {
    Optional<RunData> exact = backend.readRun(ref);
    List<RunInfo> matches = new ArrayList<>();
    List<String> experiments = new ArrayList<>();
    if (exact.isEmpty() && !FULL_ID.matcher(ref).matches()) {
      for (ExperimentInfo e : backend.listExperiments()) {
        experiments.add("'" + e.name() + "'");
        for (RunInfo run : backend.listRuns(e.name())) {
          if (run.id().startsWith(ref)) {
            matches.add(run);
          }
        }
      }
    }
    return new Lookup(exact, matches, experiments);
  }

  /** The run {@code ref} names, read whole. */
  RunData run(String ref) {
    checkRef(ref);
    try {
      Lookup l = lookup(backend, ref);
      if (l.exact().isPresent()) {
        return l.exact().get();
      }
      if (l.matches().size() > 1) {
        throw new IllegalArgumentException("run id '" + ref + "' matches " + l.matches().size()
            + " runs in " + backend.describe() + ": " + l.listed() + "; give more of the id");
      }
      Optional<RunData> run = l.matches().isEmpty() ? Optional.empty()
          : backend.readRun(l.matches().get(0).id());
      return run.orElseThrow(() -> new IllegalArgumentException("no run '" + ref + "' in "
          + backend.describe() + ": no run has that id or an id starting with it"));
    } catch (IOException | UncheckedIOException e) {
      throw failure("read run '" + ref + "'", e);
    }
  }

  /** Every point of metric {@code key} of the run {@code ref} names, in logging order. */
  List<Metric> history(String ref, String key) {
    checkRef(ref);
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("metric key must not be null or empty");
    }
    String id = FULL_ID.matcher(ref).matches() ? ref : run(ref).info().id();
    try {
      List<Metric> points = backend.metricHistory(id, key);
      if (points.isEmpty() && backend.readRun(id).isEmpty()) {
        throw new IllegalArgumentException("no run '" + ref + "' in " + backend.describe());
      }
      return List.copyOf(points);
    } catch (IOException | UncheckedIOException e) {
      throw failure("read the history of '" + key + "' of run '" + ref + "'", e);
    }
  }

  /**
   * Copies the artifact {@code path} of the run {@code ref} names (a file, or a folder with
   * everything under it; empty for all) to {@code destination/path}, and returns that path.
   */
  Path downloadArtifacts(String ref, String path, Path destination) {
    Path root = destination(destination);
    String prefix = path == null ? "" : path.replaceAll("^/+|/+$", "");
    RunData run = run(ref);
    List<String> chosen = artifactsUnder(run, prefix);
    try {
      copyInto(root, chosen, a -> backend.openArtifact(run.info().id(), a),
          "artifact path", "run " + run.info().id());
    } catch (IOException | UncheckedIOException e) {
      throw failure(backend, "download artifact '" + prefix + "' of run '" + ref + "'", e);
    }
    return prefix.isEmpty() ? root : root.resolve(prefix);
  }

  /**
   * The artifacts of {@code run} that are {@code prefix} or under it (all for an empty prefix).
   *
   * @throws IllegalArgumentException when there are none, listing the run's artifacts
   */
  static List<String> artifactsUnder(RunData run, String prefix) {
    List<String> chosen = new ArrayList<>();
    for (String a : run.artifacts()) {
      if (prefix.isEmpty() || a.equals(prefix) || a.startsWith(prefix + "/")) {
        chosen.add(a);
      }
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("run " + run.info().id() + " has no artifact '" + prefix
          + "'" + (run.artifacts().isEmpty() ? "" : "; its artifacts: "
              + String.join(", ", run.artifacts())));
    }
    return chosen;
  }

  /**
   * The folder a download goes to, absolute and normalized.
   *
   * @throws IllegalArgumentException when it is null or an existing file
   */
  static Path destination(Path destination) {
    if (destination == null) {
      throw new IllegalArgumentException("destination must not be null");
    }
    Path root = destination.toAbsolutePath().normalize();
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw new IllegalArgumentException("destination must be a folder but " + root
          + " is a file");
    }
    return root;
  }

  /** Opens one file of a download. */
  interface Source {
    InputStream open(String path) throws IOException;
  }

  /**
   * Copies each of {@code paths} from {@code source} to {@code root/path}, replacing files there.
   *
   * @param kind what a path is, for messages ("artifact path")
   * @param owner whose paths they are, for messages ("run 3f2a…")
   * @throws IllegalArgumentException when a path leaves {@code root}
   */
  static void copyInto(Path root, List<String> paths, Source source, String kind, String owner)
      throws IOException {
    for (String a : paths) {
      Path target = root.resolve(a).normalize();
      if (!target.startsWith(root) || target.equals(root)) {
        throw new IllegalArgumentException(kind + " '" + a + "' of " + owner + " leaves " + root);
      }
      Files.createDirectories(target.getParent());
      try (InputStream in = source.open(a)) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static void checkRef(String ref) {
    if (ref == null || ref.isBlank()) {
      throw new IllegalArgumentException("run id must not be null or blank but was "
          + (ref == null ? "null" : "'" + ref + "'"));
    }
  }

  private TrackerException failure(String what, Exception e) {
    return failure(backend, what, e);
  }

  /** A backend failure while doing {@code what}, with secrets removed from its message. */
  static TrackerException failure(TrackingBackend backend, String what, Exception e) {
    return new TrackerException("cannot " + what + " from " + backend.describe() + ": "
        + Secrets.redact(String.valueOf(e.getMessage())), e);
  }
}
