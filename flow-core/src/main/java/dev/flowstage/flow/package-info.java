/** Flows: immutable plans of parallel, back-pressured computations run on flow-stages. */
package dev.flowstage.flow;
