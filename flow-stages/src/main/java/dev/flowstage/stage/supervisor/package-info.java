/**
 * {@link dev.flowstage.stage.supervisor.ConsumerSupervisor}: a consumer stage that runs one child
 * task per event, each on its own virtual thread, asking its producers for more events as children
 * finish.
 */
package dev.flowstage.stage.supervisor;
