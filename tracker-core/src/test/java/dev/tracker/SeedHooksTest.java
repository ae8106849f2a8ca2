package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.spi.SeedHook;
import dev.tracker.testing.RecordingBackend;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed hooks found with ServiceLoader: a broken one never stops a tracker or a run. */
class SeedHooksTest {
  static final List<Long> SEEDED = new CopyOnWriteArrayList<>();

  @TempDir Path dir;
  private final RecordingBackend backend = new RecordingBackend();

  /** A hook that works. */
  public static final class GoodHook implements SeedHook {
    @Override
    public String name() {
      return "good";
    }

    @Override
    public void seed(Seeds seeds) {
      SEEDED.add(seeds.derive(name()));
    }
  }

  /** A hook whose class cannot be made: its constructor throws. */
  public static final class UnmadeHook implements SeedHook {
    public UnmadeHook() {
      throw new IllegalStateException("no engine");
    }

    @Override
    public String name() {
      return "unmade";
    }

    @Override
    public void seed(Seeds seeds) {}
  }

  /** A hook that throws when it seeds, and even when asked its name. */
  public static final class ThrowingHook implements SeedHook {
    @Override
    public String name() {
      throw new UnsupportedOperationException("no name");
    }

    @Override
    public void seed(Seeds seeds) {
      throw new IllegalStateException("engine gone");
    }
  }

  /** A hook that closes the tracker while a run starts, as another thread may. */
  public static final class ClosingHook implements SeedHook {
    static volatile Tracker tracker;

    @Override
    public String name() {
      return "closing";
    }

    @Override
    public void seed(Seeds seeds) {
      tracker.close();
    }
  }

  /** A tracker whose seed hooks are those the services file lists. */
  private Tracker trackerWith(String... hooks) throws IOException {
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(services.resolve(SeedHook.class.getName()), String.join("\n", hooks) + "\n");
    Thread me = Thread.currentThread();
    ClassLoader before = me.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
        getClass().getClassLoader())) {
      me.setContextClassLoader(loader);
      return Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
          .systemProperties(k -> null).environment(k -> null).build();
    } finally {
      me.setContextClassLoader(before);
    }
  }

  /** Starts a run with the hooks the services file lists, and returns its tags. */
  private Map<String, String> tagsOfARunWith(String... hooks) throws IOException {
    Tracker tracker = trackerWith(hooks);
    SEEDED.clear();
    Run run = tracker.experiment("e").newRun("r").seed(42).start();
    tracker.close();
    return backend.tags(run.id());
  }

  @Test
  void aHookThatCannotBeLoadedIsLeftOutAndTheOthersSeed() throws IOException {
    Map<String, String> tags = tagsOfARunWith(UnmadeHook.class.getName(),
        "dev.tracker.NoSuchSeedHook", GoodHook.class.getName());

    assertThat(tags).containsEntry("tracker.seed.hooks", "good");
    assertThat(SEEDED).containsExactly(Seeds.of(42).derive("good"));
  }

  @Test
  void aHookThatThrowsWhenSeedingIsLeftOutOfTheTagAndTheRunStarts() throws IOException {
    Map<String, String> tags = tagsOfARunWith(ThrowingHook.class.getName(),
        GoodHook.class.getName());

    assertThat(tags).containsEntry("tracker.seed.hooks", "good");
    assertThat(SEEDED).containsExactly(Seeds.of(42).derive("good"));
  }

  @Test
  void aRunStartingWhileTheTrackerClosesIsRefusedNotLeftToLogIntoNothing() throws IOException {
    Tracker tracker = trackerWith(ClosingHook.class.getName());
    ClosingHook.tracker = tracker;

    assertThatThrownBy(() -> tracker.experiment("e").startRun("late"))
        .isInstanceOf(IllegalStateException.class).hasMessage("tracker is closed");
    assertThat(backend.runIds()).isEmpty();
  }
}
