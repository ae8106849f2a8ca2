package dev.tracker.internal.system;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A run that records what the monitor does to it, and refuses records once ended, as a Run. */
final class RecordingRun implements RunHandle {
  record Point(String key, double value, long step, long timestamp) {}

  final List<Point> points = new ArrayList<>();
  final Map<String, String> tags = new LinkedHashMap<>();
  final List<String> tagCalls = new ArrayList<>();
  final Map<String, String> texts = new LinkedHashMap<>();
  volatile boolean active = true;
  boolean topLevel = true;

  @Override
  public boolean active() {
    return active;
  }

  @Override
  public boolean topLevel() {
    return topLevel;
  }

  @Override
  public synchronized void metric(String key, double value, long step, long timestampMillis) {
    check(key);
    points.add(new Point(key, value, step, timestampMillis));
  }

  @Override
  public synchronized void tag(String key, String value) {
    check(key);
    tags.put(key, value);
    tagCalls.add(key);
  }

  @Override
  public synchronized void text(String text, String artifactFile) {
    check(artifactFile);
    texts.put(artifactFile, text);
  }

  private void check(String key) {
    if (!active) {
      throw new IllegalStateException("run has ended; cannot log '" + key + "'");
    }
  }

  /** The points of one step, key to value, in logging order. */
  synchronized Map<String, Double> step(long step) {
    return points.stream().filter(p -> p.step() == step).collect(Collectors.toMap(Point::key,
        Point::value, (a, b) -> b, LinkedHashMap::new));
  }

  synchronized List<Long> steps() {
    return points.stream().map(Point::step).distinct().toList();
  }
}
