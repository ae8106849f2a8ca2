package dev.tracker.internal;

import java.util.List;
import java.util.function.Supplier;

/**
 * How the application in this JVM was started: its main class (or jar), and whether a launcher
 * such as Maven's {@code exec:java} runs it inside the launcher's own JVM. Under a launcher the
 * {@code sun.java.command} property names the launcher ({@code
 * org.codehaus.plexus.classworlds.launcher.Launcher}) and {@code java.class.path} is the
 * launcher's class path, so neither describes the application.
 *
 * @param source the main class, or the jar's file name; null when it cannot be told
 * @param launched whether a launcher runs the application: its class path is then the context
 *     class loader's, not {@code java.class.path}
 */
public record Launch(String source, boolean launched) {
  /** Packages of the launchers that run an application inside their own JVM: Maven's. */
  private static final List<String> LAUNCHERS = List.of("org.codehaus.plexus.classworlds.",
      "org.apache.maven.", "org.codehaus.mojo.exec.");

  /** Frames that call a main method without being the application: reflection, the JDK. */
  private static final List<String> NOT_THE_APPLICATION = List.of("java.", "javax.", "jdk.",
      "sun.", "com.sun.", "kotlin.jvm.internal.");

  /** This JVM's launch, seen from the current thread. */
  public static Launch current() {
    return of(System.getProperty("exec.mainClass"), System.getProperty("sun.java.command"),
        () -> Thread.currentThread().getStackTrace());
  }

  /**
   * The launch these facts describe.
   *
   * @param execMainClass the {@code exec.mainClass} system property, or null
   * @param command the {@code sun.java.command} property ("main class or jar, then arguments"),
   *     or null; the arguments are dropped since they may hold secrets
   * @param stack the current thread's stack, innermost frame first; taken only under a launcher
   */
  static Launch of(String execMainClass, String command, Supplier<StackTraceElement[]> stack) {
    String first = command == null || command.isBlank() ? null
        : command.trim().split("\\s+", 2)[0];
    if (first == null || !isLauncher(first)) {
      return new Launch(sourceName(first), false);
    }
    if (execMainClass != null && !execMainClass.isBlank()) {
      return new Launch(execMainClass.trim(), true);
    }
    return new Launch(outermostMain(stack.get()), true);
  }

  /** The main class, or the jar's file name for {@code java -jar}. */
  private static String sourceName(String first) {
    if (first == null || !first.endsWith(".jar")) {
      return first;
    }
    int slash = Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\'));
    return first.substring(slash + 1);
  }

  /** The class of the outermost {@code main} frame that is neither the launcher nor the JDK. */
  private static String outermostMain(StackTraceElement[] stack) {
    for (int i = stack.length - 1; i >= 0; i--) {
      String cls = stack[i].getClassName();
      if ("main".equals(stack[i].getMethodName()) && !isLauncher(cls)
          && NOT_THE_APPLICATION.stream().noneMatch(cls::startsWith)) {
        return cls;
      }
    }
    return null;
  }

  private static boolean isLauncher(String className) {
    return LAUNCHERS.stream().anyMatch(className::startsWith);
  }
}
