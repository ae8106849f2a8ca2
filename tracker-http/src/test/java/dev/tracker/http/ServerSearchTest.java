package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.RunSummary;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A query sends its filter and order to {@code runs/search} as written and follows pages. */
@Timeout(30)
class ServerSearchTest {
  private static final String EXPERIMENT = "{\"experiment\":{\"experiment_id\":\"7\","
      + "\"name\":\"iris\",\"lifecycle_stage\":\"active\"}}";

  @TempDir Path spool;
  private MockWebServer server;
  private Tracker tracker;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
    tracker = Tracker.builder().backend(Fixtures.backend(server, spool).build()).shutdownHook(false).standardTags(false)
        .systemProperties(k -> null).environment(k -> null).build();
  }

  @AfterEach
  void stop() throws Exception {
    tracker.close();
    server.close();
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
        .body(body).build();
  }

  private static String run(String serverId, String trackerId, String name, String acc) {
    return "{\"info\":{\"run_id\":\"" + serverId + "\",\"run_name\":\"" + name + "\","
        + "\"experiment_id\":\"7\",\"status\":\"FINISHED\",\"start_time\":5,\"end_time\":9},"
        + "\"data\":{\"metrics\":[{\"key\":\"acc\",\"value\":" + acc + ",\"timestamp\":1,"
        + "\"step\":3}],\"params\":[{\"key\":\"lr\",\"value\":\"0.1\"}],\"tags\":[{\"key\":"
        + "\"tracker.runId\",\"value\":\"" + trackerId + "\"}]}}";
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r).as("a request").isNotNull();
    return r;
  }

  @Test
  void theFilterAndOrderGoToTheServerAsWrittenPageByPage() throws Exception {
    server.enqueue(json(EXPERIMENT));
    server.enqueue(json("{\"runs\":[" + run("1".repeat(32), "a".repeat(32), "one", "0.9")
        + "],\"next_page_token\":\"p2\"}"));
    server.enqueue(json(EXPERIMENT));
    server.enqueue(json("{\"runs\":[" + run("2".repeat(32), "b".repeat(32), "two", "\"NaN\"")
        + "]}"));

    List<RunSummary> runs = tracker.runs().experiment("iris")
        .filter("metrics.`acc` > 0.5 and params.lr = '0.1'")
        .orderBy("metrics.acc DESC", "params.lr").list();

    assertThat(runs).extracting(RunSummary::id).containsExactly("a".repeat(32), "b".repeat(32));
    assertThat(runs.get(0).info().name()).isEqualTo("one");
    assertThat(runs.get(0).info().experimentName()).isEqualTo("iris");
    assertThat(runs.get(0).metrics().get("acc").value()).isEqualTo(0.9);
    assertThat(runs.get(0).metrics().get("acc").step()).isEqualTo(3);
    assertThat(runs.get(1).metrics().get("acc").value()).isNaN();
    assertThat(runs.get(0).params()).containsEntry("lr", "0.1");

    RecordedRequest byName = take();
    assertThat(byName.getMethod()).isEqualTo("GET");
    assertThat(byName.getUrl().encodedPath())
        .isEqualTo("/api/2.0/mlflow/experiments/get-by-name");
    RecordedRequest first = take();
    assertThat(first.getMethod()).isEqualTo("POST");
    assertThat(first.getUrl().encodedPath()).isEqualTo("/api/2.0/mlflow/runs/search");
    assertThat(first.getBody().string(StandardCharsets.UTF_8)).isEqualTo("{\"experiment_ids\":"
        + "[\"7\"],\"filter\":\"metrics.`acc` > 0.5 and params.lr = '0.1'\",\"max_results\":"
        + "1000,\"order_by\":[\"metrics.acc DESC\",\"params.lr\"]}");
    take();
    assertThat(take().getBody().string(StandardCharsets.UTF_8)).isEqualTo("{\"experiment_ids\":"
        + "[\"7\"],\"filter\":\"metrics.`acc` > 0.5 and params.lr = '0.1'\",\"max_results\":"
        + "1000,\"order_by\":[\"metrics.acc DESC\",\"params.lr\"],\"page_token\":\"p2\"}");
  }

  @Test
  void anExperimentTheServerDoesNotKnowHasNoRunsAndAsksNothingMore() throws Exception {
    server.enqueue(new MockResponse.Builder().code(404).addHeader("Content-Type",
        "application/json").body("{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":"
        + "\"Could not find experiment with name 'nope'\"}").build());

    assertThat(tracker.runs().experiment("nope").list()).isEmpty();
    take();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aServerRefusalFailsTheQueryWithItsMessage() {
    server.enqueue(json(EXPERIMENT));
    server.enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type",
        "application/json").body("{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":"
        + "\"Invalid attribute key 'run_name' specified.\"}").build());

    assertThatThrownBy(() -> tracker.runs().experiment("iris")
        .filter("attributes.run_name = 'x'").list())
        .isExactlyInstanceOf(MlflowServerException.class)
        .isInstanceOf(TrackerException.class)
        .hasMessage("POST runs/search failed with HTTP 400 INVALID_PARAMETER_VALUE: Invalid"
            + " attribute key 'run_name' specified.");
  }
}
