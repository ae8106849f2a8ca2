package dev.tracker.internal;

import dev.tracker.Metric;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Metrics logged by one thread. Its thread writes {@code items[count]} then publishes {@code
 * count}; the worker may take {@code items[taken..count)} at any time.
 */
final class Chunk implements Item {
  static final VarHandle COUNT;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(Chunk.class, "count", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Lane lane;
  final long seq;
  final Metric[] items;
  volatile int count;
  int taken; // worker-only

  Chunk(Lane lane, long seq, int size) {
    this.lane = lane;
    this.seq = seq;
    this.items = new Metric[size];
  }

  @Override
  public Kind kind() {
    return Kind.CHUNK;
  }

  /** One thread's chunks of one run. */
  static final class Lane {
    volatile Chunk current; // written by its thread
    long expected; // worker-only: the seq of the next chunk to take from the queue

    Lane(int chunkSize) {
      current = new Chunk(this, 0, chunkSize);
    }
  }
}
