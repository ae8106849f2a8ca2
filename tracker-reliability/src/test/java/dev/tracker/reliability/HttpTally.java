package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Metric;
import dev.tracker.http.testing.FakeMlflowServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Counts metric points as the MLflow server holds them: a point is its (key, step, timestamp,
 * value), and each logged point must be held exactly once. Prints the figures as a row of
 * RELIABILITY.md's table.
 */
final class HttpTally {
  private HttpTally() {}

  /** The points as the fake server records them. */
  static List<FakeMlflowServer.Point> points(List<Metric> metrics) {
    List<FakeMlflowServer.Point> out = new ArrayList<>(metrics.size());
    for (Metric m : metrics) {
      out.add(new FakeMlflowServer.Point(m.key(), m.value(), m.timestamp(), m.step()));
    }
    return out;
  }

  /** How many points the server holds more than once (each extra copy counts). */
  static int duplicates(List<FakeMlflowServer.Point> stored) {
    return stored.size() - new HashSet<>(stored).size();
  }

  /**
   * Asserts that the server holds every sent point exactly once and nothing else, and prints the
   * figures.
   */
  static void assertEachOnce(String scenario, String test, List<Metric> sent,
      List<FakeMlflowServer.Point> stored, Duration time) {
    assertStored(scenario, test, sent, stored, time, 0);
  }

  /**
   * Asserts that the server holds every sent point, nothing else, and {@code duplicates} extra
   * copies, and prints the figures.
   */
  static void assertStored(String scenario, String test, List<Metric> sent,
      List<FakeMlflowServer.Point> stored, Duration time, int duplicates) {
    print(scenario, test, sent.size(), stored, time);
    Set<FakeMlflowServer.Point> expected = new HashSet<>(points(sent));
    assertThat(expected).as("points sent are distinct").hasSize(sent.size());
    assertThat(new HashSet<>(stored)).as("points stored").isEqualTo(expected);
    assertThat(duplicates(stored)).as("points stored more than once").isEqualTo(duplicates);
  }

  /** Prints a row of RELIABILITY.md's fault table. */
  static void print(String scenario, String test, long sent, List<FakeMlflowServer.Point> stored,
      Duration time) {
    System.out.printf("| %s | `%s` | %,d | %,d | %d | %.1f s |%n", scenario, test, sent,
        stored.size(), duplicates(stored), time.toMillis() / 1000.0);
  }
}
