/** Binds Flowstage's flow and stage counters to a Micrometer {@code MeterRegistry}. */
package dev.flowstage.micrometer;
