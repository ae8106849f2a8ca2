package dev.tracker.internal;

import dev.tracker.Seeds;
import dev.tracker.spi.SeedHook;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link SeedHook}s on the class path whose framework is there, found once. */
public final class SeedHooks {
  private static final Logger log = LoggerFactory.getLogger(SeedHooks.class);

  /** The most broken registrations skipped, so that a loader that keeps failing cannot loop. */
  private static final int MAX_BROKEN = 100;

  private final List<SeedHook> hooks;

  private SeedHooks(List<SeedHook> hooks) {
    this.hooks = hooks;
  }

  /**
   * Finds the available hooks, with the context class loader or else {@code owner}'s. A hook that
   * cannot be loaded (its class missing, its constructor throwing) is left out with a WARN: it
   * must not stop every tracker from starting.
   */
  public static SeedHooks load(Class<?> owner) {
    List<SeedHook> hooks = new ArrayList<>();
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    Iterator<SeedHook> found = ServiceLoader.load(SeedHook.class,
        cl != null ? cl : owner.getClassLoader()).iterator();
    for (int broken = 0; broken < MAX_BROKEN; ) {
      SeedHook hook;
      try {
        if (!found.hasNext()) {
          break;
        }
        hook = found.next();
      } catch (ServiceConfigurationError e) {
        broken++;
        log.warn("seed hook left out: {}{}", e.getMessage(),
            e.getCause() == null ? "" : " (" + e.getCause() + ")");
        continue;
      }
      try {
        if (hook.isAvailable()) {
          hooks.add(hook);
        }
      } catch (RuntimeException | LinkageError e) {
        log.debug("seed hook {} unavailable: {}", hook.getClass().getName(), e.toString());
      }
    }
    return new SeedHooks(List.copyOf(hooks));
  }

  /** Seeds every framework; returns the names of the hooks that ran. */
  public List<String> seed(Seeds seeds) {
    List<String> names = new ArrayList<>();
    for (SeedHook hook : hooks) {
      try {
        hook.seed(seeds);
        names.add(hook.name());
      } catch (RuntimeException | LinkageError e) {
        log.warn("seed hook {} failed: {}", hook.getClass().getName(), e.toString());
      }
    }
    return names;
  }
}
