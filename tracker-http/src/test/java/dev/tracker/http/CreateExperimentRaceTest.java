package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.DeliveryException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two processes creating one experiment at once both succeed with the same id. */
class CreateExperimentRaceTest extends FakeServerTest {
  @Test
  void alreadyExistsAfterAMissLooksTheExperimentUpAgain() throws Exception {
    String id = fake.createExperiment("iris"); // created by the other process meanwhile
    fake.script("experiments/get-by-name", FakeMlflowServer.error(404,
        "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name 'iris'"));
    try (MlflowBackend backend = Fixtures.backend(server, tmp)
        .build()) {
      assertThat(backend.createExperiment("iris")).isEqualTo(id);
    }
    assertThat(fake.requests()).containsExactly("GET experiments/get-by-name (scripted)",
        "POST experiments/create", "GET experiments/get-by-name");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void manyBackendsCreatingOneExperimentAtOnceAllGetItsId() throws Exception {
    int n = 8;
    List<MlflowBackend> backends = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      backends.add(Fixtures.backend(server, tmp.resolve("s" + i))
          .build());
    }
    CyclicBarrier start = new CyclicBarrier(n);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<String>> ids = new ArrayList<>();
      for (MlflowBackend b : backends) {
        ids.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return b.createExperiment("shared");
        }));
      }
      List<String> got = new ArrayList<>();
      for (Future<String> f : ids) {
        got.add(f.get(20, TimeUnit.SECONDS));
      }
      assertThat(got).containsOnly(fake.experimentId("shared"));
      assertThat(fake.experimentNames()).containsExactly("Default", "shared");
    } finally {
      pool.shutdownNow();
      for (MlflowBackend b : backends) {
        b.close();
      }
    }
  }

  @Test
  void aDeletedExperimentIsAClearError() throws Exception {
    fake.deleteExperiment(fake.createExperiment("old"));
    try (MlflowBackend backend = Fixtures.backend(server, tmp)
        .build()) {
      assertThatThrownBy(() -> backend.createExperiment("old"))
          .isInstanceOf(DeliveryException.class)
          .hasMessage("experiment 'old' (id 1) is deleted on " + backend.describe()
              + "; restore it (mlflow experiments restore --experiment-id 1) or log to another"
              + " experiment");
    }
  }

  @Test
  void theDefaultExperimentGoesToTheConfiguredExperimentId() throws Exception {
    String id = fake.createExperiment("team");
    try (MlflowBackend backend = Fixtures.backend(server, tmp)
        .experimentId(id).build()) {
      assertThat(backend.createExperiment("Default")).isEqualTo(id);
      assertThat(backend.createExperiment("other")).isNotEqualTo(id);
    }
    assertThat(fake.requests()).containsExactly("GET experiments/get-by-name",
        "POST experiments/create");
  }
}
