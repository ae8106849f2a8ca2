package dev.tracker.cli;

import dev.tracker.http.testing.FakeMlflowServer;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test of the command against the fake MLflow server: started before each test (before the
 * subclass's own {@code @BeforeEach}), closed after it (after the subclass's own
 * {@code @AfterEach}); local runs go under {@link #root()}.
 */
abstract class FakeServerTest {
  @TempDir Path tmp;
  final FakeMlflowServer fake = new FakeMlflowServer();
  MockWebServer server;
  /** The server's tracking URI. */
  String url;

  @BeforeEach
  final void startFakeServer() throws Exception {
    server = FakeMlflowServer.newServer();
    server.setDispatcher(fake);
    server.start();
    url = server.url("/").toString();
  }

  @AfterEach
  final void stopFakeServer() {
    server.close();
  }

  /** The folder of the local (file backend) runs. */
  Path root() {
    return tmp.resolve("runs");
  }
}
