package dev.tracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.TrackerException;
import dev.tracker.testing.ForwardingBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class TrackerCliTest {
  private final Harness harness = new Harness(Fixtures.threeRuns());

  @Test
  void helpListsTheCommandsAndExitsZero() {
    Harness.Result r = harness.run("--help");

    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("Usage: tracker [-hV] [COMMAND]\n")
        .contains("  runs     ", "  show     ", "  compare  ", "  report   ", "  sync     ");
  }

  @Test
  void eachCommandHasHelp() {
    for (String command : new String[] {"runs", "show", "compare", "report", "sync"}) {
      Harness.Result r = harness.run(command, "--help");
      assertThat(r.code()).as(command).isZero();
      assertThat(r.out()).as(command).startsWith("Usage: tracker " + command);
    }
  }

  @Test
  void noCommandPrintsUsageToStderrAndExitsOne() {
    Harness.Result r = harness.run();

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("Usage: tracker [-hV] [COMMAND]\n");
  }

  @Test
  void unknownCommandsAndOptionsAreOneLineAndExitOne() {
    Harness.Result command = harness.run("list");
    Harness.Result option = harness.run("runs", "--bogus");
    Harness.Result format = harness.run("runs", "--format", "xml");

    assertThat(command.code()).isEqualTo(1);
    assertThat(command.err()).isEqualTo("tracker: Unmatched argument at index 0: 'list'"
        + " (see 'tracker --help')\n");
    assertThat(option.code()).isEqualTo(1);
    assertThat(option.err()).isEqualTo("tracker runs: Unknown option: '--bogus'"
        + " (see 'tracker runs --help')\n");
    assertThat(format.code()).isEqualTo(1);
    assertThat(format.err()).isEqualTo("tracker runs: Invalid value for option '--format':"
        + " expected table, csv or json but was 'xml' (see 'tracker runs --help')\n");
  }

  @Test
  void formatIsCaseInsensitive() {
    assertThat(harness.run("runs", "--format", "CSV").out()).startsWith("id,name,");
  }

  @Test
  void backendFailuresOfEveryKindExitTwoWithoutSecrets() {
    for (RuntimeException failure : new RuntimeException[] {
        new TrackerException("server said 503 at https://user:secret@host/api"),
        new UncheckedIOException(new IOException("read failed at https://user:secret@host"))}) {
      Harness h = new Harness(uri -> new ForwardingBackend(Fixtures.threeRuns()) {
        @Override
        public java.util.List<dev.tracker.ExperimentInfo> listExperiments() {
          throw failure;
        }
      });

      Harness.Result r = h.run("runs");

      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err()).startsWith("tracker runs: cannot read from recording: ")
          .contains("https://***@host").doesNotContain("secret");
    }
  }

  @Test
  void aBackendThatCannotReadIsAUserError() {
    Harness h = new Harness(uri -> new ForwardingBackend(Fixtures.threeRuns()) {
      @Override
      public java.util.List<dev.tracker.ExperimentInfo> listExperiments() {
        throw new UnsupportedOperationException("noop cannot list experiments");
      }
    });

    Harness.Result r = h.run("runs");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("tracker runs: noop cannot list experiments\n");
  }

  @Test
  void versionIsPrinted() {
    Harness.Result r = harness.run("--version");

    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("tracker ");
  }
}
