package dev.tracker.http;

import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.TrackingBackend;
import dev.tracker.testing.BackendContractTest;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend contract every backend meets, against the fake MLflow server: what the file backend
 * reads back, the MLflow backend reads back the same.
 */
class MlflowBackendContractTest extends BackendContractTest {
  @TempDir Path spool;

  private MockWebServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = Fixtures.start(new FakeMlflowServer());
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  // what MLflow's SQL store gives back (mlflow-observed.md); the fake keeps values as it does
  @Override
  protected double readBack(double logged) {
    return Math.abs(logged) == Double.MAX_VALUE
        ? Math.copySign(Double.POSITIVE_INFINITY, logged) : logged + 0.0;
  }

  @Override
  protected TrackingBackend newBackend() {
    return MlflowBackend.builder().uri(server.url("/").toString()).spoolDir(spool).build();
  }
}
