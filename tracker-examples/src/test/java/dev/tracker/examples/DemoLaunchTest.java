package dev.tracker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The README's demo command ({@code exec:java}) runs in Maven's JVM. Maven then waits for the
 * demo's daemon threads, up to 15 s for each, unless the plugin is told not to: with
 * MLFLOW_TRACKING_URI set, OkHttp's idle threads held the demo that long after its last line (24 s
 * instead of 14 s for the whole command, measured against an unreachable server). The demo
 * closes its tracker before {@code main} returns, so nothing is left for those threads to do.
 */
class DemoLaunchTest {
  @Test
  void execJavaDoesNotWaitForTheDemosDaemonThreads() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(Path.of("pom.xml").toFile()); // tests run in tracker-examples/
    String cleanup = XPathFactory.newInstance().newXPath().evaluate(
        "/*[local-name()='project']/*[local-name()='build']/*[local-name()='plugins']"
            + "/*[local-name()='plugin'][*[local-name()='artifactId']='exec-maven-plugin']"
            + "/*[local-name()='configuration']/*[local-name()='cleanupDaemonThreads']", pom);

    assertThat(cleanup).isEqualTo("false");
  }
}
