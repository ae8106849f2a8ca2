package dev.tracker.internal.delivery;

import dev.tracker.Metric;
import dev.tracker.RunStatus;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Run in another JVM under a file size limit ({@code ulimit -f 1}): appends a run's creation, a
 * batch that the limit cuts short, and the run's end to a new segment under {@code args[0]};
 * prints what became of each append.
 */
final class CutWriteProbe {
  private CutWriteProbe() {}

  public static void main(String[] args) throws Exception {
    Segment s = Segment.create(Path.of(args[0]), 0);
    List<Metric> points = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      points.add(new Metric("loss", i, 1, i));
    }
    Op[] ops = {
        new Op.CreateRun(new RunSpec("r1", null, "e", "run", 5, Map.of(), null, false), false),
        new Op.LogBatch("r1", Batch.ofMetrics(points)),
        new Op.EndRun("r1", RunStatus.FINISHED, 9)};
    for (Op op : ops) {
      try {
        s.append(op);
        System.out.print(op.kind() + " written; ");
      } catch (IOException e) {
        System.out.print(op.kind() + " failed; ");
      }
    }
    s.close();
  }
}
