package dev.tracker;

/**
 * What a tracker logged to a server and has not delivered yet: it waits, durable, in the local
 * journal, and the next tracker for the same server (same journal directory) or {@code tracker
 * sync} delivers it.
 *
 * @param operations operations waiting (a batch of records, an artifact, a run's start or end)
 * @param runEnds how many of them end a run: until they are delivered, the server shows those
 *     runs RUNNING
 * @param journal the journal directory that holds them
 * @param server the server, without credentials
 */
public record Backlog(long operations, int runEnds, String journal, String server) {
  /** True when nothing waits. */
  public boolean isEmpty() {
    return operations == 0;
  }

  /** One sentence for people, e.g. for a WARN or an exception. */
  public String describe() {
    if (operations == 0) {
      return "everything was delivered to " + server;
    }
    return operations + " operation" + (operations == 1 ? "" : "s") + " for " + server
        + (operations == 1 ? " waits" : " wait") + " in the journal " + journal
        + (runEnds == 0 ? "" : ", among them the end of " + runEnds + " run"
        + (runEnds == 1 ? "" : "s") + ", which the server shows RUNNING until then")
        + "; the next tracker for this server or `tracker sync` delivers them";
  }
}
