package dev.tracker.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded queue of one run: many producers (logging threads), one consumer (the dispatcher),
 * first in first out. It carries chunks of metrics and single params, tags and control items.
 *
 * <p>Why not {@link java.util.concurrent.ArrayBlockingQueue}: its one lock is taken by every
 * producer and by the consumer, so logging threads queue up behind each other (and behind a lock
 * holder the OS has descheduled), and contended locking allocates. Here a producer claims a slot
 * with one compare-and-set on the producer index and publishes its item with a release store; the
 * consumer reads slots in order and frees them with release stores. The layout follows JCTools'
 * {@code MpscArrayQueue}, with padding between the indices that producers and consumer write.
 *
 * <p>A full queue makes the producer wait (back-pressure, nothing is dropped): it parks until
 * the consumer has freed room ({@link #signalWaiters(boolean)}). Adding to a queue with room
 * takes no lock and allocates nothing.
 */
final class RecordQueue extends RecordQueueConsumerFields {
  private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private static final VarHandle WAITING;

  static {
    try {
      WAITING = MethodHandles.lookup().findVarHandle(RecordQueue.class, "waiting", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
  private volatile int waiting; // producers in put() that found the queue full

  /**
   * A queue that holds at most {@code capacity} records.
   *
   * @throws IllegalArgumentException when capacity is below 1 or above 2^30
   */
  RecordQueue(int capacity) {
    super(capacity);
  }

  /**
   * Adds {@code e} unless the queue is full. Lock-free; never waits.
   *
   * @return the position of {@code e} in the queue's history (0 for the first record ever
   *     added), or -1 when the queue is full
   */
  long offer(Object e) {
    long limit = producerLimit;
    long p;
    do {
      p = producerIndex;
      if (p >= limit) {
        limit = consumerIndex + capacity;
        if (p >= limit) {
          return -1;
        }
        PRODUCER_LIMIT.setRelease(this, limit); // a stale, lower limit only costs a re-read
      }
    } while (!PRODUCER_INDEX.compareAndSet(this, p, p + 1));
    ELEMENTS.setRelease(elements, (int) p & mask, e);
    return p;
  }

  /**
   * Adds {@code e}, waiting while the queue is full.
   *
   * @param onWait run each time this producer is about to wait, after it announced itself: it
   *     wakes the consumer, which then sees the waiter
   * @throws InterruptedException when interrupted while waiting; {@code e} was not added
   */
  void put(Object e, Runnable onWait) throws InterruptedException {
    if (offer(e) >= 0) {
      return;
    }
    // Park, no spinning: with more logging threads than cores, a spinning producer takes the
    // CPU from the consumer it waits for. Waiters park on their own (no lock and condition:
    // woken together, they would then take the lock one after another) and the consumer wakes
    // them all once half the queue is free.
    Thread me = Thread.currentThread();
    WAITING.getAndAdd(this, 1);
    try {
      while (true) {
        if (!waiters.contains(me)) { // once: a waiter that was not woken is still listed
          waiters.add(me);
        }
        // Announced, look again: the consumer frees room, then (after a fence) looks for
        // waiters, so one of the two sees the other.
        if (offer(e) >= 0) {
          return;
        }
        onWait.run();
        LockSupport.parkNanos(this, WAIT_NANOS); // timed: belt and braces against a lost wake-up
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    } finally {
      waiters.remove(me);
      WAITING.getAndAdd(this, -1);
    }
  }

  /**
   * Takes the oldest record, or returns null when the queue is empty. Consumer thread only.
   *
   * <p>When a producer has claimed the next slot but not yet filled it, this waits for it (a few
   * instructions, unless the OS descheduled that producer): records claimed after it may come
   * from calls that returned already, and a flush must see those.
   */
  Object poll() {
    long c = consumerIndex;
    int slot = (int) c & mask;
    Object e = ELEMENTS.getAcquire(elements, slot);
    if (e == null) {
      if (c == producerIndex) {
        return null;
      }
      for (int spins = 0; (e = ELEMENTS.getAcquire(elements, slot)) == null; spins++) {
        if (spins < 64) {
          Thread.onSpinWait();
        } else {
          Thread.yield(); // let a descheduled producer finish its store
        }
      }
    }
    ELEMENTS.set(elements, slot, null);
    CONSUMER_INDEX.setRelease(this, c + 1); // orders the null store before the slot's reuse
    return e;
  }

  /**
   * Wakes producers waiting for room, if any, once at least half the queue is free or when
   * {@code always}: waking them for a little room would have them fill it and park again, each
   * wake-up costing microseconds. Consumer thread only, after {@link #poll()}s.
   */
  void signalWaiters(boolean always) {
    VarHandle.fullFence(); // the freed room (consumerIndex) is visible before `waiting` is read
    if (waiting > 0 && (always || size() <= capacity / 2)) {
      Thread t;
      while ((t = waiters.poll()) != null) {
        LockSupport.unpark(t);
      }
    }
  }

  /** How many waiting producers are listed to be woken; for tests. */
  int listedWaiters() {
    return waiters.size();
  }

  /** How many records are queued (or being added); exact when no producer is adding. */
  int size() {
    long c = consumerIndex;
    long p = producerIndex;
    return (int) Math.max(0, Math.min(capacity, p - c));
  }

  /** True when no record is queued or being added. */
  boolean isEmpty() {
    return consumerIndex == producerIndex;
  }
}

// Padding keeps the indices written by producers and by the consumer on different cache lines
// (HotSpot lays out a superclass's fields before its subclass's).

abstract class RecordQueuePad0 {
  long p00, p01, p02, p03, p04, p05, p06, p07;
  long p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class RecordQueueFields extends RecordQueuePad0 {
  static final VarHandle ELEMENTS = MethodHandles.arrayElementVarHandle(Object[].class);

  final Object[] elements;
  final int mask;
  final int capacity;

  RecordQueueFields(int capacity) {
    if (capacity < 1 || capacity > (1 << 30)) {
      throw new IllegalArgumentException(
          "queue capacity must be between 1 and 2^30 but was " + capacity);
    }
    int length = Integer.highestOneBit(capacity);
    if (length < capacity) {
      length <<= 1;
    }
    this.elements = new Object[length];
    this.mask = length - 1;
    this.capacity = capacity;
  }
}

abstract class RecordQueuePad1 extends RecordQueueFields {
  long p00, p01, p02, p03, p04, p05, p06, p07;
  long p08, p09, p10, p11, p12, p13, p14, p15;

  RecordQueuePad1(int capacity) {
    super(capacity);
  }
}

abstract class RecordQueueProducerFields extends RecordQueuePad1 {
  static final VarHandle PRODUCER_INDEX;
  static final VarHandle PRODUCER_LIMIT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      PRODUCER_INDEX = l.findVarHandle(RecordQueueProducerFields.class, "producerIndex",
          long.class);
      PRODUCER_LIMIT = l.findVarHandle(RecordQueueProducerFields.class, "producerLimit",
          long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  volatile long producerIndex;
  volatile long producerLimit; // a cached consumerIndex + capacity: room known without a read

  RecordQueueProducerFields(int capacity) {
    super(capacity);
  }
}

abstract class RecordQueuePad2 extends RecordQueueProducerFields {
  long p00, p01, p02, p03, p04, p05, p06, p07;
  long p08, p09, p10, p11, p12, p13, p14, p15;

  RecordQueuePad2(int capacity) {
    super(capacity);
  }
}

abstract class RecordQueueConsumerFields extends RecordQueuePad2 {
  static final VarHandle CONSUMER_INDEX;

  static {
    try {
      CONSUMER_INDEX = MethodHandles.lookup().findVarHandle(RecordQueueConsumerFields.class,
          "consumerIndex", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  volatile long consumerIndex;
  long p00, p01, p02, p03, p04, p05, p06, p07;
  long p08, p09, p10, p11, p12, p13, p14, p15;

  RecordQueueConsumerFields(int capacity) {
    super(capacity);
  }
}
