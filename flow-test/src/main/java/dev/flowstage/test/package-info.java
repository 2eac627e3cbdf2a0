/**
 * The Flowstage test kit. {@link dev.flowstage.test.FlowCheck} runs a user's pipeline under many
 * seeded configurations (stage counts, demand bounds, partition mappings, source splits, arrival
 * perturbation) against a sequential oracle and shrinks a failure to a one-line reproduction;
 * {@link dev.flowstage.test.TestProducer} and {@link dev.flowstage.test.TestConsumer} are probes
 * for stage-level tests. Failures are {@link java.lang.AssertionError}s with messages, so any test
 * framework reports them.
 */
package dev.flowstage.test;
