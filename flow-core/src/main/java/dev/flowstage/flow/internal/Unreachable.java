package dev.flowstage.flow.internal;

import java.lang.ref.Cleaner;

/**
 * Runs an action once an object becomes unreachable: how a {@code stream()} that Java abandoned
 * without closing it (after {@code limit}, {@code findFirst}, ...) still cancels its flow.
 */
final class Unreachable {
  private static final Cleaner CLEANER = Cleaner.create();

  private Unreachable() {}

  /**
   * Runs {@code action} once {@code watched} is unreachable (on the Cleaner's thread, after a
   * garbage collection: not prompt). The action must not refer to {@code watched}, or it never
   * becomes unreachable.
   *
   * @param watched the object whose end triggers the action
   * @param action what to run, once
   */
  static void onUnreachable(Object watched, Runnable action) {
    CLEANER.register(watched, action);
  }
}
