package dev.tracker.internal.system;

/**
 * What only the JVM knows: heap used and committed, garbage collection time since the previous
 * sample and collections since the JVM started, live threads.
 */
final class JvmSource implements MetricSource {
  private final JvmProbe jvm;
  private long lastGcMillis;

  JvmSource(JvmProbe jvm) {
    this.jvm = jvm;
  }

  @Override
  public String name() {
    return "jvm";
  }

  @Override
  public boolean start() {
    lastGcMillis = jvm.gcTimeMillis();
    return true;
  }

  @Override
  public void sample(Sample sample) {
    sample.metric("jvm_heap_used_megabytes", Sample.megabytes(jvm.heapUsedBytes()));
    sample.metric("jvm_heap_committed_megabytes", Sample.megabytes(jvm.heapCommittedBytes()));
    long gc = jvm.gcTimeMillis();
    sample.metric("jvm_gc_pause_ms", Math.max(0, gc - lastGcMillis));
    lastGcMillis = gc;
    sample.metric("jvm_gc_count", jvm.gcCount());
    sample.metric("jvm_threads", jvm.threadCount());
  }
}
