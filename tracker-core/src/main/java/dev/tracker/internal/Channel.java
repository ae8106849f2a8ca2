package dev.tracker.internal;

import dev.tracker.Dataset;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.spi.RunSpec;
import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The queue of one run. Logging threads fill chunks of metrics and queue them, and queue params,
 * tags and control items; the pipeline's worker drains.
 */
public final class Channel {
  final RunSpec spec;
  final RecordQueue queue;
  private final Pipeline pipeline;
  private final int chunkSize;
  // each thread's chunk; a Lane must not refer to the channel (the thread's map keeps it)
  private final ThreadLocal<Chunk.Lane> lanes = new ThreadLocal<>();
  private final CopyOnWriteArrayList<Chunk.Lane> allLanes = new CopyOnWriteArrayList<>();
  boolean created; // worker-only
  boolean ended; // worker-only

  Channel(Pipeline pipeline, RunSpec spec, int slots, int chunkSize) {
    this.pipeline = pipeline;
    this.spec = spec;
    this.queue = new RecordQueue(slots);
    this.chunkSize = chunkSize;
  }

  /**
   * Queues a metric point into this thread's chunk; a full chunk is queued, waiting while the
   * queue is full (back-pressure: nothing is dropped).
   *
   * @throws IllegalStateException when interrupted while waiting; the flag is restored
   */
  public void put(Metric m) {
    Chunk.Lane lane = lanes.get();
    if (lane == null) {
      lane = newLane();
    }
    Chunk c = lane.current;
    int n = c.count;
    if (n == c.items.length) { // queueing it was interrupted before: try again
      publish(lane, c, true);
      c = lane.current;
      n = 0;
    }
    c.items[n] = m;
    Chunk.COUNT.setRelease(c, n + 1); // the worker may take the chunk's records before it is full
    if (n + 1 == c.items.length) {
      publish(lane, c, false); // the metric is in: an interrupt only delays queueing the chunk
    }
  }

  /** Queues a param, waiting while the queue is full. */
  public void put(Param p) {
    enqueue(new Item.ParamItem(p), true);
  }

  /** Queues a tag, waiting while the queue is full. */
  public void put(Tag t) {
    enqueue(new Item.TagItem(t), true);
  }

  /** Queues a thread's chunk (full, or before a control item) and starts its next. */
  private void publish(Chunk.Lane lane, Chunk c, boolean throwIfInterrupted) {
    if (enqueue(c, throwIfInterrupted)) {
      lane.current = new Chunk(lane, c.seq + 1, chunkSize);
    }
  }

  /** Queues this thread's unfinished chunk, so that what it logged goes before what follows. */
  private void publishOwnChunk() {
    Chunk.Lane lane = lanes.get();
    if (lane != null && lane.current.count > 0) {
      publish(lane, lane.current, true);
    }
  }

  /** Queues an item; false when interrupted while waiting and told not to throw. */
  private boolean enqueue(Item item, boolean throwIfInterrupted) {
    long position = queue.offer(item);
    if (position >= 0) {
      pipeline.queued(position, item);
      return true;
    }
    try {
      queue.put(item, pipeline.wakeWorker);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (!throwIfInterrupted) {
        return false;
      }
      throw new IllegalStateException("interrupted while waiting for room in the queue of run "
          + spec.runId() + "; the record was not logged", e);
    }
  }

  /**
   * Queues an artifact file (or directory) to store under {@code artifactPath}, with what the
   * file is now (its size, modification time and identity), so a later change is told.
   */
  public void artifact(Path file, String artifactPath) {
    publishOwnChunk();
    enqueue(new Item.ArtifactItem(file, artifactPath, Artifacts.Stamp.of(file)), true);
  }

  /** Queues bytes to store as the artifact {@code artifactPath}. */
  public void artifact(byte[] content, String artifactPath) {
    publishOwnChunk();
    enqueue(new Item.BytesItem(content, artifactPath), true);
  }

  /** Queues a data set the run used, after what this thread logged before. */
  public void input(Dataset dataset) {
    publishOwnChunk();
    enqueue(new Item.InputItem(dataset), true);
  }

  /**
   * Queues the end of the run; the worker sends it straight away. An interrupt does not stop it
   * (a lost end leaves the run RUNNING for good): it waits for room, then restores the flag.
   */
  public void end(RunStatus status, long endTime) {
    boolean interrupted = Thread.interrupted();
    // what this thread logged goes first; not queued when interrupted, the worker takes it from
    // the thread's chunk before the end
    Chunk.Lane lane = lanes.get();
    if (lane != null && lane.current.count > 0) {
      publish(lane, lane.current, false);
    }
    Item end = new Item.EndItem(status, endTime);
    while (true) {
      try {
        queue.put(end, pipeline.wakeWorker);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    pipeline.unparkWorker();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private Chunk.Lane newLane() {
    Chunk.Lane lane = new Chunk.Lane(chunkSize);
    allLanes.add(lane);
    lanes.set(lane);
    return lane;
  }

  /** Every thread's current chunk. Worker only. */
  Chunk[] currentChunks() {
    Object[] all = allLanes.toArray();
    Chunk[] out = new Chunk[all.length];
    for (int i = 0; i < all.length; i++) {
      out[i] = ((Chunk.Lane) all[i]).current;
    }
    return out;
  }

  /** True when the worker took every metric of every thread. Worker only. */
  boolean lanesTaken() {
    for (Chunk.Lane lane : allLanes) {
      Chunk c = lane.current;
      if (c.seq != lane.expected || c.taken != c.count) {
        return false;
      }
    }
    return true;
  }
}
