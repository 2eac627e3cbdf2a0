/**
 * Stages that exchange events under demand: producers, consumers and producer-consumers, each on
 * its own virtual thread.
 */
package dev.flowstage.stage;
