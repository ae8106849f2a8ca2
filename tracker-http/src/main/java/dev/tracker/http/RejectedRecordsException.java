package dev.tracker.http;

import dev.tracker.TrackerException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The MLflow server refused some records of a batch (a param logged before with another value,
 * a value too long for the server). The other records of the batch were delivered; the refused
 * ones are named here by kind and key.
 */
public final class RejectedRecordsException extends TrackerException {
  private static final long serialVersionUID = 1L;

  /**
   * One refused record.
   *
   * @param kind "metric", "param" or "tag"
   * @param key the record's key
   * @param reason why, as the server (or this backend) said it
   */
  public record Rejected(String kind, String key, String reason) {
    @Override
    public String toString() {
      return kind + " '" + key + "': " + reason;
    }
  }

  private final transient List<Rejected> rejected;

  /**
   * Creates the exception.
   *
   * @param run names the run, e.g. {@code run 0a1b… (MLflow run 9f8e…)}
   * @param delivered how many records of the batch were delivered
   * @param rejected the refused records
   */
  public RejectedRecordsException(String run, int delivered, List<Rejected> rejected) {
    super("the MLflow server refused " + rejected.size() + " record"
        + (rejected.size() == 1 ? "" : "s") + " of " + run + " (" + delivered
        + " other records were delivered): "
        + rejected.stream().map(Rejected::toString).collect(Collectors.joining("; ")));
    this.rejected = List.copyOf(rejected);
  }

  /** The refused records. */
  public List<Rejected> rejected() {
    return rejected;
  }
}
