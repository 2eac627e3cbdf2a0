package dev.flowstage.stage.internal;

/**
 * The consumer side of automatic demand on one subscription: how incoming events are cut into
 * chunks and when, and how much, to ask again. GenStage: {@code consumer_receive/4} and {@code
 * split_batches/5}. Single-threaded; testable without threads.
 */
public final class DemandCounter {
  /*
   * Exactly GenStage's algorithm (reference A7.1): the consumer asks maxDemand on subscribing and
   * stores it as `outstanding`. An incoming message is cut into chunks of at most
   * maxDemand - minDemand events. After each chunk, outstanding drops by its size; once it is at or
   * below minDemand the consumer asks for maxDemand - outstanding (refilling to maxDemand), but
   * only after the chunk was handled. Events beyond what was asked are still handed over, but not
   * counted (GenStage logs "events in excess").
   */
  private final int min;
  private final int max;
  private long outstanding;
  private long excess;
  private long unfilled;

  /**
   * Creates the counter for a subscription that has just asked {@code maxDemand}.
   *
   * @param minDemand the re-ask threshold
   * @param maxDemand the most events outstanding
   */
  public DemandCounter(int minDemand, int maxDemand) {
    this.min = minDemand;
    this.max = maxDemand;
    this.outstanding = maxDemand;
  }

  /**
   * Returns the most events handed to the stage at once: {@code maxDemand - minDemand}.
   *
   * @return the chunk size
   */
  public int chunkSize() {
    return max - min;
  }

  /**
   * Returns the demand asked and not yet received.
   *
   * @return the outstanding demand
   */
  public long outstanding() {
    return outstanding;
  }

  /**
   * Returns how many events arrived beyond the demand (a protocol violation by the producer).
   *
   * @return the excess count
   */
  public long excess() {
    return excess;
  }

  /**
   * Marks the arrival of a message: excess is detected against the demand outstanding now. GenStage
   * compares each chunk with the demand "not yet filled" when the message arrived.
   */
  public void beginMessage() {
    unfilled = outstanding;
  }

  /**
   * Accounts one chunk of the current message and returns what to ask for after handling it.
   *
   * @param k the chunk's size, at most {@link #chunkSize()}
   * @return the demand to ask after handling the chunk, 0 for none
   */
  public long consume(int k) {
    long counted = k;
    if (counted > unfilled) {
      excess += counted - unfilled;
      counted = unfilled;
    }
    unfilled -= counted;
    long remaining = outstanding - counted;
    if (remaining <= min) {
      outstanding = max;
      return max - remaining;
    }
    outstanding = remaining;
    return 0;
  }
}
