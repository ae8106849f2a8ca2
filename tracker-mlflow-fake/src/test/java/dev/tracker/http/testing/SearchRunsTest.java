package dev.tracker.http.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code runs/search} filters and orders on the server, as MLflow's SQL store does. */
@Timeout(30)
class SearchRunsTest {
  private static final Pattern NAME = Pattern.compile("\"run_name\":\"([^\"]*)\"");

  private final FakeMlflowServer fake = new FakeMlflowServer();
  private MockWebServer server;
  private Client client;

  @BeforeEach
  void threeRuns() throws IOException {
    server = fake.start();
    client = new Client(server);
    run("a", 1, "0.1", "dev", "0.9", "0.5");
    run("b", 2, "0.01", null, "0.8");
    run("c", 3, "0.05", "prod", "\"NaN\"");
    run("d", 4, null, null);
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  /** A run with start time {@code start}, and metric "acc" at steps 0, 1, … */
  private void run(String name, long start, String lr, String stage, String... acc) {
    String body = client.post("runs/create", "{\"experiment_id\":\"0\",\"start_time\":" + start
        + ",\"run_name\":\"" + name + "\"}").body();
    int at = body.indexOf("\"run_id\":\"") + 10;
    String id = body.substring(at, at + 32);
    StringBuilder batch = new StringBuilder("{\"run_id\":\"" + id + "\",\"metrics\":[");
    for (int i = 0; i < acc.length; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"key\":\"my acc\",\"value\":").append(acc[i])
          .append(",\"timestamp\":1,\"step\":").append(i).append('}');
    }
    batch.append("],\"params\":[").append(lr == null ? "" : "{\"key\":\"lr\",\"value\":\""
        + lr + "\"}").append("],\"tags\":[").append(stage == null ? ""
        : "{\"key\":\"stage\",\"value\":\"" + stage + "\"}").append("]}");
    assertThat(client.post("runs/log-batch", batch.toString()).code()).isEqualTo(200);
  }

  private String names(String filter, String orderBy, int max) {
    String body = client.post("runs/search", "{\"experiment_ids\":[\"0\"],\"filter\":\""
        + filter.replace("\"", "\\\"") + "\",\"max_results\":" + max
        + (orderBy == null ? "" : ",\"order_by\":[\"" + orderBy + "\"]") + "}").body();
    List<String> names = new ArrayList<>();
    Matcher m = NAME.matcher(body);
    while (m.find()) {
      names.add(m.group(1));
    }
    return String.join(" ", names);
  }

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      ''                           | -                      | d c b a
      metrics.`my acc` < 0.6       | -                      | a
      metrics.`my acc` != 0.5      | -                      | b
      metrics."my acc" >= 0        | -                      | b a
      params.lr LIKE '0.0%'        | -                      | c b
      params.lr ILIKE '0.1'        | -                      | a
      tags.stage != 'dev'          | -                      | c
      attributes.run_name = 'b'    | -                      | b
      attributes.start_time > 2 and tags.stage = 'prod' | - | c
      ''                           | metrics.`my acc` DESC  | b a c d
      ''                           | metrics.`my acc` ASC   | a b c d
      ''                           | params.lr              | b c a d
      ''                           | tags.stage DESC        | c a d b
      ''                           | attributes.start_time  | a b c d
      """)
  void filtersAndOrdersOnTheLatestValues(String filter, String orderBy, String expected) {
    assertThat(names(filter, orderBy, 100)).isEqualTo(expected);
  }

  @Test
  void pagesFollowTheOrder() {
    String first = client.post("runs/search", "{\"experiment_ids\":[\"0\"],\"max_results\":3,"
        + "\"order_by\":[\"attributes.start_time ASC\"]}").body();
    assertThat(first).contains("\"next_page_token\"");
    String token = first.replaceAll(".*\"next_page_token\":\"([^\"]*)\".*", "$1");
    String second = client.post("runs/search", "{\"experiment_ids\":[\"0\"],\"max_results\":3,"
        + "\"order_by\":[\"attributes.start_time ASC\"],\"page_token\":\"" + token + "\"}").body();
    assertThat(NAME.matcher(second).results().map(r -> r.group(1)).toList()).containsExactly("d");
    assertThat(second).doesNotContain("next_page_token");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      params.lr > '0.05'          | Invalid comparator '>' not one of '{'=', '!=', 'LIKE', 'ILIKE'}'
      metrics.a > 1 or metrics.b > 1 | Invalid clause(s) in filter string: 'or'
      tags.x IN ('a')             | Invalid comparator 'IN' not one of '{'=', '!=', 'LIKE', 'ILIKE'}'
      metrics.a > 'x'             | Expected numeric value type for metric. Found 'x'
      params.a = 1                | Parameter value is either not quoted or unidentified quote types used for string value 1. Use either single or double quotes.
      metrics.train/loss > 1      | Invalid filter 'metrics.train/loss > 1'. Could not be parsed.
      colour.a = 'x'              | Invalid entity type 'colour'. Valid values are ['metric', 'parameter', 'tag', 'attribute']
      """)
  void badFiltersAreRefusedWithMlflowsMessages(String filter, String message) {
    Client.Answer a = client.post("runs/search", "{\"experiment_ids\":[\"0\"],\"filter\":\""
        + filter + "\"}");
    assertThat(a.code()).isEqualTo(400);
    assertThat(a.body()).contains("\"error_code\":\"INVALID_PARAMETER_VALUE\"")
        .contains("\"message\":\"" + message + "\"");
  }
}
