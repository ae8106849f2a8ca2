package dev.tracker.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.spi.Batch;
import dev.tracker.testing.ForwardingBackend;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How a batch is dealt over the requests in flight. */
@Timeout(10)
class LanesTest {

  /** Records every request of every lane thread. */
  private static final class Requests extends ForwardingBackend {
    final ConcurrentLinkedQueue<Batch> sent = new ConcurrentLinkedQueue<>();

    Requests() {
      super(new RecordingBackend());
    }

    @Override
    public void logBatch(String runId, Batch batch) throws IOException {
      sent.add(batch);
    }
  }

  @Test
  void keysAreDealtSoThatTheLanesCarryEqualShares() throws Exception {
    // 'a', 'e', 'i', 'm', ... are 4 apart: hashed modulo 4 lanes they would all share one lane
    List<Metric> metrics = new ArrayList<>();
    String keys = "aeimquy";
    for (int step = 0; step < 100; step++) {
      for (char k : keys.toCharArray()) {
        metrics.add(new Metric(String.valueOf(k), step, 0, step));
      }
    }
    metrics.add(new Metric("0", 0, 0, 0)); // a 1-point key, dealt last
    Requests backend = new Requests();
    try (Lanes lanes = new Lanes(4)) {
      lanes.send(backend, "r", Batch.ofMetrics(metrics), e -> { throw new AssertionError(e); });
    }
    assertThat(backend.sent).hasSize(4);
    // 7 keys of 100 points over 4 lanes: 2, 2, 2 and 1 keys, the 1-point key with the single one
    assertThat(backend.sent).extracting(b -> b.metrics().size())
        .containsExactlyInAnyOrder(200, 200, 200, 101);
    for (Batch lane : backend.sent) {
      Map<String, List<Long>> steps = lane.metrics().stream().collect(Collectors.groupingBy(
          Metric::key, Collectors.mapping(Metric::step, Collectors.toList())));
      steps.forEach((key, s) -> assertThat(s).as(key).isSorted());
    }
    assertThat(backend.sent.stream().mapToInt(b -> b.metrics().size()).sum()).isEqualTo(701);
  }
}
