package dev.tracker.spark;

import dev.tracker.Run;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One fit being recorded: its run, the uids of the stages it holds (their own fit events belong
 * to it), and what Spark did for it. The counts are written by the listener's thread only, and
 * read after the fit's end event has passed that thread.
 */
final class TrackedFit {
  final Run run;
  final Set<String> uids;
  final ParamTree tree;
  int jobs;
  int failedJobs;
  int stages;
  long tasks;
  long jobMillis;
  long stageMillis;
  private final Map<Integer, Long> jobStarts = new HashMap<>();

  TrackedFit(Run run, ParamTree tree) {
    this.run = run;
    this.tree = tree;
    this.uids = tree.uids();
  }

  void jobStarted(int jobId, long time) {
    jobs++;
    jobStarts.put(jobId, time);
  }

  void jobEnded(int jobId, long time, boolean succeeded) {
    Long start = jobStarts.remove(jobId);
    if (start != null) {
      jobMillis += Math.max(0, time - start);
    }
    if (!succeeded) {
      failedJobs++;
    }
  }

  void stageCompleted(int numTasks, long millis) {
    stages++;
    tasks += numTasks;
    stageMillis += millis;
  }

  /** What Spark did, as the {@code spark/} metrics. */
  Map<String, Double> sparkMetrics() {
    Map<String, Double> m = new HashMap<>();
    m.put("spark/jobs", (double) jobs);
    m.put("spark/failed_jobs", (double) failedJobs);
    m.put("spark/stages", (double) stages);
    m.put("spark/tasks", (double) tasks);
    m.put("spark/job_duration_ms", (double) jobMillis);
    m.put("spark/stage_duration_ms", (double) stageMillis);
    return m;
  }
}
