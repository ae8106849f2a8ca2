package dev.tracker.internal.system;

import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * {@code disk_usage_percentage}, {@code disk_usage_megabytes} and {@code disk_available_megabytes}
 * of the file system that holds the run's records (the backend's local directory; the working
 * directory for remote backends), counted as df(1) counts: used is total minus free blocks,
 * available is what an unprivileged user may still write, the percentage is used / (used +
 * available).
 */
final class DiskSource implements MetricSource {
  private final Supplier<Path> directory;
  private FileStore store;

  DiskSource(Supplier<Path> directory) {
    this.directory = directory;
  }

  @Override
  public String name() {
    return "disk";
  }

  @Override
  public boolean start() throws Exception {
    store = Files.getFileStore(existingAncestor(directory.get()));
    return true;
  }

  @Override
  public void sample(Sample sample) throws Exception {
    long total = store.getTotalSpace();
    long used = total - store.getUnallocatedSpace();
    long available = store.getUsableSpace();
    sample.metric("disk_usage_percentage", Sample.percent(used, used + available));
    sample.metric("disk_usage_megabytes", Sample.megabytes(used));
    sample.metric("disk_available_megabytes", Sample.megabytes(available));
  }

  /** The run's folder may not exist yet when sampling starts: its nearest existing ancestor. */
  static Path existingAncestor(Path dir) {
    Path p = dir.toAbsolutePath().normalize();
    while (p.getParent() != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p;
  }
}
