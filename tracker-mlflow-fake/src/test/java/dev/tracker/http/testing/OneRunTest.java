package dev.tracker.http.testing;

import java.io.IOException;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/** The fake server started with one run created, for tests of endpoints that act on a run. */
@Timeout(30)
abstract class OneRunTest {
  final FakeMlflowServer fake = newFake();
  MockWebServer server;
  Client client;
  String runId;

  /** The fake to start; a test that needs its clock overrides this. */
  FakeMlflowServer newFake() {
    return new FakeMlflowServer();
  }

  @BeforeEach
  void startWithARun() throws IOException {
    server = fake.start();
    client = new Client(server);
    runId = client.createRun();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }
}
