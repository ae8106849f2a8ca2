package dev.tracker.reliability;

import dev.tracker.Run;
import dev.tracker.Tracker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The program a child JVM runs in the file-backend fault tests: it logs through a whole {@link
 * Tracker} to the file backend and tells its parent on standard output what it has done, one line
 * per event, so that the parent never has to wait on a clock.
 *
 * <ul>
 *   <li>{@code kill <root>}: starts a run in experiment {@value #KILLED_EXPERIMENT}, prints {@code
 *       run <id>}, then logs {@code loss} at steps 0, 1, 2, … forever, printing {@code flushed
 *       <n>} after each {@link Tracker#flush()} (every {@value #KILL_FLUSH_EVERY} points).
 *   <li>{@code writer <root> <name> <points> [<run id>]}: creates a run (or resumes the run with
 *       that id), flushes, prints {@code run <id>}, waits for the line {@code go} on standard input,
 *       logs {@code <points>} points of the key {@code writer/<name>} at steps 0 … points - 1,
 *       closes the tracker and prints {@code done <points>}.
 * </ul>
 */
final class FileChildLogger {
  static final String KILLED_EXPERIMENT = "killed";
  static final String SHARED_EXPERIMENT = "shared";
  static final int KILL_FLUSH_EVERY = 1000;
  /** Every child uses this root seed: a resumed run logs the same {@code seed} param. */
  static final long SEED = 7;

  private FileChildLogger() {}

  /** The value logged at a step: exact in binary, so that reading it back can be compared. */
  static double value(long step) {
    return step / 4.0;
  }

  public static void main(String[] args) throws IOException {
    switch (args[0]) {
      case "kill" -> logUntilKilled(Path.of(args[1]));
      case "writer" -> write(Path.of(args[1]), args[2], Long.parseLong(args[3]),
          args.length > 4 ? args[4] : null);
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  static Tracker.Builder tracker(Path root) {
    return Tracker.builder().uri(root.toUri().toString()).seed(SEED).shutdownHook(false)
        .standardTags(false).systemMetrics(false);
  }

  private static void logUntilKilled(Path root) {
    Tracker tracker = tracker(root).build();
    Run run = tracker.experiment(KILLED_EXPERIMENT).startRun("victim");
    tracker.flush();
    say("run " + run.id());
    for (long step = 0; ; step++) {
      run.logMetric("loss", value(step), step);
      if ((step + 1) % KILL_FLUSH_EVERY == 0) {
        tracker.flush();
        say("flushed " + (step + 1));
      }
    }
  }

  private static void write(Path root, String name, long points, String resumeId)
      throws IOException {
    Tracker.Builder builder = tracker(root);
    if (resumeId != null) {
      builder.resumeRun(resumeId);
    }
    try (Tracker tracker = builder.build()) {
      Run run = tracker.experiment(SHARED_EXPERIMENT).startRun("writer-" + name);
      tracker.flush(); // the run exists on disk (created or attached) before the parent goes on
      say("run " + run.id());
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
          StandardCharsets.UTF_8));
      if (!"go".equals(in.readLine())) {
        throw new IllegalStateException("expected the line 'go' from the parent");
      }
      String key = "writer/" + name;
      for (long step = 0; step < points; step++) {
        run.logMetric(key, value(step), step);
      }
    }
    say("done " + points);
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  // ------------------------------------------------------------------------------ parent side

  /** Starts this program in a child JVM with the test class path; its stderr goes to a file. */
  static Process start(Path stderr, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-Xshare:auto",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        FileChildLogger.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
  }

  /** The child's standard output, line by line. */
  static BufferedReader output(Process child) {
    return new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8));
  }

  /** Waits for the child to end, killing it when it takes longer than the timeout. */
  static int await(Process child, long seconds) throws InterruptedException {
    if (!child.waitFor(seconds, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new IllegalStateException("child JVM " + child.pid() + " did not end within "
          + seconds + " s");
    }
    return child.exitValue();
  }
}
