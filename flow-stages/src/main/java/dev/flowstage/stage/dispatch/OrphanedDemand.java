package dev.flowstage.stage.dispatch;

/**
 * Demand already passed upstream for consumers that left before their events came: the next asks
 * are served from it once the producer's buffer is used up, so upstream is never asked twice for
 * the same events and buffered events go out before newer ones; events that come back as leftovers
 * (nobody had demand) are taken to be those events (GenStage 1.3's DemandDispatcher). Shared by the
 * dispatchers that send each event to one consumer of many. It relies on the runtime's invariant
 * that the buffer holds events only while no consumer of these dispatchers has demand left.
 */
final class OrphanedDemand {
  private long pending;

  /** A consumer left with {@code demand} asked for and not received. */
  void left(long demand) {
    pending += demand;
  }

  /**
   * A consumer asked for {@code demand} more while the producer's buffer holds {@code buffered}
   * events; returns the demand for the runtime to serve, from the buffer first and then upstream.
   * The buffer meets the ask before the credit does: the buffered events are older than any still
   * on their way, so serving the credit first would let newer events overtake them.
   */
  long ask(long demand, long buffered) {
    long fromBuffer = Math.min(demand, buffered);
    long alreadySent = Math.min(pending, demand - fromBuffer);
    pending -= alreadySent;
    return demand - alreadySent;
  }

  /** {@code leftovers} events of a dispatch found no demand: they were on their way. */
  void returned(int leftovers) {
    pending = Math.max(pending - leftovers, 0);
  }
}
