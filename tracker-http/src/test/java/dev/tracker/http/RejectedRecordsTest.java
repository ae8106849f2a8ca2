package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.Run;
import dev.tracker.Tag;
import dev.tracker.Tracker;
import dev.tracker.TrackerException;
import dev.tracker.http.testing.FakeMlflowServer;
import dev.tracker.spi.Batch;
import dev.tracker.spi.DeliveryException;
import dev.tracker.spi.RunSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One refused record does not lose the others of its batch, and is named. */
class RejectedRecordsTest extends ServerTest {

  private void createRun() throws Exception {
    backend.createRun(new RunSpec(RUN, backend.createExperiment("e"), "e", "r", 1, Map.of(),
        null, false));
  }

  @Test
  void aBatchWithOneConflictingParamDeliversTheRestAndNamesTheParam() throws Exception {
    createRun();
    fake.putParam(SERVER_RUN, "lr", "0.5"); // logged by another JVM into the same run
    Batch batch = new Batch(
        List.of(new Metric("loss", 1, 10, 0), new Metric("loss", 0.5, 11, 1)),
        List.of(new Param("lr", "0.1"), new Param("epochs", "5")),
        List.of(new Tag("phase", "train")));

    assertThatThrownBy(() -> backend.logBatch(RUN, batch))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("the MLflow server refused 1 record of run " + RUN + " (MLflow run "
            + SERVER_RUN + ") (4 other records were delivered): param 'lr':"
            + " INVALID_PARAMETER_VALUE: Changing param values is not allowed. Params were"
            + " already logged='[{'key': 'lr', 'old_value': '0.5', 'new_value': '0.1'}]' for"
            + " run ID='" + SERVER_RUN + "'.")
        .satisfies(e -> assertThat(((DeliveryException) e).kind())
            .isEqualTo(DeliveryException.Kind.REJECTED))
        .satisfies(e -> assertThat(((DeliveryException) e).rejected())
            .extracting(DeliveryException.Rejected::key).containsExactly("lr"));

    FakeMlflowServer.Run run = fake.run(SERVER_RUN);
    assertThat(run.metrics()).hasSize(2);
    assertThat(run.params()).containsEntry("lr", "0.5").containsEntry("epochs", "5");
    assertThat(run.tags()).containsEntry("phase", "train");
    // the whole batch once, then the batch without the named param
    assertThat(fake.count("runs/log-batch")).isEqualTo(2);
  }

  @Test
  void aParamWhoseKeyOnlyAppearsInTheRefusalAsAFieldNameOrValueIsDelivered() throws Exception {
    createRun();
    fake.putParam(SERVER_RUN, "lr", "0.5");
    // MLflow's log-batch refusal reads: Params were already logged='[{'key': 'lr',
    // 'old_value': '0.5', 'new_value': '0.1'}]': 'key', '0.5' and '0.1' are quoted there too
    Batch batch = new Batch(List.of(new Metric("loss", 1, 10, 0)), List.of(new Param("lr", "0.1"),
        new Param("key", "k"),
        new Param("0.5", "half"), new Param("new_value", "n")), List.of());

    assertThatThrownBy(() -> backend.logBatch(RUN, batch))
        .isInstanceOf(DeliveryException.class)
        .satisfies(e -> assertThat(((DeliveryException) e).rejected())
            .extracting(DeliveryException.Rejected::key).containsExactly("lr"));

    assertThat(fake.run(SERVER_RUN).params()).isEqualTo(
        Map.of("lr", "0.5", "key", "k", "0.5", "half", "new_value", "n"));
    assertThat(fake.run(SERVER_RUN).metrics()).hasSize(1);
    assertThat(fake.count("runs/log-batch")).isEqualTo(2);
  }

  @Test
  void aRefusalThatNamesNoKeyIsNarrowedDownByHalving() throws Exception {
    createRun();
    List<Metric> metrics = List.of(new Metric("a", 1, 1, 0), new Metric("b", 2, 1, 0),
        new Metric("c", 3, 1, 0), new Metric("d", 4, 1, 0));
    MockResponseScript refuse = () -> FakeMlflowServer.error(400, "INVALID_PARAMETER_VALUE",
        "Got invalid value for a metric");
    // [a b c d] refused, [a b] accepted, [c d] refused, [c] refused, [d] accepted
    fake.script("runs/log-batch", refuse.get());
    fake.script("runs/log-batch", FakeMlflowServer.status(200, "{}"));
    fake.script("runs/log-batch", refuse.get(), refuse.get());
    fake.script("runs/log-batch", FakeMlflowServer.status(200, "{}"));

    assertThatThrownBy(() -> backend.logBatch(RUN, Batch.ofMetrics(metrics)))
        .isInstanceOf(DeliveryException.class)
        .hasMessage("the MLflow server refused 1 record of run " + RUN + " (MLflow run "
            + SERVER_RUN + ") (3 other records were delivered): metric 'c':"
            + " INVALID_PARAMETER_VALUE: Got invalid value for a metric");
    assertThat(fake.count("runs/log-batch (scripted)")).isEqualTo(5);
  }

  @FunctionalInterface
  interface MockResponseScript {
    mockwebserver3.MockResponse get();
  }

  @Test
  void aParamNeverGoesOutTwiceWithDifferentValues() throws Exception {
    createRun();
    backend.logBatch(RUN, new Batch(List.of(), List.of(new Param("lr", "0.1")), List.of()));

    assertThatThrownBy(() -> backend.logBatch(RUN, new Batch(List.of(new Metric("m", 1, 1, 0)),
        List.of(new Param("lr", "0.2")), List.of())))
        .isInstanceOf(DeliveryException.class)
        .hasMessageEndingWith("param 'lr': already logged with value '0.1'; params are"
            + " write-once, so the value '0.2' was not sent");
    assertThat(fake.count("runs/log-batch")).isEqualTo(2);
    assertThat(fake.run(SERVER_RUN).metrics()).hasSize(1);
  }

  @Test
  void aParamAlreadyDeliveredWithTheSameValueIsNotSentAgain() throws Exception {
    createRun();
    backend.logBatch(RUN, new Batch(List.of(), List.of(new Param("lr", "0.1")), List.of()));
    backend.logBatch(RUN, new Batch(List.of(new Metric("m", 1, 1, 0)),
        List.of(new Param("lr", "0.1")), List.of()));

    server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
    server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
    server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
    server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT);
    assertThat(server.takeRequest(Fixtures.TIMEOUT, Fixtures.UNIT).getBody().utf8())
        .doesNotContain("\"params\"");
  }

  @Test
  void aResumedRunLearnsTheServersParamsBeforeSendingAny() throws Exception {
    createRun();
    fake.putParam(SERVER_RUN, "seed", "7");
    backend.close();
    backend = Fixtures.backend(server, tmp).build();
    backend.createRun(new RunSpec(SERVER_RUN, "1", "e", "r", 1, Map.of(), null, true));

    assertThatThrownBy(() -> backend.logBatch(SERVER_RUN, new Batch(List.of(),
        List.of(new Param("seed", "8"), new Param("lr", "0.1")), List.of())))
        .isInstanceOf(DeliveryException.class)
        .hasMessageContaining("param 'seed': already logged with value '7'");
    assertThat(fake.run(SERVER_RUN).params()).containsEntry("seed", "7")
        .containsEntry("lr", "0.1");
  }

  @Test
  void throughATrackerTheRefusalSurfacesAtFlushAndTheRunGoesOn() throws Exception {
    Tracker tracker = Fixtures.tracker(backend);
    Run run = tracker.experiment("e").startRun("r");
    tracker.flush();
    String serverRun = fake.runs().get(0);
    fake.putParam(serverRun, "lr", "0.5");
    run.logParam("lr", 0.1);
    run.logMetric("loss", 1, 0);

    assertThatThrownBy(tracker::flush).isInstanceOf(TrackerException.class)
        .hasMessageContaining("param 'lr'")
        .hasMessageContaining("Changing param values is not allowed");
    run.logMetric("loss", 0.5, 1);
    tracker.close();

    assertThat(fake.run(serverRun).metrics()).extracting(FakeMlflowServer.Point::step)
        .containsExactly(0L, 1L);
    assertThat(fake.run(serverRun).status()).isEqualTo("FINISHED");
  }
}
