package dev.tracker;

import static org.assertj.core.api.Assertions.assertThat;

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

  /** Starts a run with the hooks the services file lists, and returns its tags. */
  private Map<String, String> tagsOfARunWith(String... hooks) throws IOException {
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(services.resolve(SeedHook.class.getName()), String.join("\n", hooks) + "\n");
    Thread me = Thread.currentThread();
    ClassLoader before = me.getContextClassLoader();
    Tracker tracker;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
        getClass().getClassLoader())) {
      me.setContextClassLoader(loader);
      tracker = Tracker.builder().backend(backend).shutdownHook(false).standardTags(false)
          .systemProperties(k -> null).environment(k -> null).build();
    } finally {
      me.setContextClassLoader(before);
    }
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
}
