package dev.flowstage.flow.logic.words;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

final class ReadAheadTest {
  private static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private static byte[] readAll(InputStream in, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[chunk];
    for (int r = in.read(buf, 0, chunk); r >= 0; r = in.read(buf, 0, chunk)) {
      out.write(buf, 0, r);
    }
    return out.toByteArray();
  }

  private static boolean readAheadThreadAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().startsWith("flowstage-read-ahead") && t.isAlive());
  }

  @Test
  void read_anySize_givesTheStreamsBytesInOrder() throws IOException {
    int[] sizes = {0, 1, 5, ReadAhead.BLOCK - 1, ReadAhead.BLOCK, 3 * ReadAhead.BLOCK + 17};
    int[] chunks = {1, 7, 4096, ReadAhead.BLOCK + 3};
    for (int size : sizes) {
      byte[] data = bytes(size, size);
      for (int chunk : chunks) {
        try (ReadAhead in = new ReadAhead(new ByteArrayInputStream(data), "test")) {
          assertArrayEquals(data, readAll(in, chunk), () -> size + " bytes, reads of " + chunk);
          assertEquals(-1, in.read());
        }
      }
    }
    assertFalse(readAheadThreadAlive());
  }

  @Test
  void read_failingStream_givesTheBytesBeforeIt_thenTheSameException() throws IOException {
    byte[] data = bytes(7, ReadAhead.BLOCK + 100);
    IOException boom = new IOException("Unexpected end of ZLIB input stream");
    InputStream failing =
        new InputStream() {
          int at;

          @Override
          public int read() throws IOException {
            if (at == data.length) {
              throw boom;
            }
            return data[at++] & 0xff;
          }
        };
    try (ReadAhead in = new ReadAhead(failing, "test")) {
      byte[] got = new byte[data.length];
      assertEquals(data.length, in.readNBytes(got, 0, data.length));
      assertArrayEquals(data, got);
      assertSame(boom, assertThrows(IOException.class, in::read));
    }
    assertFalse(readAheadThreadAlive());
  }

  @Test
  void close_midStream_stopsTheThreadBeforeClosingTheStream() throws IOException {
    AtomicBoolean closedWhileRead = new AtomicBoolean();
    AtomicBoolean closed = new AtomicBoolean();
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            if (closed.get()) {
              closedWhileRead.set(true);
            }
            return 'x';
          }

          @Override
          public void close() {
            closed.set(true);
          }
        };
    ReadAhead in = new ReadAhead(endless, "test");
    assertEquals('x', in.read());
    in.close();
    assertTrue(closed.get());
    assertFalse(closedWhileRead.get());
    assertFalse(readAheadThreadAlive());
  }
}
