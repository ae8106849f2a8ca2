package dev.tracker.cli;

import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.spi.BackendConfig;
import dev.tracker.spi.BackendProvider;
import dev.tracker.spi.Backends;
import dev.tracker.spi.Secrets;
import dev.tracker.spi.TrackingBackend;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What the commands need from the outside world: the output streams, the configuration, the
 * terminal, the clock and how a backend is opened. Tests build one with fixed values.
 */
final class Cli {
  /** The width used when stdout is not a terminal and {@code COLUMNS} is not set. */
  static final int DEFAULT_WIDTH = 120;

  final PrintStream out;
  final PrintStream err;
  final Function<String, String> env;
  final Function<String, String> properties;
  final Function<URI, TrackingBackend> backends;
  final ZoneId zone;
  final InstantSource clock;
  /** True when stdout is a terminal: progress bars instead of plain lines. */
  final boolean terminal;
  /** The columns a table may use. */
  final int width;
  /** What marks a cut value: "…" where stdout can print it, "~" otherwise. */
  final String ellipsis;

  private Cli(Builder b) {
    this.out = b.out;
    this.err = b.err;
    this.env = b.env;
    this.properties = b.properties;
    this.zone = b.zone;
    this.clock = b.clock;
    this.terminal = b.terminal;
    this.width = b.width;
    this.ellipsis = b.ellipsis;
    this.backends = b.backends != null ? b.backends : this::createBackend;
  }

  /** The real streams, environment, terminal and backends of this process. */
  static Cli system() {
    Charset charset = outputCharset();
    boolean terminal = System.console() != null;
    Builder b = builder()
        .out(new PrintStream(new FileOutputStream(FileDescriptor.out), true, charset))
        .err(new PrintStream(new FileOutputStream(FileDescriptor.err), true, charset))
        .terminal(terminal)
        .ellipsis(charset.newEncoder().canEncode('…') ? "…" : "~");
    b.width(terminalWidth(System::getenv, terminal));
    return b.build();
  }

  static Builder builder() {
    return new Builder();
  }

  /**
   * The URI the library would record to: {@code tracker.uri}, {@code TRACKER_URI}, {@code
   * MLFLOW_TRACKING_URI}, else {@value Tracker#DEFAULT_URI}.
   */
  String defaultUri() {
    for (String v : new String[] {properties.apply("tracker.uri"), env.apply("TRACKER_URI"),
        env.apply("MLFLOW_TRACKING_URI")}) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return Tracker.DEFAULT_URI;
  }

  /**
   * Opens the backend for {@code uri} (null: {@link #defaultUri()}); the file backend reads a
   * path without a scheme as a file root.
   *
   * @throws UserException for a malformed URI or one no backend on the class path serves
   * @throws BackendException when the backend cannot start
   */
  RunStore open(String uri) {
    return new RunStore(backend(uri));
  }

  /** The backend for {@code uri}, as {@link #open(String)} finds it. */
  TrackingBackend backend(String uri) {
    return backends.apply(parseUri(uri == null ? defaultUri() : uri));
  }

  /**
   * Parses a URI given on the command line; a path without a scheme is kept as it is (the file
   * backend reads it as a folder).
   *
   * @throws UserException when it is not a URI
   */
  static URI parseUri(String text) {
    try {
      return URI.create(text.replace('\\', '/'));
    } catch (IllegalArgumentException e) {
      throw new UserException("a URI such as file:./runs or http://host:5000 was expected but"
          + " was '" + Secrets.redact(text) + "'");
    }
  }

  /**
   * An interactive command does not wait the library's 120 s on a server that does not answer:
   * each request gets this many seconds unless {@value #TIMEOUT_VARIABLE} says otherwise (a
   * failed request is not retried), so the command exits 2 within seconds, naming the server.
   */
  static final String INTERACTIVE_TIMEOUT_SECONDS = "5";
  static final String TIMEOUT_VARIABLE = "MLFLOW_HTTP_REQUEST_TIMEOUT";

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private TrackingBackend createBackend(URI uri) {
    boolean served = false;
    ClassLoader cl = Cli.class.getClassLoader();
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class, cl)) {
      served |= p.supports(uri);
    }
    if (!served) {
      throw new UserException("no backend for URI scheme '" + uri.getScheme() + "' ("
          + Secrets.redact(uri.toString()) + "); tracker reads file: roots and http(s): MLflow"
          + " servers");
    }
    try {
      return Backends.create(BackendConfig.builder().uri(uri).systemProperties(properties)
          .environment(k -> k.equals(TIMEOUT_VARIABLE) && blank(env.apply(k))
              ? INTERACTIVE_TIMEOUT_SECONDS : env.apply(k)).clock(clock).build());
    } catch (IllegalArgumentException e) {
      // a bad setting (MLFLOW_HTTP_REQUEST_TIMEOUT=soon, a file URI with a host, …)
      throw new UserException("cannot open " + Secrets.redact(uri.toString()) + ": "
          + Secrets.redact(e.getMessage()));
    } catch (TrackerException e) {
      throw new BackendException("cannot open " + Secrets.redact(uri.toString()) + ": "
          + Secrets.redact(e.getMessage()), e);
    }
  }

  /**
   * {@code COLUMNS} when set; else, on a terminal, what {@code stty size} says; else {@value
   * #DEFAULT_WIDTH}.
   */
  static int terminalWidth(Function<String, String> env, boolean terminal) {
    Integer columns = positive(env.apply("COLUMNS"));
    if (columns != null) {
      return columns;
    }
    if (terminal) {
      Integer stty = sttyColumns();
      if (stty != null) {
        return stty;
      }
    }
    return DEFAULT_WIDTH;
  }

  private static Integer sttyColumns() {
    try {
      Process p = new ProcessBuilder("sh", "-c", "stty size < /dev/tty")
          .redirectErrorStream(true).start();
      String text;
      try (InputStream in = p.getInputStream()) {
        text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
      }
      if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroy();
        return null;
      }
      String[] parts = text.split("\\s+");
      return parts.length == 2 ? positive(parts[1]) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Integer positive(String s) {
    if (s == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(s.trim());
      return n > 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Charset outputCharset() {
    String name = System.getProperty("stdout.encoding", System.getProperty("native.encoding"));
    try {
      return name == null ? Charset.defaultCharset() : Charset.forName(name);
    } catch (IllegalArgumentException e) {
      return Charset.defaultCharset();
    }
  }

  /** Builds a {@link Cli}; everything but the streams has a default fit for tests. */
  static final class Builder {
    private PrintStream out = System.out;
    private PrintStream err = System.err;
    private Function<String, String> env = System::getenv;
    private Function<String, String> properties = System::getProperty;
    private Function<URI, TrackingBackend> backends;
    private ZoneId zone = ZoneId.systemDefault();
    private InstantSource clock = InstantSource.system();
    private boolean terminal;
    private int width = DEFAULT_WIDTH;
    private String ellipsis = "…";

    Builder out(PrintStream out) {
      this.out = Objects.requireNonNull(out);
      return this;
    }

    Builder err(PrintStream err) {
      this.err = Objects.requireNonNull(err);
      return this;
    }

    Builder env(Function<String, String> env) {
      this.env = Objects.requireNonNull(env);
      return this;
    }

    Builder properties(Function<String, String> properties) {
      this.properties = Objects.requireNonNull(properties);
      return this;
    }

    /** How a backend is opened for a URI; by default the provider found for its scheme. */
    Builder backends(Function<URI, TrackingBackend> backends) {
      this.backends = backends;
      return this;
    }

    Builder zone(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone);
      return this;
    }

    Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    Builder terminal(boolean terminal) {
      this.terminal = terminal;
      return this;
    }

    Builder width(int width) {
      this.width = width;
      return this;
    }

    Builder ellipsis(String ellipsis) {
      this.ellipsis = ellipsis;
      return this;
    }

    Cli build() {
      return new Cli(this);
    }
  }
}
