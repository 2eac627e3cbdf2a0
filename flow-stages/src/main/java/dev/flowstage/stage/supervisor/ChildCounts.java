package dev.flowstage.stage.supervisor;

/**
 * How many children a {@link ConsumerSupervisor} has. GenStage: {@code count_children/1} ({@code
 * workers} is {@code children} here, and {@code specs} is always 1).
 *
 * @param children every child, running or restarting
 * @param active the children running now ({@code children - restarting})
 * @param restarting the children whose restart failed and is being retried
 */
public record ChildCounts(int children, int active, int restarting) {}
