package dev.tracker.bench;

import dev.tracker.http.testing.FakeMlflowServer;
import java.io.IOException;
import mockwebserver3.MockWebServer;
import org.mlflow.tracking.MlflowClient;

/** A fake MLflow server, started, with MLflow's own Java client pointed at it. */
final class Served implements AutoCloseable {
  final FakeMlflowServer fake;
  final MockWebServer server;
  final MlflowClient client;

  Served(FakeMlflowServer fake) throws IOException {
    this.fake = fake;
    this.server = fake.start();
    this.client = new MlflowClient("http://" + server.getHostName() + ":" + server.getPort());
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
