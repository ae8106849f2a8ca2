package dev.tracker.testing;

import dev.tracker.spi.TrackingBackend;

/** The in-memory test backend keeps the contract every backend keeps. */
class RecordingBackendContractTest extends BackendContractTest {
  private final RecordingBackend backend = new RecordingBackend();

  @Override
  protected TrackingBackend newBackend() {
    return backend;
  }
}
