/**
 * Dispatchers: how a producer routes events to its consumers (demand, broadcast, partition, fair),
 * behind a small SPI that is testable without threads.
 */
package dev.flowstage.stage.dispatch;
