package dev.tracker.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.FlushResult;
import dev.tracker.Metric;
import dev.tracker.TrackerException;
import dev.tracker.internal.Channel;
import dev.tracker.internal.Pipeline;
import dev.tracker.spi.RemoteDelivery;
import dev.tracker.spi.RunSpec;
import dev.tracker.testing.RecordingBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain flush does not wait on the server for more than about a second, also when the journal
 * is at its limit: then making records durable itself would wait for the server.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FullJournalFlushTest {
  @TempDir Path tmp;

  @Test
  void aPlainFlushReturnsWhenTheJournalIsFullAndTheServerTakesNothingAndSaysWhy()
      throws Exception {
    RecordingBackend backend = new RecordingBackend();
    backend.block(); // the server takes nothing, not even the run's creation
    JournalSink sink = new JournalSink(backend, new RemoteDelivery(tmp, "http://server",
        Duration.ZERO, Duration.ZERO, Duration.ZERO), 8 * 1024, InstantSource.system(), null, 1);
    Pipeline pipeline = new Pipeline(sink, "http://server", 1000, 65_536, Duration.ofMillis(10));
    try {
      Channel run = pipeline.open(new RunSpec("r", null, "e", "run", 1, Map.of(), null, false));
      for (int step = 0; step < 3000; step++) { // about 90 KB of records: past the 8 KiB limit
        run.put(new Metric("loss", step, 1, step));
      }

      long start = System.nanoTime();
      assertThatThrownBy(() -> pipeline.awaitFlush(null))
          .isExactlyInstanceOf(TrackerException.class)
          .hasMessageStartingWith("flush could not make what was logged before it durable: the"
              + " journal for http://server in " + tmp + " is at its limit (0 MiB)")
          .hasMessageContaining("they wait in memory until the uploader has delivered some");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

      backend.release(); // the server takes everything again: nothing was lost
      assertThat(pipeline.awaitFlush(Duration.ofSeconds(20))).isEqualTo(FlushResult.DELIVERED);
      assertThat(backend.metrics("r")).hasSize(3000);
    } finally {
      backend.release();
      pipeline.shutdown(Duration.ofSeconds(5));
    }
  }
}
