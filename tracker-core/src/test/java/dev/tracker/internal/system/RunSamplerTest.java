package dev.tracker.internal.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.tracker.internal.Validation;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RunSamplerTest {
  private final ManualScheduler scheduler = new ManualScheduler();
  private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);
  private final InstantSource clock = () -> Instant.ofEpochMilli(millis.get());
  private final RecordingRun run = new RecordingRun();
  private final Warnings warnings = new Warnings();

  /** Counts its samples: value = 10 * sample number. */
  private static final class Counting implements MetricSource {
    final List<String> calls = new ArrayList<>();
    int samples;

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public boolean start() {
      calls.add("start");
      return true;
    }

    @Override
    public void sample(Sample sample) {
      calls.add("sample");
      samples++;
      sample.metric("count", samples * 10);
      sample.tag("tracker.counting", samples < 3 ? "low" : "high");
    }
  }

  private RunSampler sampler(MetricSource... sources) {
    return new RunSampler(run, List.of(sources), scheduler, clock, Duration.ofSeconds(10),
        warnings);
  }

  @Test
  void startsAndSamplesAtOnceOnTheSchedulerThenEveryInterval() {
    Counting source = new Counting();
    sampler(source).start();
    assertThat(source.calls).isEmpty(); // nothing on the caller's thread

    assertThat(scheduler.runNext()).isTrue(); // starting points, then the first sample
    assertThat(source.calls).containsExactly("start", "sample");
    assertThat(run.steps()).containsExactly(0L);
    assertThat(scheduler.runNext()).isTrue();

    assertThat(scheduler.delays()).containsExactly(Duration.ZERO, Duration.ofSeconds(10),
        Duration.ofSeconds(10));
    assertThat(source.calls).containsExactly("start", "sample", "sample");
  }

  @Test
  void eachSampleIsLoggedUnderSystemWithTheSampleIndexAsStepAndTheClocksTime() {
    sampler(new Counting()).start();
    scheduler.runNext();
    for (int i = 0; i < 2; i++) {
      millis.addAndGet(10_000);
      scheduler.runNext();
    }

    assertThat(run.points).containsExactly(
        new RecordingRun.Point("system/count", 10, 0, 1_700_000_000_000L),
        new RecordingRun.Point("system/count", 20, 1, 1_700_000_010_000L),
        new RecordingRun.Point("system/count", 30, 2, 1_700_000_020_000L));
  }

  @Test
  void tagsAreSetOnlyWhenTheirValueChanges() {
    sampler(new Counting()).start();
    for (int i = 0; i < 5; i++) {
      scheduler.runNext();
    }

    assertThat(run.tagCalls).containsExactly("tracker.counting", "tracker.counting");
    assertThat(run.tags).containsExactly(entry("tracker.counting", "high"));
  }

  @Test
  void aFailingSourceIsWarnedAboutOnceAndTheOthersGoOn() {
    MetricSource failing = new MetricSource() {
      @Override
      public String name() {
        return "broken";
      }

      @Override
      public void sample(Sample sample) throws IOException {
        throw new IOException("no such file");
      }
    };
    sampler(failing, new Counting()).start();
    for (int i = 0; i < 4; i++) {
      scheduler.runNext();
    }

    assertThat(run.steps()).containsExactly(0L, 1L, 2L, 3L);
    assertThat(run.step(3)).containsOnlyKeys("system/count");
    assertThat(warnings.warned("broken")).isTrue();
  }

  @Test
  void aSourceThatFailsToStartIsLeftOutAndOneThatIsNotAvailableQuietly() {
    MetricSource cannotStart = new MetricSource() {
      @Override
      public String name() {
        return "nostart";
      }

      @Override
      public boolean start() throws IOException {
        throw new IOException("denied");
      }

      @Override
      public void sample(Sample sample) {
        sample.metric("never", 1);
      }
    };
    MetricSource absent = new MetricSource() {
      @Override
      public String name() {
        return "absent";
      }

      @Override
      public boolean start() {
        return false;
      }

      @Override
      public void sample(Sample sample) {
        sample.metric("never", 2);
      }
    };
    sampler(cannotStart, absent, new Counting()).start();
    scheduler.runNext();

    assertThat(run.step(0)).containsOnlyKeys("system/count");
    assertThat(warnings.warned("nostart")).isTrue();
    assertThat(warnings.warned("absent")).isFalse();
  }

  @Test
  void anUncheckedFailureNeverStopsTheSampling() {
    MetricSource buggy = new MetricSource() {
      @Override
      public String name() {
        return "buggy";
      }

      @Override
      public void sample(Sample sample) {
        throw new ArithmeticException("/ by zero");
      }
    };
    sampler(buggy, new Counting()).start();
    for (int i = 0; i < 3; i++) {
      scheduler.runNext();
    }

    assertThat(run.steps()).containsExactly(0L, 1L, 2L);
    assertThat(scheduler.pending()).isEqualTo(1);
  }

  @Test
  void eachSourcesValuesAreLoggedBeforeTheNextSourceIsRead() {
    MetricSource first = new MetricSource() {
      @Override
      public String name() {
        return "first";
      }

      @Override
      public void sample(Sample sample) {
        sample.metric("first", 1);
      }
    };
    List<Integer> pointsSeenBySecond = new ArrayList<>();
    MetricSource second = new MetricSource() {
      @Override
      public String name() {
        return "second";
      }

      @Override
      public void sample(Sample sample) {
        pointsSeenBySecond.add(run.points.size()); // a slow nvidia-smi would wait here
        sample.metric("second", 2);
      }
    };
    sampler(first, second).start();
    scheduler.runNext();

    assertThat(pointsSeenBySecond).containsExactly(1);
    assertThat(run.step(0)).containsExactly(entry("system/first", 1.0), entry("system/second", 2.0));
  }

  @Test
  void stopCancelsTheNextSample() {
    RunSampler sampler = sampler(new Counting());
    sampler.start();
    scheduler.runNext();

    sampler.stop();

    assertThat(scheduler.pending()).isZero();
    assertThat(scheduler.runNext()).isFalse();
    assertThat(run.steps()).containsExactly(0L);
  }

  @Test
  void aRunThatEndedIsNotLoggedToAndItsSamplerStops() {
    RunSampler sampler = sampler(new Counting());
    sampler.start();
    scheduler.runNext();
    run.active = false;

    scheduler.runNext();

    assertThat(sampler.isStopped()).isTrue();
    assertThat(scheduler.pending()).isZero();
    assertThat(run.steps()).containsExactly(0L);
  }

  @Test
  void aRunEndingWhileASampleIsLoggedStopsTheSamplerWithoutThrowing() {
    MetricSource endsTheRun = new MetricSource() {
      @Override
      public String name() {
        return "ender";
      }

      @Override
      public void sample(Sample sample) {
        sample.metric("a", 1);
      }
    };
    RunSampler sampler = new RunSampler(new RunHandle() {
      @Override
      public boolean active() {
        return true; // still running when asked, ended when logged to
      }

      @Override
      public boolean topLevel() {
        return true;
      }

      @Override
      public void metric(String key, double value, long step, long timestampMillis) {
        throw new IllegalStateException("run 'r' has ended with status FINISHED");
      }

      @Override
      public void tag(String key, String value) {}

      @Override
      public void text(String text, String artifactFile) {}
    }, List.of(endsTheRun), scheduler, clock, Duration.ofSeconds(10), warnings);
    sampler.start();

    scheduler.runNext();

    assertThat(sampler.isStopped()).isTrue();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void aValueTheRunRefusesIsLeftOutAndTheSampleStillEndsAtItsOwnStep() {
    MetricSource refused = new MetricSource() {
      @Override
      public String name() {
        return "refused";
      }

      @Override
      public void sample(Sample sample) {
        sample.metric("refused", 1);
        sample.metric("kept", 2);
      }
    };
    RunHandle refusing = new RunHandle() {
      @Override
      public boolean active() {
        return run.active();
      }

      @Override
      public boolean topLevel() {
        return true;
      }

      @Override
      public void metric(String key, double value, long step, long timestampMillis) {
        if (key.equals("system/refused")) {
          throw new IllegalArgumentException("metric 'system/refused' is refused");
        }
        run.metric(key, value, step, timestampMillis);
      }

      @Override
      public void tag(String key, String value) {
        run.tag(key, value);
      }

      @Override
      public void text(String text, String artifactFile) {}
    };
    new RunSampler(refusing, List.of(refused, new Counting()), scheduler, clock,
        Duration.ofSeconds(10), warnings).start();

    scheduler.runNext();
    scheduler.runNext();

    assertThat(run.step(0)).containsExactly(entry("system/kept", 2.0), entry("system/count", 10.0));
    assertThat(run.step(1)).containsExactly(entry("system/kept", 2.0), entry("system/count", 20.0));
    assertThat(warnings.warned("refused")).isTrue();
  }

  @Test
  void aTagValueIsCutToWhatARunAccepts() {
    Sample sample = new Sample();

    sample.tag("tracker.gpu.0.name", "x".repeat(Validation.MAX_TAG_VALUE_LENGTH + 1));

    assertThat(sample.tags().get("tracker.gpu.0.name"))
        .hasSize(Validation.MAX_TAG_VALUE_LENGTH);
  }
}
