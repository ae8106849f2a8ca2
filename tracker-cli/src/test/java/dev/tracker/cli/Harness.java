package dev.tracker.cli;

import dev.tracker.spi.TrackingBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Runs the command in a fixed world: UTC, 120 columns, no terminal, given backends. */
final class Harness {
  /** What a command did. */
  record Result(int code, String out, String err) {}

  final Map<String, String> env = new HashMap<>();
  final Map<String, String> properties = new HashMap<>();
  final List<URI> opened = new ArrayList<>();
  private Function<URI, TrackingBackend> backends;
  private int width = 120;
  private boolean terminal;
  private Instant now = Instant.parse("2024-05-02T08:30:00Z");

  /** Every URI opens {@code backend}. */
  Harness(TrackingBackend backend) {
    this(uri -> backend);
  }

  Harness(Function<URI, TrackingBackend> backends) {
    this.backends = backends;
  }

  /** Backends found on the class path, as the real command finds them. */
  static Harness real() {
    Harness h = new Harness((Function<URI, TrackingBackend>) null);
    return h;
  }

  Harness width(int width) {
    this.width = width;
    return this;
  }

  Harness terminal(boolean terminal) {
    this.terminal = terminal;
    return this;
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Function<URI, TrackingBackend> b = backends == null ? null : uri -> {
      opened.add(uri);
      return backends.apply(uri);
    };
    Cli cli = Cli.builder()
        .out(new PrintStream(out, true, StandardCharsets.UTF_8))
        .err(new PrintStream(err, true, StandardCharsets.UTF_8))
        .env(env::get)
        .properties(properties::get)
        .backends(b)
        .zone(ZoneOffset.UTC)
        .clock(InstantSource.fixed(now))
        .terminal(terminal)
        .width(width)
        .ellipsis("…")
        .build();
    int code = TrackerCli.run(args, cli);
    return new Result(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }
}
