package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The builder's validation of producer options. */
final class ProducerOptionsTest {
  @ParameterizedTest
  @ValueSource(longs = {-1, -2, Long.MIN_VALUE})
  void bufferSize_negative_isRejectedWithTheFix(long size) {
    ProducerOptions.Builder<Object> builder = ProducerOptions.builder();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> builder.bufferSize(size));
    assertTrue(e.getMessage().contains("bufferSize must be >= 0"), e.getMessage());
    assertTrue(e.getMessage().contains("got: " + size), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 10_000, ProducerOptions.UNBOUNDED})
  void bufferSize_zeroOrMore_isKept(long size) {
    assertEquals(size, ProducerOptions.builder().bufferSize(size).build().bufferSize());
  }
}
