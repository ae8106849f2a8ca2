package dev.tracker;

import java.util.Objects;

/**
 * An experiment as read back from a backend.
 *
 * @param id the experiment's id in the backend (for the file backend, its name)
 * @param name the experiment's name
 * @param creationTime creation time in milliseconds since the epoch, 0 when unknown
 */
public record ExperimentInfo(String id, String name, long creationTime) {
  /** Checks that id and name are present. */
  public ExperimentInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
  }
}
