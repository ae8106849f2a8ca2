package dev.tracker.internal.delivery;

import dev.tracker.DatasetInput;
import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.util.List;

/**
 * One write operation of a remote run, as the dispatcher appends it to a journal and the uploader
 * delivers it. Run ids are always the tracker's.
 */
public sealed interface Op {
  /** One constant per implementation, to switch over (Java 17 has no patterns in switch). */
  enum Kind { CREATE_RUN, LOG_BATCH, LOG_ARTIFACT, END_RUN, LOG_INPUTS }

  /** Which op this is. */
  Kind kind();

  /** The tracker's id of the run the operation belongs to. */
  String runId();

  /**
   * Creates (or, with {@code spec.resume()}, attaches to) a run. With {@code reattach}, it only
   * makes sure the uploader knows the run: written at the start of a journal segment for every
   * run still open, so that a process replaying that segment alone can attach to it.
   */
  record CreateRun(RunSpec spec, boolean reattach) implements Op {
    @Override
    public String runId() {
      return spec.runId();
    }

    @Override
    public Kind kind() {
      return Kind.CREATE_RUN;
    }
  }

  /** A batch of records. */
  record LogBatch(String runId, Batch batch) implements Op {
    @Override
    public Kind kind() {
      return Kind.LOG_BATCH;
    }
  }

  /** A file to upload; {@code file} is relative to the segment's folder. */
  record LogArtifact(String runId, String file, String artifactPath) implements Op {
    @Override
    public Kind kind() {
      return Kind.LOG_ARTIFACT;
    }
  }

  /** Data sets a run used, with their digests. */
  record LogInputs(String runId, List<DatasetInput> inputs) implements Op {
    /** Copies the list. */
    public LogInputs {
      inputs = List.copyOf(inputs);
    }

    @Override
    public Kind kind() {
      return Kind.LOG_INPUTS;
    }
  }

  /** The end of a run. */
  record EndRun(String runId, RunStatus status, long endTime) implements Op {
    @Override
    public Kind kind() {
      return Kind.END_RUN;
    }
  }
}
