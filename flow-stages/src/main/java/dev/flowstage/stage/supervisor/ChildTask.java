package dev.flowstage.stage.supervisor;

/**
 * The work a {@link ConsumerSupervisor} child does for one event, on its own virtual thread.
 * GenStage: the child spec's start function, called with the event as last argument.
 *
 * <p>Returning ends the child normally. Throwing {@link InterruptedException} ends it as shut down
 * (never restarted). Any other exception is a failure: a {@link Restart#TRANSIENT} child is then
 * restarted with the same event. A task should respond to interruption: that is how {@link
 * ConsumerSupervisor#terminateChild} and the supervisor's exit stop it.
 *
 * @param <E> the event type
 */
@FunctionalInterface
public interface ChildTask<E> {
  /**
   * Does the work for one event.
   *
   * @param event the event this child was started for
   * @throws Exception to fail the child
   */
  void run(E event) throws Exception;
}
