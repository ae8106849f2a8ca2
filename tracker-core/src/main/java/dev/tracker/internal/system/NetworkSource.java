package dev.tracker.internal.system;

/**
 * {@code network_receive_megabytes} and {@code network_transmit_megabytes}: bytes received and
 * sent over every interface but loopback since the run's sampling started (as MLflow counts
 * them), from {@code /proc/net/dev}; left out where that file does not exist.
 */
final class NetworkSource implements MetricSource {
  private final ProcFs proc;
  private ProcFs.NetTotals first;

  NetworkSource(ProcFs proc) {
    this.proc = proc;
  }

  @Override
  public String name() {
    return "network";
  }

  @Override
  public boolean start() throws Exception {
    if (!proc.has("net/dev")) {
      return false;
    }
    first = proc.netTotals();
    return true;
  }

  @Override
  public void sample(Sample sample) throws Exception {
    ProcFs.NetTotals now = proc.netTotals();
    // an interface that went away takes its counters along: never report less than nothing
    sample.metric("network_receive_megabytes",
        Sample.megabytes(Math.max(0, now.received() - first.received())));
    sample.metric("network_transmit_megabytes",
        Sample.megabytes(Math.max(0, now.sent() - first.sent())));
  }
}
