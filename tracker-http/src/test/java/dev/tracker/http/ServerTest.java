package dev.tracker.http;

import dev.tracker.http.testing.FakeMlflowServer;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh fake MLflow server and a backend on it for each test, closed after it. */
abstract class ServerTest {
  static final String RUN = "0123456789abcdef0123456789abcdef";
  static final String SERVER_RUN = "00000000000000000000000000000001";

  @TempDir Path tmp;
  final FakeMlflowServer fake = newFake();
  MockWebServer server;
  MlflowBackend backend;

  @BeforeEach
  void start() throws Exception {
    server = Fixtures.start(fake);
    backend = Fixtures.backend(server, journalDirectory()).build();
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    server.close();
  }

  /** The fake to start; a test that needs its clock overrides this. */
  FakeMlflowServer newFake() {
    return new FakeMlflowServer();
  }

  /** Where the backend keeps its journal; the temporary directory unless a test needs it. */
  Path journalDirectory() {
    return tmp;
  }
}
