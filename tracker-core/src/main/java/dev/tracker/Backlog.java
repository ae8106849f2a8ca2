package dev.tracker;

/**
 * What a tracker logged to a server and has not delivered yet: it waits, durable, in the local
 * journal, and the next tracker for the same server (same journal directory) or {@code tracker
 * sync} delivers it.
 *
 * @param operations operations waiting (a batch of records, an artifact, a run's start or end)
 * @param runEnds how many of them end a run: until they are delivered, the server shows those
 *     runs RUNNING
 * @param runsNotCreated how many of those runs wait for their creation too: until it is
 *     delivered, the server may not have them at all (a server that took the request without
 *     answering may have created them)
 * @param journal the journal directory that holds them
 * @param server the server, without credentials
 */
public record Backlog(long operations, int runEnds, int runsNotCreated, String journal,
    String server) {
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
        + among() + "; the next tracker for this server or `tracker sync` delivers them";
  }

  private String among() {
    if (runEnds == 0) {
      return "";
    }
    String ends = ", among them the end of " + runs(runEnds);
    if (runsNotCreated == 0) {
      return ends + ", which the server shows RUNNING until then";
    }
    if (runsNotCreated >= runEnds) {
      return ends + " and " + (runEnds == 1 ? "its" : "their") + " creation, so the server"
          + " may not have " + (runEnds == 1 ? "it" : "them") + " until then";
    }
    return ends + ": until then the server shows " + (runEnds - runsNotCreated) + " of them"
        + " RUNNING and may not have the other " + runsNotCreated + " (their creation waits too)";
  }

  private static String runs(int n) {
    return n + " run" + (n == 1 ? "" : "s");
  }
}
