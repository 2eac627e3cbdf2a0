package dev.flowstage.flow.logic;

/** One step of a fused operation chain: receives one event and pushes results to the next. */
interface Sink {
  /**
   * Handles one event.
   *
   * @param event the event
   */
  void accept(Object event);
}
