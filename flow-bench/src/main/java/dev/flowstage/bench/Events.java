package dev.flowstage.bench;

/**
 * The events every throughput benchmark moves: {@value #COUNT} pre-boxed integers, so that no
 * benchmark pays for boxing and all move the very same objects.
 */
public final class Events {
  /** Events moved per benchmark invocation; divisible by every batch size (1 to 10 000). */
  public static final int COUNT = 100_000;

  private static final Integer[] EVENTS = new Integer[COUNT];

  static {
    for (int i = 0; i < COUNT; i++) {
      EVENTS[i] = i;
    }
  }

  private Events() {}

  /**
   * Returns the shared events; callers must not modify the array.
   *
   * @return the {@value #COUNT} events, event {@code i} being {@code Integer.valueOf(i)}
   */
  public static Integer[] all() {
    return EVENTS;
  }

  /**
   * The sum of all events, for checking that a benchmark moved every one of them.
   *
   * @return {@code 0 + 1 + ... + (COUNT - 1)}
   */
  public static long sum() {
    return (long) COUNT * (COUNT - 1) / 2;
  }

  /**
   * Fails if a benchmark's consumer did not see every event exactly once (by sum).
   *
   * @param observed the sum the consumer computed
   * @return {@code observed}, so callers can hand it to JMH
   */
  public static long check(long observed) {
    if (observed != sum()) {
      throw new IllegalStateException(
          "benchmark lost or duplicated events: sum " + observed + ", expected " + sum());
    }
    return observed;
  }
}
