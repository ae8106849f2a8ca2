package dev.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RecordQueueTest {

  @Test
  void givesRecordsBackInTheOrderTheyWereAdded() {
    RecordQueue q = new RecordQueue(8);
    for (int i = 0; i < 5; i++) {
      assertThat(q.offer("r" + i)).isEqualTo(i);
    }

    List<Object> out = new ArrayList<>();
    Object e;
    while ((e = q.poll()) != null) {
      out.add(e);
    }
    assertThat(out).containsExactly("r0", "r1", "r2", "r3", "r4");
    assertThat(q.isEmpty()).isTrue();
  }

  @Test
  void holdsExactlyItsCapacityEvenWhenThatIsNoPowerOfTwo() {
    RecordQueue q = new RecordQueue(5);
    for (int i = 0; i < 5; i++) {
      assertThat(q.offer(i)).isEqualTo(i);
    }

    assertThat(q.offer(5)).isEqualTo(-1);
    assertThat(q.size()).isEqualTo(5);
    assertThat(q.poll()).isEqualTo(0);
    assertThat(q.offer(5)).isEqualTo(5);
    assertThat(q.offer(6)).isEqualTo(-1);
  }

  @Test
  void wrapsAroundManyTimesWithoutLosingOrder() {
    RecordQueue q = new RecordQueue(3);
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      assertThat(q.offer(i)).isGreaterThanOrEqualTo(0);
      if (i % 3 == 2) {
        Object e;
        while ((e = q.poll()) != null) {
          out.add(e);
        }
      }
    }
    Object e;
    while ((e = q.poll()) != null) {
      out.add(e);
    }
    assertThat(out).hasSize(1000);
    for (int i = 0; i < 1000; i++) {
      assertThat(out.get(i)).isEqualTo(i);
    }
  }

  @Test
  void pollOnAnEmptyQueueReturnsNull() {
    assertThat(new RecordQueue(4).poll()).isNull();
  }

  @Test
  void refusesAnImpossibleCapacity() {
    assertThatThrownBy(() -> new RecordQueue(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("queue capacity must be between 1 and 2^30 but was 0");
  }

  @Test
  @Timeout(30)
  void putWaitsUntilTheConsumerFreesRoomAndSignals() throws Exception {
    RecordQueue q = new RecordQueue(2);
    q.offer("a");
    q.offer("b");
    CountDownLatch waiting = new CountDownLatch(1);
    CountDownLatch added = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread producer = new Thread(() -> {
      try {
        q.put("c", waiting::countDown);
        added.countDown();
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    producer.start();

    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue(); // it found the queue full
    assertThat(added.getCount()).isEqualTo(1);
    assertThat(q.poll()).isEqualTo("a");
    q.signalWaiters(true);
    assertThat(added.await(10, TimeUnit.SECONDS)).isTrue();
    producer.join();
    assertThat(failure.get()).isNull();
    assertThat(q.poll()).isEqualTo("b");
    assertThat(q.poll()).isEqualTo("c");
  }

  @Test
  @Timeout(30)
  void aProducerThatWaitsLongIsListedOnceToBeWoken() throws Exception {
    RecordQueue q = new RecordQueue(1);
    q.offer("a");
    CountDownLatch lookedThreeTimes = new CountDownLatch(3); // each look ends a timed wait
    Thread producer = new Thread(() -> {
      try {
        q.put("b", lookedThreeTimes::countDown);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    producer.start();

    assertThat(lookedThreeTimes.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(q.listedWaiters()).isEqualTo(1);
    assertThat(q.poll()).isEqualTo("a");
    q.signalWaiters(true);
    producer.join();
    assertThat(q.poll()).isEqualTo("b");
    assertThat(q.listedWaiters()).isZero();
  }

  @Test
  void anInterruptedPutThrowsAndAddsNothing() {
    RecordQueue q = new RecordQueue(1);
    q.offer("a");
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> q.put("b", () -> { }))
          .isExactlyInstanceOf(InterruptedException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(q.poll()).isEqualTo("a");
    assertThat(q.poll()).isNull();
  }

  @Test
  @Timeout(60)
  void fourProducersAndOneConsumerLoseNothingAndKeepEachProducersOrder() throws Exception {
    RecordQueue q = new RecordQueue(64);
    int producers = 4;
    int each = 200_000;
    List<Thread> threads = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int p = 0; p < producers; p++) {
      int id = p;
      Thread t = new Thread(() -> {
        try {
          for (int i = 0; i < each; i++) {
            q.put(new long[] {id, i}, () -> { });
          }
        } catch (Throwable e) {
          failure.set(e);
        }
      });
      threads.add(t);
      t.start();
    }
    long[] next = new long[producers];
    int received = 0;
    while (received < producers * each) {
      Object e = q.poll();
      if (e == null) {
        q.signalWaiters(true);
        Thread.onSpinWait();
        continue;
      }
      long[] r = (long[]) e;
      assertThat(r[1]).isEqualTo(next[(int) r[0]]);
      next[(int) r[0]]++;
      received++;
      if (received % 16 == 0) {
        q.signalWaiters(false);
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(failure.get()).isNull();
    assertThat(next).containsOnly(each);
    assertThat(q.poll()).isNull();
  }
}
