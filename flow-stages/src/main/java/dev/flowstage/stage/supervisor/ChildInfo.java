package dev.flowstage.stage.supervisor;

/**
 * One child of a {@link ConsumerSupervisor}, as {@link ConsumerSupervisor#whichChildren()} reports
 * it. GenStage: an entry of {@code which_children/1}.
 *
 * @param id the child's id, for {@link ConsumerSupervisor#terminateChild(long)}; kept across
 *     restarts
 * @param event the event the child runs for
 * @param dynamic whether it was started by {@link ConsumerSupervisor#startChild} rather than for an
 *     event from a producer
 * @param restarting whether its restart failed and is being retried (GenStage: {@code :restarting})
 * @param <E> the event type
 */
public record ChildInfo<E>(long id, E event, boolean dynamic, boolean restarting) {}
