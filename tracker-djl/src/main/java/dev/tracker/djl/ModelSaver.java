package dev.tracker.djl;

import ai.djl.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Saves a model with DJL's own {@code model.save} into a temporary directory. */
final class ModelSaver {
  private static final Logger log = LoggerFactory.getLogger(ModelSaver.class);

  private ModelSaver() {}

  /**
   * Saves {@code model} as {@code model.getName()} into a new temporary directory, deleted when
   * the JVM exits (the tracker copies it before). Returns null, after a WARN, when the model
   * cannot be saved (a full disk): the training's end goes on.
   */
  static Path save(Model model) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("tracker-djl-model-");
      model.save(dir, model.getName());
      deleteOnExit(dir);
      return dir;
    } catch (IOException | RuntimeException e) {
      log.warn("could not save model '{}' for the run's artifacts: {}", model.getName(),
          e.toString());
      if (dir != null) {
        deleteOnExit(dir);
      }
      return null;
    }
  }

  /** Deletes the directory and its files when the JVM exits (files first: the reverse order). */
  private static void deleteOnExit(Path dir) {
    dir.toFile().deleteOnExit();
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> all = files.skip(1).toList();
      for (Path p : all) {
        p.toFile().deleteOnExit();
      }
    } catch (IOException e) {
      log.debug("could not list {} to delete it at exit: {}", dir, e.toString());
    }
  }
}
