package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pre-reduce's buffers (the flows through it are in {@code FlowCombineTest}). */
final class CombiningTest {
  @ParameterizedTest
  @CsvSource({"1, 1024", "64, 1024", "100, 655", "5000, 16"})
  void preReduceBuffer_isBoundedOverAllPartitions(int partitions, int size) {
    assertEquals(size, Combining.PreReduce.bufferSize(partitions));
  }
}
