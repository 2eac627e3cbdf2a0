package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

/** {@link GzipInput}: every member, checked, and nothing after the last one but zeros. */
class GzipInputTest {
  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Text-like bytes: compressible, so members have real deflate blocks. */
  private static byte[] text(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (r.nextInt(8) == 0 ? ' ' : 'a' + r.nextInt(r.nextInt(26) + 1));
    }
    return b;
  }

  /** A stream that hands out at most {@code step} bytes per read. */
  private static InputStream trickle(byte[] data, int step) {
    return new ByteArrayInputStream(data) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, step));
      }
    };
  }

  private static byte[] gunzip(byte[] gz, int bufferSize, int step) throws IOException {
    try (InputStream in = new GzipInput(trickle(gz, step), bufferSize)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] b = new byte[1 + bufferSize % 5000];
      for (int n = in.read(b); n >= 0; n = in.read(b)) {
        out.write(b, 0, n);
      }
      return out.toByteArray();
    }
  }

  private static byte[] gunzip(byte[] gz) throws IOException {
    return gunzip(gz, 1 << 16, Integer.MAX_VALUE);
  }

  @Test
  void randomMembers_readBackAsTheirConcatenation_atAnyBufferAndReadSize() throws IOException {
    for (long seed = 0; seed < 40; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      int members = 1 + r.nextInt(4);
      ByteArrayOutputStream plain = new ByteArrayOutputStream();
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      for (int m = 0; m < members; m++) {
        byte[] data = text(r, r.nextInt(4) == 0 ? 0 : r.nextInt(300_000));
        plain.writeBytes(data);
        gz.writeBytes(gzip(data));
      }
      int bufferSize = new int[] {1, 7, 512, 1 << 16}[r.nextInt(4)];
      int step = 1 + r.nextInt(r.nextBoolean() ? 10 : 100_000);
      assertArrayEquals(
          plain.toByteArray(),
          gunzip(gz.toByteArray(), bufferSize, step),
          "seed " + seed + ", " + members + " members, buffer " + bufferSize + ", step " + step);
    }
  }

  @Test
  void headerFields_nameCommentExtraAndHeaderCrc_areSkippedAndTheHeaderCrcChecked()
      throws IOException {
    byte[] data = "a line\nand another\n".getBytes(StandardCharsets.UTF_8);
    byte[] plain = gzip(data);
    byte[] body = Arrays.copyOfRange(plain, 10, plain.length); // deflate data and trailer
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3});
    header.writeBytes(new byte[] {3, 0, 'x', 'y', 'z'}); // FEXTRA: three bytes
    header.writeBytes("name.txt\0".getBytes(StandardCharsets.ISO_8859_1));
    header.writeBytes("a comment\0".getBytes(StandardCharsets.ISO_8859_1));
    CRC32 crc = new CRC32();
    crc.update(header.toByteArray());
    int hcrc = (int) (crc.getValue() & 0xffff);
    byte[] good = concat(header.toByteArray(), new byte[] {(byte) hcrc, (byte) (hcrc >> 8)}, body);
    assertArrayEquals(data, gunzip(good));
    assertArrayEquals(concat(data, data), gunzip(concat(good, plain)), "then a plain member");

    byte[] badCrc = good.clone();
    badCrc[header.size()] ^= 1;
    ZipException e = assertThrows(ZipException.class, () -> gunzip(badCrc));
    assertTrue(e.getMessage().contains("header"), e.getMessage());
  }

  @Test
  void zeroPadding_afterTheLastMember_isIgnoredAsGzipDoes() throws IOException {
    byte[] data = text(new SplittableRandom(1), 10_000);
    assertArrayEquals(data, gunzip(concat(gzip(data), new byte[1])));
    assertArrayEquals(data, gunzip(concat(gzip(data), new byte[70_000]), 512, 1000));
  }

  @Test
  void otherDataAfterTheLastMember_failsTheRead_namingItsOffset() {
    byte[] data = text(new SplittableRandom(2), 10_000);
    byte[] member = gzip(data);
    byte[][] tails = {
      "appended as text\n".getBytes(StandardCharsets.UTF_8),
      {0x1f}, // half a magic number
      {0x1f, (byte) 0x8b}, // a header cut short
      {0, 0, 0, 'x'}, // zeros, then something else: from the first zero
    };
    for (byte[] tail : tails) {
      byte[] file = concat(member, tail);
      IOException e = assertThrows(IOException.class, () -> gunzip(file), Arrays.toString(tail));
      assertTrue(
          e.getMessage().contains("byte " + member.length),
          Arrays.toString(tail) + ": " + e.getMessage());
    }
    ZipException e = assertThrows(ZipException.class, () -> gunzip(concat(member, tails[0])));
    assertTrue(e.getMessage().contains("is not gzip"), e.getMessage());
  }

  @Test
  void truncatedCorruptOrNotGzip_failWithWhatIsWrong() {
    byte[] member = gzip(text(new SplittableRandom(3), 200_000));
    for (int cut : new int[] {5, 20, member.length / 2, member.length - 4}) {
      byte[] shorter = Arrays.copyOf(member, cut);
      IOException e = assertThrows(EOFException.class, () -> gunzip(shorter), "cut at " + cut);
      assertTrue(e.getMessage().contains("unexpected end of gzip data"), e.getMessage());
    }
    byte[] badCrc = member.clone();
    badCrc[member.length - 6] ^= 1;
    ZipException crc = assertThrows(ZipException.class, () -> gunzip(badCrc));
    assertTrue(crc.getMessage().contains("CRC or length"), crc.getMessage());

    byte[] badData = member.clone();
    Arrays.fill(badData, 10, 40, (byte) 0xff);
    assertThrows(ZipException.class, () -> gunzip(badData));

    ZipException notGzip =
        assertThrows(
            ZipException.class, () -> gunzip("plain text\n".getBytes(StandardCharsets.UTF_8)));
    assertTrue(notGzip.getMessage().contains("not in gzip format"), notGzip.getMessage());
    ZipException empty = assertThrows(ZipException.class, () -> gunzip(new byte[0]));
    assertTrue(empty.getMessage().contains("no data"), empty.getMessage());

    byte[] method = member.clone();
    method[2] = 7;
    ZipException m = assertThrows(ZipException.class, () -> gunzip(method));
    assertTrue(m.getMessage().contains("compression method 7"), m.getMessage());
  }

  @Test
  void singleByteReads_andClose_closeTheSource() throws IOException {
    byte[] data = "one\ntwo\n".getBytes(StandardCharsets.UTF_8);
    AtomicBoolean closed = new AtomicBoolean();
    InputStream source =
        new ByteArrayInputStream(gzip(data)) {
          @Override
          public void close() {
            closed.set(true);
          }
        };
    InputStream in = new GzipInput(source, 3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      out.write(b);
    }
    assertArrayEquals(data, out.toByteArray());
    assertEquals(-1, in.read());
    in.close();
    assertTrue(closed.get());
    assertThrows(IOException.class, in::read);
  }

  @Test
  void aFailedHeader_throwsFromTheConstructor_andFileSelectionClosesTheSource() {
    AtomicBoolean closed = new AtomicBoolean();
    InputStream source =
        new ByteArrayInputStream("not gzip".getBytes(StandardCharsets.UTF_8)) {
          @Override
          public void close() {
            closed.set(true);
          }
        };
    assertThrows(ZipException.class, () -> FileSelection.gunzipped(source, true));
    assertTrue(closed.get());
  }
}
