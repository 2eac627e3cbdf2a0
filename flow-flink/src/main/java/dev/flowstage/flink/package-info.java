/**
 * Runs flows on Apache Flink: {@link dev.flowstage.flink.FlinkFlows} translates a flow's plan into
 * a DataStream job in batch mode.
 */
package dev.flowstage.flink;
