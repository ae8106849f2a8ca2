package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.http.testing.FakeMlflowServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An interactive command against a server that is not there, or never answers, fails fast. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnreachableServerTest {
  private static final Duration BOUND = Duration.ofSeconds(15);

  @Test
  void runsAgainstAClosedPortExitsTwoWithinSecondsNamingTheServer() throws Exception {
    MockWebServer server = FakeMlflowServer.newServer();
    server.start();
    String url = "http://127.0.0.1:" + server.getPort();
    server.close(); // nothing listens there now

    long start = System.nanoTime();
    Harness.Result r = Harness.real().run("runs", "--uri", url);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("tracker runs: ").contains(url);
    assertThat(took).isLessThan(BOUND);
  }

  @Test
  void runsAgainstAServerThatNeverAnswersExitsTwoWithinFifteenSeconds() throws Exception {
    FakeMlflowServer fake = new FakeMlflowServer();
    fake.interceptor(endpoint -> new MockResponse.Builder()
        .onResponseStart(SocketEffect.Stall.INSTANCE).build());
    try (MockWebServer server = FakeMlflowServer.newServer()) {
      server.setDispatcher(fake);
      server.start();
      String url = "http://127.0.0.1:" + server.getPort();

      long start = System.nanoTime();
      Harness.Result r = Harness.real().run("runs", "--uri", url);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err()).startsWith("tracker runs: ").contains(url)
          .contains("SocketTimeoutException");
      assertThat(took).isLessThan(BOUND);
    }
  }
}
