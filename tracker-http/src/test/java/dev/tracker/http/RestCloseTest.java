package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.spi.DeliveryException;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Rest#close()} ends a call whose reply is still arriving, not only one in its headers. */
class RestCloseTest {
  @Test
  @Timeout(30)
  void closeEndsACallWhoseErrorBodyDripsInAfterItsHeaders() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      // headers at once, then a 100-byte error body at a byte a second
      server.enqueue(new MockResponse.Builder().code(404).body("x".repeat(100))
          .throttleBody(1, 1, TimeUnit.SECONDS).build());
      server.start();
      CountDownLatch headers = new CountDownLatch(1);
      OkHttpClient client = new OkHttpClient.Builder().eventListener(new EventListener() {
        @Override
        public void responseHeadersEnd(Call call, Response response) {
          headers.countDown();
        }
      }).build();
      Rest rest = new Rest(client, server.url("/"), "the server", InstantSource.system());
      CompletableFuture<Throwable> call = CompletableFuture.supplyAsync(() -> {
        try {
          rest.get("experiments/get-by-name", "experiment_name", "x");
          return null;
        } catch (Exception e) {
          return e;
        }
      });
      assertThat(headers.await(10, TimeUnit.SECONDS)).isTrue();

      long start = System.nanoTime();
      rest.close();
      Throwable failure = call.get(10, TimeUnit.SECONDS);

      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
      // the body was cut off: whatever the call makes of the reply, it failed and let go
      assertThat(failure).isInstanceOfAny(DeliveryException.class, MlflowServerException.class);
      client.connectionPool().evictAll();
    }
  }
}
