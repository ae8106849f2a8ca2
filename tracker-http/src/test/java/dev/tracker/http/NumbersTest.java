package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.spi.Batch;
import java.util.List;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NaN and the infinities travel as MLflow's strings, and come back as logged although MLflow's SQL
 * store answers the infinities as the largest doubles; int64 is read as number or string.
 */
class NumbersTest extends FakeServerTest {
  private static final String RUN = "0123456789abcdef0123456789abcdef";
  private static final String SERVER_RUN = "00000000000000000000000000000001";

  private MlflowBackend backend;

  @BeforeEach
  void start() throws Exception {
    backend = Fixtures.backendWithRun(server, tmp, RUN);
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
  }

  @Test
  void nanAndInfinitiesAreSentAsStrings() throws Exception {
    backend.logBatch(RUN, Batch.ofMetrics(List.of(new Metric("a", Double.NaN, 1, 0),
        new Metric("a", Double.POSITIVE_INFINITY, 2, 1),
        new Metric("a", Double.NEGATIVE_INFINITY, 3, 2))));

    String body = server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT).getBody().utf8();
    assertThat(body).isEqualTo("{\"run_id\":\"" + SERVER_RUN + "\",\"metrics\":["
        + "{\"key\":\"a\",\"value\":\"NaN\",\"timestamp\":1,\"step\":0},"
        + "{\"key\":\"a\",\"value\":\"Infinity\",\"timestamp\":2,\"step\":1},"
        + "{\"key\":\"a\",\"value\":\"-Infinity\",\"timestamp\":3,\"step\":2}]}");
  }

  @Test
  void nanAndInfinitiesComeBackFromTheServer() throws Exception {
    backend.logBatch(RUN, Batch.ofMetrics(List.of(new Metric("a", Double.NaN, 1, 0),
        new Metric("a", Double.POSITIVE_INFINITY, 2, 1),
        new Metric("a", Double.NEGATIVE_INFINITY, 3, 2))));

    assertThat(backend.metricHistory(RUN, "a")).extracting(Metric::value)
        .containsExactly(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
  }

  @Test
  void theLargestDoublesMlflowStoresForTheInfinitiesAreReadAsTheInfinities() throws Exception {
    Dto.Run run = Dto.MAPPER.readValue("{\"info\":{\"run_id\":\"r\"},\"data\":{\"metrics\":["
        + "{\"key\":\"a\",\"value\":1.7976931348623157e308,\"timestamp\":1,\"step\":2},"
        + "{\"key\":\"b\",\"value\":-1.7976931348623157e308,\"timestamp\":1},"
        + "{\"key\":\"c\",\"value\":1.7976931348623155e308,\"timestamp\":1}]}}", Dto.Run.class);

    assertThat(run.latestMetrics()).containsExactly(
        new Metric("a", Double.POSITIVE_INFINITY, 1, 2),
        new Metric("b", Double.NEGATIVE_INFINITY, 1, 0),
        new Metric("c", Math.nextDown(Double.MAX_VALUE), 1, 0));
  }

  @Test
  void int64FieldsAreReadAsNumbersOrStringsAndUnknownFieldsIgnored() throws Exception {
    fake.script("metrics/get-history", new MockResponse.Builder().code(200).body(
        "{\"metrics\":[{\"key\":\"a\",\"value\":\"1.5\",\"timestamp\":\"1700000000000\","
            + "\"step\":\"3\",\"run_id\":\"x\",\"new_field\":{\"x\":1}},"
            + "{\"key\":\"a\",\"value\":2,\"timestamp\":1700000000001}]}").build());

    assertThat(backend.metricHistory(RUN, "a")).containsExactly(
        new Metric("a", 1.5, 1_700_000_000_000L, 3), new Metric("a", 2, 1_700_000_000_001L, 0));
  }
}
