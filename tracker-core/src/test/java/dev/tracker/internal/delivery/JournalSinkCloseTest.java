package dev.tracker.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.spi.RemoteDelivery;
import dev.tracker.spi.RunSpec;
import dev.tracker.testing.RecordingBackend;
import java.io.FileOutputStream;
import java.io.SyncFailedException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Closing a journal-first sink lets go of everything it holds, whatever fails on the way. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JournalSinkCloseTest {
  @TempDir Path tmp;

  /** A private field of a delivery object, read as the sink's close would find it. */
  private static Object field(Object owner, String name) throws ReflectiveOperationException {
    Field f = owner.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(owner);
  }

  @Test
  void aCloseWhoseFsyncFailsStillStopsTheUploaderClosesTheBackendAndUnlocksTheJournal()
      throws Exception {
    RecordingBackend backend = new RecordingBackend();
    JournalSink sink = new JournalSink(backend, new RemoteDelivery(tmp, "s", Duration.ZERO,
        Duration.ZERO, Duration.ZERO), 1 << 20, InstantSource.system(), null, 1);
    sink.createRun(new RunSpec("r", null, "e", "run", 1, Map.of(), null, false));
    // the disk fails the sync: the segment's file is no longer open under the journal
    Segment segment = (Segment) field(sink.journal(), "current");
    ((FileOutputStream) field(segment, "writer")).close();
    Uploader uploader = (Uploader) field(sink, "uploader");

    assertThatThrownBy(() -> sink.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(5)))
        .isInstanceOf(SyncFailedException.class);

    assertThat(uploader.join(0)).as("uploader stopped").isTrue();
    assertThat(backend.isClosed()).as("backend closed").isTrue();
    List<Path> segments;
    try (Stream<Path> dirs = Files.list(tmp)) {
      segments = dirs.filter(Files::isDirectory).toList();
    }
    assertThat(segments).allSatisfy(dir -> assertThat(Segment.isLocked(dir)).isFalse());
  }
}
