package dev.tracker.internal.system;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a warning once per topic and tracker, then at DEBUG: a source that fails every 10 seconds
 * must not fill the log.
 */
final class Warnings {
  private static final Logger log = LoggerFactory.getLogger(SystemMonitor.class);

  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final AtomicInteger count = new AtomicInteger();

  void warn(String topic, String format, Object... args) {
    if (warned.add(topic)) {
      count.incrementAndGet();
      log.warn(format, args);
    } else {
      log.debug(format, args);
    }
  }

  /** How many warnings were logged at WARN. */
  int count() {
    return count.get();
  }

  /** True once a warning on the topic was logged. */
  boolean warned(String topic) {
    return warned.contains(topic);
  }
}
