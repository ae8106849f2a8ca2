package dev.tracker.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.DatasetInput;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A journal segment keeps whole records, survives a torn tail, and remembers its progress. */
class SegmentTest {
  @TempDir Path tmp;

  private static final Op CREATE = new Op.CreateRun(new RunSpec("r1", null, "e", "run",
      5, Map.of("k", "v"), null, false), false);
  private static final Op BATCH = new Op.LogBatch("r1", new Batch(
      List.of(new Metric("loss", Double.NaN, 7, 3)), List.of(new Param("lr", "0.1")),
      List.of(new Tag("t", "é"))));
  private static final Op END = new Op.EndRun("r1", RunStatus.FAILED, 9);
  private static final Op INPUTS = new Op.LogInputs("r1", List.of(
      new DatasetInput("train", "900150983cd24fb0d6963f7d28e17f72", "local", "/d/train.csv",
          "training", 3, 1, "{}", "900150983cd24fb0d6963f7d28e17f72"),
      new DatasetInput("u", null, "s3", "s3://b/k", "évaluation", -1, -1, null, null)));

  @Test
  void everyOpReadsBackAsItWasWritten() throws Exception {
    Segment s = Segment.create(tmp, 0);
    s.append(CREATE);
    s.append(BATCH);
    s.append(INPUTS);
    s.append(END);
    assertThat(read(s)).containsExactly(CREATE, BATCH, INPUTS, END);
    s.close();
  }

  @Test
  void aTornLastRecordIsNotDeliveredAndTheRestIs() throws Exception {
    Segment s = Segment.create(tmp, 0);
    s.append(CREATE);
    s.append(BATCH);
    s.close();
    Path journal = s.dir().resolve(Segment.JOURNAL);
    Files.write(journal, new byte[] {0, 0, 0, 50, 1, 2, 3}, StandardOpenOption.APPEND);

    assertThat(Segment.scan(s.dir())).containsExactly(2, 0, 0);
    Segment adopted = Segment.adopt(s.dir(), () -> { });
    assertThat(read(adopted)).containsExactly(CREATE, BATCH);
    assertThat(Segment.scan(s.dir())).containsExactly(0, 0, 0);
    adopted.close();
  }

  @Test
  void aDamagedRecordIsReportedAndSkipped() throws Exception {
    Segment s = Segment.create(tmp, 0);
    s.append(CREATE);
    long second = s.size();
    s.append(BATCH);
    s.append(END);
    s.close();
    try (RandomAccessFile f = new RandomAccessFile(s.dir().resolve(Segment.JOURNAL).toFile(),
        "rw")) {
      f.seek(second + 12);
      f.write(0x55);
    }
    Segment adopted = Segment.adopt(s.dir(), () -> { });
    adopted.advance(adopted.next().end());
    Segment.Entry damaged = adopted.next();
    assertThat(damaged.op()).isNull();
    assertThat(damaged.problem()).isEqualTo("journal record at byte " + second + " of "
        + s.dir() + " is damaged (checksum mismatch)");
    adopted.advance(damaged.end());
    assertThat(adopted.next().op()).isEqualTo(END);
    adopted.close();
  }

  @Test
  void aLaterProcessStartsWhereTheEarlierStoppedAndKnowsTheRunsItCreated() throws Exception {
    Segment s = Segment.create(tmp, 0);
    s.append(CREATE);
    s.append(BATCH);
    s.advance(s.next().end());
    s.delivered(1);
    s.close();

    Segment adopted = Segment.adopt(s.dir(), () -> { });
    assertThat(adopted.next().op()).isEqualTo(BATCH);
    assertThat(adopted.partial()).isEqualTo(1);
    assertThat(adopted.createdBefore).containsOnlyKeys("r1");
    adopted.close();
  }

  @Test
  void aScanTellsTheEndsOfRunsWhoseCreationWaitsToo() throws Exception {
    Op resumed = new Op.CreateRun(new RunSpec("r2", null, "e", "run", 5, Map.of(), null, true),
        false);
    Segment s = Segment.create(tmp, 0);
    s.append(CREATE);
    s.append(BATCH);
    s.append(END);
    s.append(resumed); // a run resumed exists on the server: its end shows RUNNING until sent
    s.append(new Op.EndRun("r2", RunStatus.FINISHED, 9));

    assertThat(Segment.scan(s.dir())).containsExactly(5, 2, 1);
    s.advance(s.next().end()); // r1's creation delivered
    assertThat(Segment.scan(s.dir())).containsExactly(4, 2, 0);
    s.close();
  }

  @Test
  void aSegmentHeldByThisProcessIsNotAdopted() throws Exception {
    Segment s = Segment.create(tmp, 0);
    AtomicInteger held = new AtomicInteger();
    assertThat(Segment.adopt(s.dir(), held::incrementAndGet)).isNull();
    assertThat(held).hasValue(1);
    assertThat(Segment.isLocked(s.dir())).isTrue();
    s.close();
    assertThat(Segment.isLocked(s.dir())).isFalse();
  }

  @Test
  void anotherTrackerOfThisProcessPassingASegmentOverLeavesItLockedForOtherProcesses()
      throws Exception {
    Segment s = Segment.create(tmp, 0);
    s.append(CREATE);
    assertThat(heldSeenFromAnotherProcess(s.dir())).as("held while written").isTrue();

    // a second tracker of this JVM for the same server finds the segment among its leftovers
    assertThat(Segment.adopt(s.dir(), () -> { })).isNull();
    assertThat(Segment.isLocked(s.dir())).isTrue();
    // closing a channel releases every lock this process holds on the file (POSIX): another
    // process (tracker sync) would take the segment while its writer still appends
    assertThat(heldSeenFromAnotherProcess(s.dir())).as("held after the second look").isTrue();

    s.close();
    assertThat(heldSeenFromAnotherProcess(s.dir())).as("free once closed").isFalse();
  }

  @Test
  @org.junit.jupiter.api.condition.EnabledOnOs({org.junit.jupiter.api.condition.OS.LINUX,
      org.junit.jupiter.api.condition.OS.MAC}) // ulimit
  void aWriteCutShortLeavesNoPartOfItsRecordAndTheNextRecordFollowsWhole() throws Exception {
    // a file size limit of 1 KiB cuts the batch short, as a full disk does
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder("bash", "-c", "ulimit -f 1; exec \"$0\" -XX:-UsePerfData"
        + " -cp \"$1\" \"$2\" \"$3\"", javaBin, System.getProperty("java.class.path"),
        CutWriteProbe.class.getName(), tmp.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(new String(p.getInputStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("CREATE_RUN written; LOG_BATCH failed; END_RUN written; ");

    Path dir;
    try (java.util.stream.Stream<Path> dirs = Files.list(tmp)) {
      dir = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    Segment adopted = Segment.adopt(dir, () -> { });
    assertThat(read(adopted)).containsExactly(
        new Op.CreateRun(new RunSpec("r1", null, "e", "run", 5, Map.of(), null, false), false),
        new Op.EndRun("r1", RunStatus.FINISHED, 9));
    adopted.close();
  }

  /** Asks a child JVM whether some process holds the segment's lock. */
  private static boolean heldSeenFromAnotherProcess(Path dir) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classes = Path.of(LockProbe.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI()).toString();
    Process p = new ProcessBuilder(javaBin, "-cp", classes, LockProbe.class.getName(),
        dir.resolve(Segment.LOCK).toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(out).isIn("held", "free");
    return out.equals("held");
  }

  private static List<Op> read(Segment s) throws Exception {
    java.util.ArrayList<Op> out = new java.util.ArrayList<>();
    Segment.Entry e;
    while ((e = s.next()) != null) {
      out.add(e.op());
      s.advance(e.end());
    }
    return out;
  }
}
