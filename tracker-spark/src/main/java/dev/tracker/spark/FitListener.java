package dev.tracker.spark;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.FitEnd;
import org.apache.spark.ml.FitStart;
import org.apache.spark.scheduler.JobSucceeded$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.StageInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * Follows fits on Spark's listener bus, where events arrive in the order they were posted, on one
 * thread (so the state here needs no lock):
 *
 * <ul>
 *   <li>{@code Pipeline.fit} posts {@link FitStart} and, when it returns, {@link FitEnd}: a run
 *       per pipeline fit, without any wrapper. (In Spark 3.5 no other estimator posts them.)
 *   <li>{@link SparkTracking#fit} posts {@link Begin} and {@link Done} around any estimator's fit,
 *       and tags its jobs with the local property {@link #RUN_PROPERTY}.
 *   <li>A job belongs to the fit named by its {@link #RUN_PROPERTY}, else to the newest open
 *       pipeline fit; the tracker's own jobs (job group {@link SparkTracking#JOB_GROUP}) to none.
 *   <li>A fit's own fit events (a tuning estimator fitting its pipeline per param map, a pipeline
 *       in a pipeline) are part of it, not runs of their own.
 * </ul>
 *
 * <p>When a fit's end passes, every job it ran has passed too (Spark posts a job's end before the
 * job's caller returns), so its counts are final; the rest of the recording goes to the tracking
 * thread.
 */
final class FitListener extends SparkListener {
  /** The local property that ties a job to the run of a {@link SparkTracking#fit}. */
  static final String RUN_PROPERTY = "dev.tracker.spark.runId";
  private static final String JOB_GROUP_PROPERTY = "spark.jobGroup.id";
  private static final Logger log = LoggerFactory.getLogger(FitListener.class);

  /** A tracked fit begins: posted before its first job. */
  record Begin(TrackedFit fit) implements SparkListenerEvent {
    @Override
    public boolean logEvent() {
      return false; // not for the event log
    }
  }

  /** A tracked fit returned a model, or threw: posted after its last job. */
  record Done(TrackedFit fit, Object model, Throwable failure) implements SparkListenerEvent {
    @Override
    public boolean logEvent() {
      return false;
    }
  }

  /** Counted down when every event posted before it has been handled. */
  record Drain(CountDownLatch handled) implements SparkListenerEvent {
    @Override
    public boolean logEvent() {
      return false;
    }
  }

  private record PipelineFit(String uid, TrackedFit fit) {}

  private final FitRecorder recorder;
  private final Executor tracking;
  private final Map<String, TrackedFit> open = new LinkedHashMap<>();
  private final Deque<PipelineFit> pipelines = new ArrayDeque<>();
  private final Map<Integer, TrackedFit> jobs = new HashMap<>();
  private final Map<Integer, List<Integer>> stagesOfJob = new HashMap<>();
  private final Map<Integer, TrackedFit> stages = new HashMap<>();

  FitListener(FitRecorder recorder, Executor tracking) {
    this.recorder = recorder;
    this.tracking = tracking;
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    try {
      if (event instanceof Begin b) {
        open.put(b.fit().run.id(), b.fit());
      } else if (event instanceof Done d) {
        open.remove(d.fit().run.id());
        tracking.execute(() -> recorder.finish(d.fit(), d.model(), d.failure()));
      } else if (event instanceof Drain d) {
        d.handled().countDown();
      } else if (event instanceof FitStart<?> start) {
        fitStarted(start.estimator(), start);
      } else if (event instanceof FitEnd<?> end) {
        fitEnded(end.estimator(), end.model());
      }
    } catch (RuntimeException e) {
      log.warn("could not track {}", event.getClass().getSimpleName(), e);
    }
  }

  private void fitStarted(Estimator<?> estimator, FitStart<?> start) {
    if (estimator == null || partOfOpenFit(estimator.uid())) {
      return;
    }
    pipelines.addLast(new PipelineFit(estimator.uid(), recorder.start(estimator, start.dataset())));
  }

  private void fitEnded(Estimator<?> estimator, Object model) {
    if (estimator == null) {
      return;
    }
    Iterator<PipelineFit> newestFirst = pipelines.descendingIterator();
    while (newestFirst.hasNext()) {
      PipelineFit p = newestFirst.next();
      if (p.uid().equals(estimator.uid())) {
        newestFirst.remove();
        tracking.execute(() -> recorder.finish(p.fit(), model, null));
        return;
      }
    }
  }

  private boolean partOfOpenFit(String uid) {
    for (TrackedFit f : open.values()) {
      if (f.uids.contains(uid)) {
        return true;
      }
    }
    for (PipelineFit p : pipelines) {
      if (p.fit().uids.contains(uid)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Ends FAILED the pipeline fits that never ended (they threw, or still run). Called on the
   * tracking thread once the listener is removed and drained.
   */
  void abandonOpenFits() {
    for (PipelineFit p : pipelines) {
      recorder.finish(p.fit(), null, new IllegalStateException(
          "the fit had not ended when tracking closed: it threw, or was still running"));
    }
    pipelines.clear();
  }

  private TrackedFit owner(Properties props) {
    if (props != null) {
      if (SparkTracking.JOB_GROUP.equals(props.getProperty(JOB_GROUP_PROPERTY))) {
        return null;
      }
      String runId = props.getProperty(RUN_PROPERTY);
      if (runId != null) {
        return open.get(runId);
      }
    }
    return pipelines.isEmpty() ? null : pipelines.peekLast().fit();
  }

  @Override
  public void onJobStart(SparkListenerJobStart event) {
    TrackedFit fit = owner(event.properties());
    if (fit == null) {
      return;
    }
    fit.jobStarted(event.jobId(), event.time());
    jobs.put(event.jobId(), fit);
    List<Integer> ids = new ArrayList<>();
    for (StageInfo stage : JavaConverters.seqAsJavaList(event.stageInfos())) {
      stages.put(stage.stageId(), fit);
      ids.add(stage.stageId());
    }
    stagesOfJob.put(event.jobId(), ids);
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted event) {
    StageInfo stage = event.stageInfo();
    TrackedFit fit = stages.remove(stage.stageId());
    if (fit == null) {
      return;
    }
    long millis = 0;
    if (stage.submissionTime().isDefined() && stage.completionTime().isDefined()) {
      millis = (Long) stage.completionTime().get() - (Long) stage.submissionTime().get();
    }
    fit.stageCompleted(stage.numTasks(), millis);
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd event) {
    TrackedFit fit = jobs.remove(event.jobId());
    List<Integer> ids = stagesOfJob.remove(event.jobId());
    if (ids != null) {
      ids.forEach(stages::remove); // skipped stages never complete
    }
    if (fit != null) {
      fit.jobEnded(event.jobId(), event.time(), JobSucceeded$.MODULE$.equals(event.jobResult()));
    }
  }
}
