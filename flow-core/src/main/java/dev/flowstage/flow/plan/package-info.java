/**
 * A flow's plan as immutable, serializable data: {@link dev.flowstage.flow.plan.Plan} and its
 * sealed sources, routings and operations, as built by {@code Flow} (which has checked every rule:
 * a plan that exists can run). Backends read it with exhaustive {@code switch}es; see {@code
 * docs/adr/0007-plan-and-logic-packages.md}.
 *
 * <p>For backends and tools, not for flow authors: the records may change before 1.0.
 */
package dev.flowstage.flow.plan;
