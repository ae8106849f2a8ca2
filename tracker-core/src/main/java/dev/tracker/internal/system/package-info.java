/**
 * System metrics and run context: what the machine and the JVM did during a run.
 *
 * <p>{@link dev.tracker.internal.system.SystemMonitor} is the one class the tracker talks to. Each
 * run with system metrics on gets a {@code RunSampler} that asks its {@code MetricSource}s for a
 * {@code Sample} every interval on the tracker's {@code tracker-system-metrics} daemon thread and
 * logs the values under {@code system/}. Sources read {@code /proc} through {@code ProcFs}, the JVM
 * through {@code JvmProbe}, disks through {@link java.nio.file.FileStore} and GPUs through {@code
 * nvidia-smi}; tests give them a fake {@code /proc} directory, a fake probe and fake scripts.
 *
 * <p>Not API: may change in any release.
 */
package dev.tracker.internal.system;
