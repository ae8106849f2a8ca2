package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.Tag;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Batches are split to MLflow's log-batch limits, and never more than needed. */
class BatchLimitsTest extends FakeServerTest {
  private static final String RUN = "0123456789abcdef0123456789abcdef";
  private static final String SERVER_RUN = "00000000000000000000000000000001";
  private static final ObjectMapper JSON = new ObjectMapper();

  private MlflowBackend backend;

  @BeforeEach
  void start() throws Exception {
    backend = Fixtures.backendWithRun(server, tmp, RUN);
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
  }

  /** The log-batch requests sent since the run was created, parsed. */
  private List<JsonNode> batches() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
      assertThat(r.getTarget()).isEqualTo("/api/2.0/mlflow/runs/log-batch");
      assertThat(r.getBody().size()).isLessThanOrEqualTo(Wire.MAX_BODY_BYTES);
      out.add(JSON.readTree(r.getBody().utf8()));
    }
    return out;
  }

  private static List<Metric> metrics(int n) {
    List<Metric> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Metric("loss", i, 1000 + i, i));
    }
    return out;
  }

  private static List<Param> params(int n, int valueLength) {
    List<Param> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Param("p" + i, "v".repeat(valueLength)));
    }
    return out;
  }

  @ParameterizedTest(name = "{0} metrics go in {1} request(s)")
  @CsvSource({"999, 1", "1000, 1", "1001, 2"})
  void metricsAreSplitAtOneThousandPerRequest(int n, int requests) throws Exception {
    backend.logBatch(RUN, Batch.ofMetrics(metrics(n)));

    List<JsonNode> sent = batches();
    assertThat(sent).hasSize(requests);
    assertThat(sent.get(0).path("metrics").size()).isEqualTo(Math.min(n, 1000));
    assertThat(fake.run(SERVER_RUN).metrics()).hasSize(n);
    assertThat(fake.run(SERVER_RUN).metrics().get(n - 1).step()).isEqualTo(n - 1);
  }

  @ParameterizedTest(name = "{0} params go in {1} request(s)")
  @CsvSource({"100, 1", "101, 2"})
  void paramsAreSplitAtOneHundredPerRequest(int n, int requests) throws Exception {
    backend.logBatch(RUN, new Batch(List.of(), params(n, 3), List.of()));

    List<JsonNode> sent = batches();
    assertThat(sent).hasSize(requests);
    assertThat(sent.get(0).path("params").size()).isEqualTo(Math.min(n, 100));
    assertThat(fake.run(SERVER_RUN).params()).hasSize(n);
  }

  @Test
  void tagsAreSplitAtOneHundredPerRequest() throws Exception {
    List<Tag> tags = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      tags.add(new Tag("t" + i, "v"));
    }
    backend.logBatch(RUN, new Batch(List.of(), List.of(), tags));

    List<JsonNode> sent = batches();
    assertThat(sent).extracting(b -> b.path("tags").size()).containsExactly(100, 1);
  }

  @Test
  void aRequestHoldsAtMostOneThousandRecordsOfAllKinds() throws Exception {
    backend.logBatch(RUN, new Batch(metrics(999), params(2, 1), List.of()));

    List<JsonNode> sent = batches();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(0).path("metrics").size() + sent.get(0).path("params").size())
        .isEqualTo(1000);
    assertThat(fake.run(SERVER_RUN).params()).hasSize(2);
  }

  @Test
  void ofSeveralTagsWithOneKeyOnlyTheLastIsSent() throws Exception {
    backend.logBatch(RUN, new Batch(List.of(), List.of(),
        List.of(new Tag("phase", "a"), new Tag("other", "x"), new Tag("phase", "b"))));

    List<JsonNode> sent = batches();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).path("tags").toString())
        .isEqualTo("[{\"key\":\"other\",\"value\":\"x\"},{\"key\":\"phase\",\"value\":\"b\"}]");
  }

  /** 100 params and 100 tags whose single request would be exactly {@code bytes} long. */
  private static Batch batchOfBytes(int bytes) {
    List<Param> params = params(100, 3000);
    int[] lengths = new int[100];
    java.util.Arrays.fill(lengths, 6500);
    int size = Wire.body(SERVER_RUN, Wire.entities(batch(params, lengths))).length;
    int missing = bytes - size;
    for (int i = 99; i >= 0 && missing > 0; i--) {
      int add = Math.min(missing, 8000 - lengths[i]);
      lengths[i] += add;
      missing -= add;
    }
    Batch b = batch(params, lengths);
    assertThat(Wire.body(SERVER_RUN, Wire.entities(b))).hasSize(bytes);
    return b;
  }

  private static Batch batch(List<Param> params, int[] tagLengths) {
    List<Tag> tags = new ArrayList<>();
    for (int i = 0; i < tagLengths.length; i++) {
      tags.add(new Tag("t" + i, "x".repeat(tagLengths[i])));
    }
    return new Batch(List.of(), params, tags);
  }

  @Test
  void aBatchOfExactlyOneMillionBytesGoesInOneRequest() throws Exception {
    backend.logBatch(RUN, batchOfBytes(1_000_000));

    assertThat(batches()).hasSize(1);
  }

  @Test
  void aBatchJustOverOneMillionBytesIsSplitInTwo() throws Exception {
    backend.logBatch(RUN, batchOfBytes(1_000_001));

    List<JsonNode> sent = batches();
    assertThat(sent).hasSize(2);
    FakeMlflowServer.Run run = fake.run(SERVER_RUN);
    assertThat(run.params()).hasSize(100);
    assertThat(run.tags()).containsKeys("t0", "t99");
  }

  @Test
  void theComputedSizeOfEveryChunkIsItsBodySize() {
    Batch b = new Batch(metrics(1500), params(150, 5000), List.of(new Tag("t", "é".repeat(10))));
    List<List<Wire.Entity>> chunks = Wire.chunks(SERVER_RUN, Wire.entities(b));
    int total = 0;
    for (List<Wire.Entity> c : chunks) {
      assertThat(Wire.body(SERVER_RUN, c).length).isLessThanOrEqualTo(Wire.MAX_BODY_BYTES);
      total += c.size();
    }
    assertThat(total).isEqualTo(1500 + 150 + 1);
  }
}
