package dev.tracker.file;

import dev.tracker.spi.TrackingBackend;
import dev.tracker.testing.BackendContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The file backend keeps the contract every backend keeps. */
class FileBackendContractTest extends BackendContractTest {
  @TempDir Path root;

  @Override
  protected TrackingBackend newBackend() {
    return FileBackend.create(root.resolve("runs"));
  }
}
