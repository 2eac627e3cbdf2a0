/**
 * Flows and stages as {@code org.reactivestreams} publishers and subscribers: {@link
 * dev.flowstage.reactivestreams.ReactiveStreamsFlows}.
 */
package dev.flowstage.reactivestreams;
