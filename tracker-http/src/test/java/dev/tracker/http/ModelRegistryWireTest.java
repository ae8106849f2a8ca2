package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.tracker.ModelRegistry;
import dev.tracker.ModelVersion;
import dev.tracker.Run;
import dev.tracker.Tracker;
import dev.tracker.http.testing.FakeMlflowServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Model Registry requests on the wire, in MLflow's shapes (versions as strings). */
@Timeout(60)
class ModelRegistryWireTest extends ServerTest {

  /** A clock one millisecond on at each reading, so that versions are created in order. */
  @Override
  FakeMlflowServer newFake() {
    AtomicLong now = new AtomicLong(1_700_000_000_000L);
    return new FakeMlflowServer(() -> Instant.ofEpochMilli(now.incrementAndGet()));
  }

  private String lineage(String runName) {
    return fake.run(fake.runId(runName)).tags().get(ModelRegistry.LINEAGE_TAG);
  }

  /** What a test does with a tracker on the fake and its run "train", which holds model/w.txt. */
  private interface ModelRunBody {
    void accept(Tracker tracker, Run run) throws Exception;
  }

  private void withModelRun(ModelRunBody body) throws Exception {
    try (Tracker tracker = Fixtures.tracker(backend);
        Run run = tracker.experiment("e").startRun("train")) {
      run.logText("w", "model/w.txt");
      body.accept(tracker, run);
    }
  }

  /** The registry and tag requests since the last call, as "METHOD path body". */
  private List<String> registryRequests() throws InterruptedException {
    List<String> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(50, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
      String path = r.getUrl().encodedPath();
      if (path.contains("registered-models") || path.contains("model-versions")
          || path.endsWith("set-tag")) {
        out.add(r.getMethod() + " " + path.substring("/api/2.0/mlflow/".length()) + " "
            + (r.getBody() == null ? "" : r.getBody().utf8())
            + (r.getUrl().query() == null ? "" : "?" + r.getUrl().query()));
      }
    }
    return out;
  }

  @Test
  void registeringCreatesTheModelThenAVersionOfTheRunsArtifactsAndTagsTheRun() throws Exception {
    withModelRun((tracker, run) -> {
      tracker.models().register("iris", run, "model");
      String id = fake.runId("train");
      tracker.models().register("iris", run.id(), "model");
      tracker.models().setAlias("iris", "champion", 2);
      tracker.models().deleteAlias("iris", "champion");
      String source = "mlflow-artifacts:/1/" + id + "/artifacts/model";
      assertThat(registryRequests()).containsSubsequence(
          "POST registered-models/create {\"name\":\"iris\"}",
          "POST model-versions/create {\"name\":\"iris\",\"source\":\"" + source
              + "\",\"run_id\":\"" + id + "\"}",
          "GET model-versions/search ?filter=run_id = '" + id + "'&max_results=1000",
          "POST runs/set-tag {\"run_id\":\"" + id
              + "\",\"key\":\"tracker.registeredModels\",\"value\":\"iris/1\"}",
          "GET model-versions/search ?filter=run_id = '" + id + "'&max_results=1000",
          "POST registered-models/create {\"name\":\"iris\"}",
          "POST model-versions/create {\"name\":\"iris\",\"source\":\"" + source
              + "\",\"run_id\":\"" + id + "\"}",
          "POST runs/set-tag {\"run_id\":\"" + id
              + "\",\"key\":\"tracker.registeredModels\",\"value\":\"iris/1,iris/2\"}",
          "GET model-versions/get ?name=iris&version=2",
          "POST registered-models/alias {\"name\":\"iris\",\"alias\":\"champion\","
              + "\"version\":\"2\"}",
          "GET registered-models/alias ?name=iris&alias=champion",
          "DELETE registered-models/alias {\"name\":\"iris\",\"alias\":\"champion\"}");
    });
  }

  /**
   * MLflow's search grammar keeps a quoted text as written, without escapes: a model name with
   * quotes or backslashes lists its own versions, and not those of a name that differs there.
   */
  @ParameterizedTest
  @ValueSource(strings = {"it's", "say \"it's\"", "C:\\models\\"})
  void aModelNameWithQuotesOrBackslashesListsItsOwnVersionsOnly(String name) throws Exception {
    withModelRun((tracker, run) -> {
      tracker.models().register(name.replaceAll("['\"\\\\]", "-"), run, "model");
      tracker.models().register(name, run, "model");
      tracker.models().register(name, run, "model");
      assertThat(tracker.models().list(name)).extracting(ModelVersion::name, ModelVersion::version)
          .containsExactly(tuple(name, 1), tuple(name, 2));
    });
  }

  @Test
  void aModelPathWithSpacesPercentOrQuestionMarkIsDownloadedBack(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path out) throws Exception {
    // '#' and percent-escapes such as %20 are refused where they are logged: MLflow's artifact
    // proxy refuses the one and decodes the other
    java.util.Map<String, String> paths = new java.util.LinkedHashMap<>();
    paths.put("sp", "sp ace/ü ñ");
    paths.put("a%", "a%b");
    paths.put("xy", "x y?z=1+2.txt");
    try (Tracker tracker = Fixtures.tracker(backend);
        Run run = tracker.experiment("e").startRun("train")) {
      run.logText("space", "sp ace/ü ñ/w.txt");
      run.logText("percent", "a%b/w.txt");
      run.logText("query", "x y?z=1+2.txt");
      paths.forEach((name, path) -> assertThat(tracker.models().register(name, run, path)
          .artifactPath()).isEqualTo(path));
      String id = fake.runId("train");
      assertThat(tracker.models().get("a%", "1").source())
          .isEqualTo("mlflow-artifacts:/1/" + id + "/artifacts/a%25b");
      assertThat(java.nio.file.Files.readString(tracker.models().download("sp", "1",
          out.resolve("sp")).resolve("w.txt"))).isEqualTo("space");
      assertThat(java.nio.file.Files.readString(tracker.models().download("a%", "1",
          out.resolve("a")).resolve("w.txt"))).isEqualTo("percent");
      assertThat(java.nio.file.Files.readString(tracker.models().download("xy", "1",
          out.resolve("x")).resolve("x y?z=1+2.txt"))).isEqualTo("query");
    }
  }

  @Test
  void aServerThatRefusesTheModelFailsTheRegistrationWithItsMessage() throws Exception {
    fake.script("registered-models/create", FakeMlflowServer.error(403, "PERMISSION_DENIED",
        "User cannot create models"));
    withModelRun((tracker, run) -> {
      assertThatThrownBy(() -> tracker.models().register("iris", run, "model"))
          .isExactlyInstanceOf(MlflowServerException.class)
          .hasMessage("POST registered-models/create failed with HTTP 403 PERMISSION_DENIED:"
              + " User cannot create models (the credentials given lack permission for this)");
      assertThat(fake.count("model-versions/create")).isZero();
    });
  }

  @Test
  void anUnknownAliasOnTheServerIsAClearError() throws Exception {
    withModelRun((tracker, run) -> {
      tracker.models().register("iris", run, "model");
      assertThatThrownBy(() -> tracker.models().get("iris", "nope"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("model 'iris' has no alias 'nope'; its versions: 1; its aliases: none");
      assertThat(fake.requests()).contains("GET registered-models/alias");
    });
  }

  @Test
  void theLineageTagKeepsItsEntriesAndAddsTheRunsVersionsItLacksOldestFirst() throws Exception {
    withModelRun((tracker, run) -> {
      tracker.models().register("zoo", run, "model");
      // another client overwrote the tag: it names a version the search does not show
      run.setTag(ModelRegistry.LINEAGE_TAG, "old/7");
      tracker.models().register("iris", run, "model");
      assertThat(lineage("train")).isEqualTo("old/7,zoo/1,iris/1");
      tracker.models().register("iris", run, "model");
      assertThat(lineage("train")).isEqualTo("old/7,zoo/1,iris/1,iris/2");
    });
  }

  @Test
  void aVersionOlderThanEveryVersionTheTagNamesIsNotAddedBack() throws Exception {
    withModelRun((tracker, run) -> {
      tracker.models().register("iris", run, "model");
      tracker.models().register("iris", run, "model");
      run.setTag(ModelRegistry.LINEAGE_TAG, "iris/2"); // as a full tag drops its oldest entries
      tracker.models().register("iris", run, "model");
      assertThat(lineage("train")).isEqualTo("iris/2,iris/3");
    });
  }

  /**
   * Process B registers a version from the run between process A's version and A's write of
   * the tag, which A computed before B's version existed: A's write would drop B's ref, but A
   * checks after writing and writes again.
   */
  @Test
  void twoProcessesRegisteringFromOneRunAtOnceKeepBothRefsInTheTag() throws Exception {
    try (Tracker b = Fixtures.tracker(Fixtures.backend(server, tmp.resolve("b")).build())) {
      String[] runId = new String[1];
      AtomicBoolean created = new AtomicBoolean();
      AtomicBoolean raced = new AtomicBoolean();
      OkHttpClient racing = new OkHttpClient.Builder().addInterceptor(chain -> {
        String path = chain.request().url().encodedPath();
        if (path.endsWith("/model-versions/create")) {
          created.set(true);
        } else if (path.endsWith("/runs/set-tag") && created.get() && raced.compareAndSet(false,
            true)) {
          assertThat(b.models().register("m", runId[0], "model").ref()).isEqualTo("m/2");
        }
        return chain.proceed(chain.request());
      }).build();
      try (Tracker a = Fixtures.tracker(Fixtures.backend(server, tmp.resolve("a"))
              .client(racing).build());
          Run run = a.experiment("e").startRun("train")) {
        run.logText("w", "model/w.txt");
        runId[0] = run.id();
        assertThat(a.models().register("m", run, "model").ref()).isEqualTo("m/1");
        assertThat(raced).isTrue();
        assertThat(lineage("train")).isEqualTo("m/1,m/2");
      } finally {
        racing.dispatcher().executorService().shutdown();
        racing.connectionPool().evictAll();
      }
    }
  }

  @Test
  void aTagTheServerNeverKeepsCostsBoundedWritesAndTheVersionStillRegisters() throws Exception {
    fake.interceptor(endpoint -> endpoint.equals("runs/set-tag")
        ? FakeMlflowServer.status(200, "{}") : null);
    withModelRun((tracker, run) -> {
      assertThat(tracker.models().register("iris", run, "model").ref()).isEqualTo("iris/1");
      assertThat(fake.requests()).filteredOn("POST runs/set-tag (intercepted)"::equals)
          .hasSize(MlflowModels.LINEAGE_WRITES);
      assertThat(lineage("train")).isNull();
    });
  }

  @Test
  void aServerThatCannotSearchVersionsByRunStillGetsEveryRefInTheTag() throws Exception {
    fake.interceptor(endpoint -> endpoint.equals("model-versions/search")
        ? FakeMlflowServer.status(400, "{\"error_code\":\"INVALID_PARAMETER_VALUE\","
            + "\"message\":\"Invalid attribute name: run_id\"}") : null);
    withModelRun((tracker, run) -> {
      assertThat(tracker.models().register("iris", run, "model").ref()).isEqualTo("iris/1");
      assertThat(tracker.models().register("zoo", run, "model").ref()).isEqualTo("zoo/1");
      assertThat(lineage("train")).isEqualTo("iris/1,zoo/1");
    });
  }
}
