/**
 * Test hooks for the flow-test kit: not an API for applications (exported to {@code
 * dev.flowstage.test} only).
 */
package dev.flowstage.flow.testing;
