package dev.tracker.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.tracker.spi.RunSpec;
import dev.tracker.testing.RecordingBackend;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/**
 * Runs fixture classes through {@link EngineTestKit} with {@code tracker.uri} pointing at a fresh
 * in-memory backend, and reads back what the runs recorded.
 */
final class Kit {
  final String uri = MemoryBackendProvider.newUri();
  final RecordingBackend backend = MemoryBackendProvider.backend(uri);
  private final Map<String, String> parameters = new HashMap<>();

  Kit() {
    parameters.put(TrackerExtension.URI_KEY, uri);
  }

  /** Sets a configuration parameter of the next executions. */
  Kit parameter(String key, String value) {
    parameters.put(key, value);
    return this;
  }

  /** Removes a configuration parameter. */
  Kit without(String key) {
    parameters.remove(key);
    return this;
  }

  EngineExecutionResults run(Class<?>... classes) {
    return run(Arrays.stream(classes).map(c -> selectClass(c)).toArray(DiscoverySelector[]::new));
  }

  EngineExecutionResults run(DiscoverySelector... selectors) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectors)
        .configurationParameters(parameters).execute();
  }

  /** The ids of the runs recorded, in creation order. */
  List<String> runIds() {
    return backend.runIds();
  }

  /** The one run with this name. */
  String runId(String name) {
    List<String> ids = runIds().stream().filter(id -> name.equals(spec(id).runName())).toList();
    if (ids.size() != 1) {
      throw new AssertionError("expected one run named '" + name + "' but found " + ids.size()
          + " among " + runIds().stream().map(id -> spec(id).runName()).toList());
    }
    return ids.get(0);
  }

  RunSpec spec(String runId) {
    return backend.spec(runId);
  }

  /** The runs whose parent is {@code parentId}. */
  List<String> children(String parentId) {
    return runIds().stream().filter(id -> parentId.equals(spec(id).parentRunId())).toList();
  }

  /** The throwable a finished event carries. */
  static Throwable throwable(Event event) {
    return event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
        .orElseThrow(() -> new AssertionError("no throwable in " + event));
  }

  /** The values of the report entries with the key {@value TrackerExtension#REPORT_KEY}. */
  static List<String> reports(EngineExecutionResults results) {
    return results.allEvents().stream().filter(e -> e.getType() == EventType.REPORTING_ENTRY_PUBLISHED)
        .map(e -> e.getPayload(ReportEntry.class)).flatMap(Optional::stream)
        .map(r -> r.getKeyValuePairs().get(TrackerExtension.REPORT_KEY))
        .filter(v -> v != null).toList();
  }
}
