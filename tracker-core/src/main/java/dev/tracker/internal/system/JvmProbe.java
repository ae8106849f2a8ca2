package dev.tracker.internal.system;

import java.util.List;

/**
 * What the JVM tells about itself and the machine; negative numbers mean "not known here". Tests
 * use a fake with fixed numbers.
 */
interface JvmProbe {
  /** Processors available to the JVM. */
  int availableProcessors();

  /** CPU time used by this process, in nanoseconds. */
  long processCpuNanos();

  /** The machine's recent CPU load, 0 to 1. */
  double machineCpuLoad();

  /** Physical memory of the machine (or container), in bytes. */
  long totalMemoryBytes();

  /** Free physical memory, in bytes. */
  long freeMemoryBytes();

  /** Heap in use, in bytes. */
  long heapUsedBytes();

  /** Heap committed, in bytes. */
  long heapCommittedBytes();

  /** The most heap the JVM will use ({@code -Xmx}), in bytes; negative when unlimited. */
  long maxHeapBytes();

  /** Garbage collections since the JVM started, over all collectors. */
  long gcCount();

  /** Milliseconds spent in garbage collections since the JVM started, over all collectors. */
  long gcTimeMillis();

  /** Live threads. */
  int threadCount();

  /** The JVM's input arguments (not the main class's arguments). */
  List<String> inputArguments();
}
