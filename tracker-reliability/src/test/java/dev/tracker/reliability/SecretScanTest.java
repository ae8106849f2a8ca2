package dev.tracker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.file.FileBackend;
import dev.tracker.http.MlflowBackend;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.BackendConfig;
import dev.tracker.spi.JournalReplay;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
import okhttp3.Credentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens, passwords and URI user info never reach logs (every level), exception messages, stack
 * traces, {@code toString()}, thread names or any file written (run folders, spool, temporary
 * files, the home folder), whatever happens: delivered, refused (401, 403), failed (500), server
 * gone (spooled), delivered later, the file backend, and invalid configurations.
 *
 * <p>The scenario runs in a child JVM ({@link Scenario}) so that SLF4J can be configured before
 * its first logger exists: TRACE for everything, to a file. Its working directory is a git work
 * tree whose remote URL holds credentials, and its JVM arguments hold a password, so that the run
 * context recorded by the file backend is scanned too.
 */
class SecretScanTest {
  static final String TOKEN = "tok-5ecr3t-c41d2b";
  static final String PASSWORD = "pw-5ecr3t-7f3e9a";
  static final String USERINFO = "ui-5ecr3t-88a0e1";
  /** The part after an unencoded '@' in a password ({@code p@...}), which Python's MLflow reads. */
  static final String AT_PASSWORD = "at-5ecr3t-19bb04";
  static final String JVM_ARG_SECRET = "jvm-5ecr3t-3d9f20";
  static final String GIT_SECRET = "git-5ecr3t-6e21aa";

  @TempDir Path tmp;

  static List<String> secrets() {
    Base64.Encoder b64 = Base64.getEncoder();
    return List.of(TOKEN, PASSWORD, USERINFO, AT_PASSWORD, JVM_ARG_SECRET, GIT_SECRET,
        b64.encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8)),
        b64.encodeToString(("carol:" + USERINFO).getBytes(StandardCharsets.UTF_8)),
        b64.encodeToString(("carol:p@" + AT_PASSWORD).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void noSecretReachesLogsMessagesToStringThreadNamesOrFiles() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path repo = gitWorkTree(tmp.resolve("repo"));
    Path log = work.resolve("slf4j.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java,
        "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.logFile=" + log,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
        "-Dorg.slf4j.simpleLogger.showThreadName=true",
        "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")),
        "-Duser.home=" + Files.createDirectories(work.resolve("home")),
        "-Dtracker.reliability.password=" + JVM_ARG_SECRET,
        "-Dtracker.reliability.endpoint=https://carol:" + JVM_ARG_SECRET + "@example.com/x",
        Scenario.class.getName(), work.toString())
        .directory(repo.toFile())
        .redirectOutput(work.resolve("stdout.txt").toFile())
        .redirectError(work.resolve("stderr.txt").toFile());
    Process child = pb.start();
    if (!child.waitFor(100, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new AssertionError("the scenario did not finish in 100 s; its output: "
          + Files.readString(work.resolve("stderr.txt")));
    }
    assertThat(child.exitValue()).as("exit status; stderr: %s",
        Files.readString(work.resolve("stderr.txt"))).isZero();

    // The scenario went through every case: otherwise finding nothing proves nothing.
    String logs = Files.readString(log);
    String texts = Files.readString(work.resolve("texts.txt"));
    assertThat(logs).contains("DEBUG", "INFO", "WARN", "ERROR")
        .contains("HTTP 401", "HTTP 403", "HTTP 500", "unexpected end of stream",
            "it stays in the journal", "found a journal segment", "is MLflow run")
        .containsPattern("waits? in the journal");
    assertThat(texts).contains("flush: DELIVERED", "flush: SPOOLED", "Result[segments=",
        "MlflowServerException: GET experiments/get-by-name failed with HTTP 401",
        "MlflowServerException: GET experiments/get-by-name failed with HTTP 403",
        "MlflowBackend{",
        "auth=bearer", "auth=basic", "tracker-dispatcher", "tracker-uploader",
        "tracker-system-metrics", "must name a host", "no backend for URI scheme 'ftp'");
    assertThat(Files.readString(work.resolve("summary.txt")))
        .contains("authorized requests answered: token yes, basic yes, userinfo yes");
    String runYaml;
    try (Stream<Path> files = Files.walk(work.resolve("runs"))) {
      Path file = files.filter(f -> f.getFileName().toString().equals(FileBackend.RUN_FILE))
          .findFirst().orElseThrow();
      runYaml = Files.readString(file);
    }
    assertThat(runYaml).contains("https://github.com/owner/repo.git")
        .contains("-Dtracker.reliability.password=***")
        .contains("-Dtracker.reliability.endpoint=https://***@example.com/x");

    List<String> findings = new ArrayList<>();
    List<String> scanned = new ArrayList<>();
    try (Stream<Path> files = Files.walk(work)) {
      for (Path f : files.toList()) {
        String name = work.relativize(f).toString();
        scan("the path " + name, name, findings);
        if (Files.isRegularFile(f)) {
          scan(name, Files.readString(f, StandardCharsets.ISO_8859_1), findings);
          scanned.add(f.getFileName().toString());
        }
      }
    }
    assertThat(findings).isEmpty();
    assertThat(scanned).contains("slf4j.log", "stdout.txt", "stderr.txt", "texts.txt",
        "experiment.yaml", "run.yaml", "params.yaml", "metrics.csv", "notes.txt", "model.txt",
        "tracker.dependencies.txt", "journal.bin");
  }

  // ------------------------------------------------------------------ unsafe code in the library

  /**
   * Constructs that deserialize Java objects, evaluate expressions or load classes by name: none
   * may appear in any module's main sources unless listed in {@link #REVIEWED}.
   */
  private static final Map<String, Pattern> UNSAFE = Map.of(
      "deserializes Java objects", Pattern.compile(
          "ObjectInputStream|\\.readObject\\s*\\(|\\.readUnshared\\s*\\(|XMLDecoder"),
      "evaluates scripts or expressions", Pattern.compile(
          "javax\\.script|ScriptEngine|ExpressionFactory|ELProcessor|SpelExpressionParser"
              + "|OgnlContext|\\bMVEL\\b"),
      "loads classes by name", Pattern.compile("Class\\.forName\\s*\\(|\\.loadClass\\s*\\("),
      "lets JSON name the classes to create",
      Pattern.compile("(?:enable|activate)DefaultTyping|@JsonTypeInfo|JsonTypeInfo\\.Id\\.CLASS"),
      "looks up JNDI names", Pattern.compile("javax\\.naming|InitialContext"),
      "builds SnakeYAML's class-instantiating Constructor",
      Pattern.compile("new\\s+(?:org\\.yaml\\.snakeyaml\\.constructor\\.)?Constructor\\s*\\("));
  private static final Pattern NEW_YAML = Pattern.compile("new\\s+Yaml\\s*\\(\\s*(\\)|new\\s+(\\w+)\\s*\\()?");
  /** Reviewed exceptions, as "file: what it does"; none so far. */
  private static final Set<String> REVIEWED = Set.of();

  @Test
  void noModuleDeserializesJavaObjectsOrEvaluatesExpressionsFromFiles() throws IOException {
    List<String> findings = new ArrayList<>();
    TreeSet<String> modules = new TreeSet<>();
    int files = 0;
    try (Stream<Path> dirs = Files.list(Path.of(".."))) {
      for (Path module : dirs.filter(d -> d.getFileName().toString().startsWith("tracker-"))
          .toList()) {
        Path main = module.resolve("src/main/java");
        if (!Files.isDirectory(main)) {
          continue;
        }
        modules.add(module.getFileName().toString());
        try (Stream<Path> sources = Files.walk(main)) {
          for (Path f : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
            String name = module.getFileName() + "/" + main.relativize(f);
            for (String finding : unsafeConstructs(name, Files.readString(f))) {
              if (!REVIEWED.contains(finding.replaceFirst(":\\d+:", ":"))) {
                findings.add(finding);
              }
            }
            files++;
          }
        }
      }
    }
    assertThat(modules).contains("tracker-core", "tracker-file", "tracker-http", "tracker-cli",
        "tracker-junit");
    assertThat(files).isGreaterThan(50);
    assertThat(findings).isEmpty();
  }

  @Test
  void theSourceScanFindsEachUnsafeConstructAndIgnoresCommentsAndStrings() {
    String unsafe = String.join("\n",
        "class A {",
        "  Object a(InputStream in) { return new ObjectInputStream(in).readObject(); }",
        "  Object b(String s) { return new ScriptEngineManager().getEngineByName(\"js\").eval(s); }",
        "  Class<?> c(String n) { return Class.forName(n); }",
        "  void d(ObjectMapper m) { m.activateDefaultTyping(null); }",
        "  Yaml e() { return new Yaml(); }",
        "  Yaml f() { return new Yaml(new Constructor(Foo.class, new LoaderOptions())); }",
        "}");
    assertThat(unsafeConstructs("A.java", unsafe)).containsExactlyInAnyOrder(
        "A.java:2: deserializes Java objects", "A.java:2: deserializes Java objects",
        "A.java:3: evaluates scripts or expressions", "A.java:4: loads classes by name",
        "A.java:5: lets JSON name the classes to create",
        "A.java:6: SnakeYAML without SafeConstructor",
        "A.java:7: SnakeYAML without SafeConstructor",
        "A.java:7: builds SnakeYAML's class-instantiating Constructor");

    String safe = String.join("\n",
        "/** Never ObjectInputStream, never Class.forName(x). */",
        "class B {",
        "  // a tag like !!javax.script.ScriptEngineManager is refused",
        "  String m = \"no ScriptEngine, no readObject()\";",
        "  Yaml g() { return new Yaml(new SafeConstructor(new LoaderOptions())); }",
        "  Yaml h() { return new Yaml(new Strings(new LoaderOptions()), representer); }",
        "  static final class Strings extends SafeConstructor { }",
        "}");
    assertThat(unsafeConstructs("B.java", safe)).isEmpty();
  }

  /** What in {@code source} matches an unsafe construct, as "file:line: what it does". */
  static List<String> unsafeConstructs(String file, String source) {
    String code = codeOnly(source);
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Pattern> rule : UNSAFE.entrySet()) {
      Matcher m = rule.getValue().matcher(code);
      while (m.find()) {
        out.add(file + ":" + line(code, m.start()) + ": " + rule.getKey());
      }
    }
    Matcher yaml = NEW_YAML.matcher(code);
    while (yaml.find()) {
      String constructor = yaml.group(2);
      boolean safe = constructor != null && (constructor.equals("SafeConstructor")
          || Pattern.compile("class\\s+" + constructor + "\\s+extends\\s+SafeConstructor\\b")
              .matcher(code).find());
      if (!safe) {
        out.add(file + ":" + line(code, yaml.start()) + ": SnakeYAML without SafeConstructor");
      }
    }
    return out;
  }

  private static int line(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  /** The source with comments and the contents of string and char literals blanked out. */
  private static String codeOnly(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int n = source.length();
    int i = 0;
    while (i < n) {
      char c = source.charAt(i);
      char next = i + 1 < n ? source.charAt(i + 1) : 0;
      if (c == '/' && next == '/') {
        while (i < n && source.charAt(i) != '\n') {
          out.append(' ');
          i++;
        }
      } else if (c == '/' && next == '*') {
        int end = source.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        for (; i < end; i++) {
          out.append(source.charAt(i) == '\n' ? '\n' : ' ');
        }
      } else if (c == '"' || c == '\'') {
        boolean block = c == '"' && source.startsWith("\"\"\"", i);
        String close = block ? "\"\"\"" : String.valueOf(c);
        out.append(close);
        i += close.length();
        while (i < n && !source.startsWith(close, i)) {
          char d = source.charAt(i);
          if (d == '\\' && i + 1 < n) {
            out.append("  ");
            i += 2;
            continue;
          }
          out.append(d == '\n' ? '\n' : ' ');
          i++;
        }
        out.append(close);
        i += close.length();
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  // ------------------------------------------------------------------------------- helpers

  private static void scan(String where, String text, List<String> findings) {
    for (String secret : secrets()) {
      int at = text.indexOf(secret);
      if (at >= 0) {
        int from = Math.max(0, at - 120);
        findings.add(where + " holds '" + secret + "': …"
            + text.substring(from, Math.min(text.length(), at + secret.length() + 40)) + "…");
      }
    }
  }

  /** A git work tree (written by hand: no git binary needed) whose remote holds a token. */
  private static Path gitWorkTree(Path dir) throws IOException {
    Path git = Files.createDirectories(dir.resolve(".git"));
    Files.createDirectories(git.resolve("refs/heads"));
    Files.writeString(git.resolve("HEAD"), "ref: refs/heads/main\n");
    Files.writeString(git.resolve("refs/heads/main"), "0123456789abcdef0123456789abcdef01234567\n");
    Files.writeString(git.resolve("config"), "[core]\n\tbare = false\n"
        + "[remote \"origin\"]\n\turl = https://oauth2:" + GIT_SECRET
        + "@github.com/owner/repo.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n");
    return dir;
  }

  /**
   * What the child JVM does: every path a credential could leak through. Writes {@code
   * texts.txt} (every {@code toString()}, exception and stack trace, thread names) and {@code
   * summary.txt} to the folder given as its argument.
   */
  static final class Scenario {
    private final Path work;
    private final List<String> texts = new ArrayList<>();
    private final FakeMlflowServer fake = new FakeMlflowServer();
    private MockWebServer server;
    private String url;

    private Scenario(Path work) {
      this.work = work;
    }

    public static void main(String[] args) throws Exception {
      int status = 0;
      try {
        new Scenario(Path.of(args[0])).run();
      } catch (Throwable t) {
        t.printStackTrace();
        status = 1;
      }
      System.exit(status); // the servers' and clients' threads would keep the JVM alive
    }

    private void run() throws Exception {
      server = FakeMlflowServer.newServer();
      server.setDispatcher(fake);
      server.start();
      url = "localhost:" + server.getPort();
      StringBuilder summary = new StringBuilder("authorized requests answered:");
      String[] kinds = {"token", "basic", "userinfo"};
      for (int k = 0; k < kinds.length; k++) {
        String kind = kinds[k];
        Map<String, String> env = env(kind);
        String header = header(kind);
        fake.requireAuthorization(header);
        phase(kind, "ok", env, k % 2 == 0);
        // the experiment exists only if a request with the right credentials was answered
        summary.append(k == 0 ? " " : ", ").append(kind)
            .append(fake.experimentNames().contains("secrets-" + kind) ? " yes" : " no");

        fake.requireAuthorization("Bearer not-" + kind);
        phase(kind, "unauthorized", env, k % 2 == 1);

        fake.requireAuthorization(header);
        fake.interceptor(endpoint -> FakeMlflowServer.error(403, "PERMISSION_DENIED",
            "no access to this experiment"));
        phase(kind, "forbidden", env, k % 2 == 0);

        fake.interceptor(endpoint -> FakeMlflowServer.error(500, "INTERNAL_ERROR", "boom"));
        phase(kind, "server-error", env, k % 2 == 1);

        fake.interceptor(null);
        fake.outage(FakeMlflowServer.Outage.DISCONNECT);
        phase(kind, "outage", env, k % 2 == 0);

        fake.outage(FakeMlflowServer.Outage.NONE);
        if (k == kinds.length - 1) {
          break; // the last kind's spool stays on disk, to be scanned
        }
        try (MlflowBackend backend = MlflowBackend.create(config(env))) {
          texts.add("journal: " + backend.remoteDelivery());
          texts.add("delivered later: " + JournalReplay.deliver(backend));
        } catch (Exception e) {
          collect(e);
        }
      }
      fileBackend();
      invalidConfigurations();
      threadNames("at the end");
      Files.write(work.resolve("texts.txt"), texts, StandardCharsets.UTF_8);
      Files.writeString(work.resolve("summary.txt"), summary + "\n");
      server.close();
    }

    private Map<String, String> env(String kind) {
      Map<String, String> env = new HashMap<>();
      env.put("TRACKER_SPOOL_DIR", work.resolve("spool").toString());
      env.put("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0");
      env.put("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.05");
      env.put("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0");
      env.put("MLFLOW_HTTP_REQUEST_TIMEOUT", "5");
      switch (kind) {
        case "token" -> {
          env.put("MLFLOW_TRACKING_URI", "http://" + url);
          env.put("MLFLOW_TRACKING_TOKEN", TOKEN);
        }
        case "basic" -> {
          env.put("MLFLOW_TRACKING_URI", "http://" + url);
          env.put("MLFLOW_TRACKING_USERNAME", "alice");
          env.put("MLFLOW_TRACKING_PASSWORD", PASSWORD);
        }
        default -> env.put("MLFLOW_TRACKING_URI", "http://carol:" + USERINFO + "@" + url);
      }
      return env;
    }

    private static String header(String kind) {
      return switch (kind) {
        case "token" -> "Bearer " + TOKEN;
        case "basic" -> Credentials.basic("alice", PASSWORD);
        default -> Credentials.basic("carol", USERINFO);
      };
    }

    private static BackendConfig config(Map<String, String> env) {
      return BackendConfig.builder().uri(env.get("MLFLOW_TRACKING_URI")).environment(env)
          .systemProperties(Map.of()).build();
    }

    /**
     * One tracker through one situation: built from the environment (as {@code Tracker.create()}
     * does) or from a {@link BackendConfig}; a run with a param, metrics, a tag and an artifact;
     * a flush and a close, their failures kept.
     */
    private void phase(String kind, String phase, Map<String, String> env, boolean fromEnv) {
      Tracker tracker;
      try {
        if (fromEnv) {
          tracker = Tracker.builder().environment(env::get).systemProperties(k -> null)
              .shutdownHook(false).standardTags(false).closeTimeout(Duration.ofMillis(500))
              .build();
        } else {
          BackendConfig config = config(env);
          texts.add(config.toString());
          MlflowBackend backend = MlflowBackend.create(config);
          texts.add(backend.toString());
          texts.add(backend.describe());
          texts.add(backend.toBuilder().toString());
          texts.add(backend.remoteDelivery().toString());
          tracker = Tracker.builder().backend(backend).systemProperties(k -> null)
              .environment(k -> null).shutdownHook(false).standardTags(false)
              .closeTimeout(Duration.ofMillis(500)).build();
        }
      } catch (RuntimeException e) {
        collect(e);
        return;
      }
      texts.add(kind + " " + phase + ": " + tracker + " " + tracker.uri());
      Run run = tracker.experiment("secrets-" + kind).startRun(phase);
      texts.add(run.toString());
      run.logParam("lr", 0.1);
      run.logMetric("loss", 0.5, 0);
      run.setTag("phase", phase);
      run.logText("notes of " + phase, "notes.txt");
      try {
        texts.add("flush: " + tracker.flush());
      } catch (RuntimeException e) {
        collect(e);
      }
      threadNames(kind + " " + phase);
      run.logMetric("loss", 0.25, 1);
      try {
        tracker.close();
      } catch (RuntimeException e) {
        collect(e);
      }
      texts.add(tracker.toString());
      texts.add(run.toString());
    }

    /** The file backend, configured next to every credential, with the run context recorded. */
    private void fileBackend() throws IOException {
      Map<String, String> env = new HashMap<>(env("userinfo"));
      env.put("MLFLOW_TRACKING_TOKEN", TOKEN);
      env.put("MLFLOW_TRACKING_USERNAME", "alice");
      env.put("MLFLOW_TRACKING_PASSWORD", PASSWORD);
      Path root = work.resolve("runs");
      Tracker tracker = Tracker.builder().uri("file:" + root).environment(env::get)
          .systemProperties(k -> null).shutdownHook(false).standardTags(true)
          .systemMetrics(true).systemMetricsInterval(Duration.ofMillis(100)).build();
      texts.add(tracker.toString());
      texts.add(FileBackend.create(root).toString());
      try (Run run = tracker.experiment("secrets-file").startRun("file")) {
        texts.add(run.toString());
        run.logParam("lr", 0.1);
        run.logMetric("loss", 0.5, 0);
        run.setTag("phase", "file");
        run.logText("notes", "notes.txt");
        Path artifact = Files.writeString(work.resolve("tmp").resolve("model.txt"), "weights");
        run.logArtifact(artifact, "models");
        texts.add("flush: " + tracker.flush());
        threadNames("file");
      }
      tracker.close();
    }

    /** Settings a user gets wrong, credentials included: every message is kept. */
    private void invalidConfigurations() {
      List<Callable<Object>> attempts = List.of(
          () -> build("http://carol:" + USERINFO + "@exa mple:5000"),
          () -> build("ftp://carol:" + USERINFO + "@example.com/x"),
          () -> build("https://carol:" + USERINFO + "@/no-host"),
          () -> build("http://carol:p@" + AT_PASSWORD + "@" + url),
          () -> build("file://carol:" + USERINFO + "@example.com/runs"),
          () -> MlflowBackend.builder().uri("http://carol:" + USERINFO + "@exa mple"),
          () -> MlflowBackend.builder().uri("databricks://carol:" + USERINFO + "@profile")
              .spoolDir(work.resolve("spool")).build(),
          () -> Tracker.builder().environment(Map.of("MLFLOW_TRACKING_URI", "http://" + url,
              "MLFLOW_TRACKING_PASSWORD", PASSWORD)::get).systemProperties(k -> null)
              .shutdownHook(false).build());
      for (Callable<Object> attempt : attempts) {
        try {
          Object made = attempt.call();
          texts.add("accepted: " + made);
          if (made instanceof AutoCloseable c) {
            c.close();
          }
        } catch (Exception e) {
          collect(e);
        }
      }
    }

    private Tracker build(String uri) {
      return Tracker.builder().uri(uri).environment(env("token")::get)
          .systemProperties(k -> null).shutdownHook(false).standardTags(false).build();
    }

    private void threadNames(String when) {
      texts.add("threads " + when + ": "
          + new TreeSet<>(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
              .toList()));
    }

    private void collect(Throwable t) {
      texts.add(t.toString());
      StringWriter trace = new StringWriter();
      t.printStackTrace(new PrintWriter(trace));
      texts.add(trace.toString());
    }
  }
}
