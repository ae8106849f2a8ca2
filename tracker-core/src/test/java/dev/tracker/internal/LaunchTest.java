package dev.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LaunchTest {
  private static final String MAVEN =
      "org.codehaus.plexus.classworlds.launcher.Launcher -B -q -pl tracker-examples exec:java";

  /** exec:java's thread running the application (exec-maven-plugin 3.5), innermost first. */
  private static final StackTraceElement[] EXEC_JAVA = {
      frame("java.lang.Thread", "getStackTrace"),
      frame("dev.tracker.internal.RunContext", "standardTags"),
      frame("dev.tracker.Tracker$Builder", "build"),
      frame("dev.tracker.examples.IrisDemo", "main"),
      frame("java.lang.invoke.LambdaForm$DMH", "invokeStatic"),
      frame("org.codehaus.mojo.exec.ExecJavaMojo", "doMain"),
      frame("org.codehaus.mojo.exec.ExecJavaMojo", "lambda$execute$0"),
      frame("java.lang.Thread", "run")};

  private static StackTraceElement frame(String cls, String method) {
    return new StackTraceElement(cls, method, null, -1);
  }

  @Test
  void sourceIsTheMainClassWithoutArguments() {
    assertThat(Launch.of(null, "com.example.Train --token abc", () -> EXEC_JAVA))
        .isEqualTo(new Launch("com.example.Train", false));
  }

  @Test
  void sourceOfAJarIsItsFileName() {
    assertThat(Launch.of(null, "/opt/app/lib/train-1.0.jar --lr 0.1", () -> EXEC_JAVA))
        .isEqualTo(new Launch("train-1.0.jar", false));
  }

  @Test
  void theStackIsLookedAtOnlyUnderALauncher() {
    assertThat(Launch.of(null, "com.example.Train", () -> {
      throw new AssertionError("the stack was taken");
    })).isEqualTo(new Launch("com.example.Train", false));
  }

  @Test
  void sourceIsAbsentWhenUnknown() {
    assertThat(Launch.of(null, null, () -> EXEC_JAVA)).isEqualTo(new Launch(null, false));
    assertThat(Launch.of(null, " ", () -> EXEC_JAVA)).isEqualTo(new Launch(null, false));
  }

  @Test
  void underExecJavaTheSourceIsTheApplicationsMainFrameNotMavensLauncher() {
    assertThat(Launch.of(null, MAVEN, () -> EXEC_JAVA))
        .isEqualTo(new Launch("dev.tracker.examples.IrisDemo", true));
  }

  @Test
  void underExecJavaAGivenExecMainClassWins() {
    assertThat(Launch.of("com.example.Train", MAVEN, () -> EXEC_JAVA))
        .isEqualTo(new Launch("com.example.Train", true));
  }

  @Test
  void theMavenWrapperIsALauncherToo() {
    String wrapper = "org.apache.maven.wrapper.MavenWrapperMain exec:java";
    assertThat(Launch.of(null, wrapper, () -> EXEC_JAVA))
        .isEqualTo(new Launch("dev.tracker.examples.IrisDemo", true));
  }

  @Test
  void underALauncherWithoutAnApplicationMainFrameTheSourceIsAbsent() {
    StackTraceElement[] pool = {frame("dev.tracker.Tracker", "create"),
        frame("com.example.Worker", "run"), frame("java.lang.Thread", "run")};
    assertThat(Launch.of(null, MAVEN, () -> pool)).isEqualTo(new Launch(null, true));
  }

  @Test
  void anOuterMainOfTheLauncherIsSkipped() {
    StackTraceElement[] sameThread = {frame("dev.tracker.Tracker", "create"),
        frame("com.example.Train", "main"),
        frame("jdk.internal.reflect.DirectMethodHandleAccessor", "invoke"),
        frame("org.codehaus.plexus.classworlds.launcher.Launcher", "main")};
    assertThat(Launch.of(null, MAVEN, () -> sameThread))
        .isEqualTo(new Launch("com.example.Train", true));
  }
}
