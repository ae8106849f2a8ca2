package dev.tracker.internal;

import dev.tracker.Dataset;
import dev.tracker.Param;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import java.nio.file.Path;

/**
 * What a run's queue holds: chunks of metrics, params, tags and control items. The worker
 * switches over {@link #kind()} (Java 17 has no patterns in switch).
 */
sealed interface Item permits Chunk, Item.ParamItem, Item.TagItem, Item.ArtifactItem,
    Item.BytesItem, Item.EndItem, Item.InputItem {

  /** One constant per implementation. */
  enum Kind { CHUNK, PARAM, TAG, ARTIFACT, BYTES, END, INPUT }

  /** Which item this is. */
  Kind kind();

  /** What handling a control item does, for messages: "storing artifact 'model' from …". */
  static String describe(Item item) {
    return switch (item.kind()) {
      case ARTIFACT -> ((ArtifactItem) item).artifactPath() == null
          ? "storing the files of " + ((ArtifactItem) item).file() + " as artifacts"
          : "storing artifact '" + ((ArtifactItem) item).artifactPath() + "' from "
              + ((ArtifactItem) item).file();
      case BYTES -> "storing artifact '" + ((BytesItem) item).artifactPath() + "'";
      case END -> "ending with status " + ((EndItem) item).status();
      case INPUT -> "recording input " + ((InputItem) item).dataset();
      default -> String.valueOf(item);
    };
  }

  /** A param. */
  record ParamItem(Param param) implements Item {
    @Override
    public Kind kind() {
      return Kind.PARAM;
    }
  }

  /** A tag. */
  record TagItem(Tag tag) implements Item {
    @Override
    public Kind kind() {
      return Kind.TAG;
    }
  }

  /**
   * A file or directory to store under {@code artifactPath} (null: a directory's files at the
   * top); {@code stamp} is what a file was at the call (null for a directory).
   */
  record ArtifactItem(Path file, String artifactPath, Artifacts.Stamp stamp) implements Item {
    @Override
    public Kind kind() {
      return Kind.ARTIFACT;
    }
  }

  /** Bytes to store as an artifact. */
  record BytesItem(byte[] content, String artifactPath) implements Item {
    @Override
    public Kind kind() {
      return Kind.BYTES;
    }
  }

  /** A data set the run used; the worker computes its digest. */
  record InputItem(Dataset dataset) implements Item {
    @Override
    public Kind kind() {
      return Kind.INPUT;
    }
  }

  /** The end of the run. */
  record EndItem(RunStatus status, long endTime) implements Item {
    @Override
    public Kind kind() {
      return Kind.END;
    }
  }
}
