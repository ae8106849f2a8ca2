package dev.tracker.internal.system;

import java.util.Map;

/**
 * {@code network_receive_megabytes} and {@code network_transmit_megabytes}: bytes received and
 * sent over every interface but loopback since the run's sampling started (as MLflow counts
 * them), from {@code /proc/net/dev}; left out where that file does not exist. The bytes are added
 * up interface by interface, so the totals never go back: a counter that goes back was reset and
 * counts from zero, an interface that goes away keeps what it added, one that appears adds all.
 */
final class NetworkSource implements MetricSource {
  private final ProcFs proc;
  private Map<String, ProcFs.NetTotals> last;
  private long received;
  private long sent;

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
    last = proc.netInterfaces();
    return true;
  }

  @Override
  public void sample(Sample sample) throws Exception {
    Map<String, ProcFs.NetTotals> now = proc.netInterfaces();
    for (Map.Entry<String, ProcFs.NetTotals> e : now.entrySet()) {
      ProcFs.NetTotals before = last.get(e.getKey());
      received += added(before == null ? 0 : before.received(), e.getValue().received());
      sent += added(before == null ? 0 : before.sent(), e.getValue().sent());
    }
    last = now;
    sample.metric("network_receive_megabytes", Sample.megabytes(received));
    sample.metric("network_transmit_megabytes", Sample.megabytes(sent));
  }

  /** What a counter added since it read {@code before}; counted from zero after a reset. */
  private static long added(long before, long now) {
    return now >= before ? now - before : now;
  }
}
