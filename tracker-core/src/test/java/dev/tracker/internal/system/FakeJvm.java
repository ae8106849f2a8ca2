package dev.tracker.internal.system;

import java.util.List;

/** A JVM with numbers the test sets. */
final class FakeJvm implements JvmProbe {
  int processors = 4;
  long processCpuNanos;
  double machineCpuLoad = -1;
  long totalMemory = -1;
  long freeMemory = -1;
  long heapUsed;
  long heapCommitted;
  long maxHeap = -1;
  long gcCount;
  long gcTimeMillis;
  int threads;
  List<String> inputArguments = List.of();

  @Override
  public int availableProcessors() {
    return processors;
  }

  @Override
  public long processCpuNanos() {
    return processCpuNanos;
  }

  @Override
  public double machineCpuLoad() {
    return machineCpuLoad;
  }

  @Override
  public long totalMemoryBytes() {
    return totalMemory;
  }

  @Override
  public long freeMemoryBytes() {
    return freeMemory;
  }

  @Override
  public long heapUsedBytes() {
    return heapUsed;
  }

  @Override
  public long heapCommittedBytes() {
    return heapCommitted;
  }

  @Override
  public long maxHeapBytes() {
    return maxHeap;
  }

  @Override
  public long gcCount() {
    return gcCount;
  }

  @Override
  public long gcTimeMillis() {
    return gcTimeMillis;
  }

  @Override
  public int threadCount() {
    return threads;
  }

  @Override
  public List<String> inputArguments() {
    return inputArguments;
  }
}
