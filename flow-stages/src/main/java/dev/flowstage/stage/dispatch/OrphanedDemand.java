package dev.flowstage.stage.dispatch;

/**
 * Demand already passed upstream for consumers that left before their events came: the next asks
 * are served from it first, so upstream is never asked twice for the same events, and events that
 * come back as leftovers (nobody had demand) are taken to be those events (GenStage 1.3's
 * DemandDispatcher). Shared by the dispatchers that send each event to one consumer of many.
 */
final class OrphanedDemand {
  private long pending;

  /** A consumer left with {@code demand} asked for and not received. */
  void left(long demand) {
    pending += demand;
  }

  /**
   * A consumer asked for {@code demand} more; returns the part to pass upstream, the rest being
   * already on its way.
   */
  long ask(long demand) {
    long alreadySent = Math.min(pending, demand);
    pending -= alreadySent;
    return demand - alreadySent;
  }

  /** {@code leftovers} events of a dispatch found no demand: they were on their way. */
  void returned(int leftovers) {
    pending = Math.max(pending - leftovers, 0);
  }
}
