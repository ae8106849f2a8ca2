package dev.tracker.http;

import dev.tracker.http.testing.FakeMlflowServer;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test against the fake MLflow server: started before each test (before the subclass's own
 * {@code @BeforeEach}), closed after it (after the subclass's own {@code @AfterEach}).
 */
abstract class FakeServerTest {
  @TempDir Path tmp;
  final FakeMlflowServer fake = new FakeMlflowServer();
  MockWebServer server;

  @BeforeEach
  final void startFakeServer() throws Exception {
    server = Fixtures.start(fake);
  }

  @AfterEach
  final void stopFakeServer() {
    server.close();
  }
}
