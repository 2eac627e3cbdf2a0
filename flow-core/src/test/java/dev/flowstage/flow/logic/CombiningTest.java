package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pre-reduce's buffers (the flows through it are in {@code FlowCombineTest}). */
final class CombiningTest {
  @ParameterizedTest
  @CsvSource({"1, 1024", "2, 1024", "4, 512", "64, 32", "100, 20", "5000, 1"})
  void preReduceBuffer_isBoundedOverAllPartitions(int partitions, int size) {
    assertEquals(size, Combining.PreReduce.bufferSize(partitions));
  }

  @Test
  void preReduceBuffers_neverHoldMoreThan2048EventsInAll() {
    // A buffer of n holds at most n - 1 events between folds (the n-th folds them all).
    for (int partitions = 1; partitions <= 10_000; partitions++) {
      long held = (long) (Combining.PreReduce.bufferSize(partitions) - 1) * partitions;
      assertTrue(held < 2048, partitions + " partitions hold " + held);
    }
  }
}
