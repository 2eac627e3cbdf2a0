/**
 * Example Flink jobs written as Flows ({@link dev.flowstage.flink.job.WordCountJob}, {@link
 * dev.flowstage.flink.job.WindowedSumJob}), packaged by this module as {@code
 * target/flowstage-flink-job.jar} for {@code flink run}.
 */
package dev.flowstage.flink.job;
