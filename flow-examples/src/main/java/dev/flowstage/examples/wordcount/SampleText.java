package dev.flowstage.examples.wordcount;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * The text {@code flowstage wordcount} counts when given no path: sentences of a short text written
 * for this project ({@code sample.txt} in this package), drawn in a fixed pseudo-random order until
 * the text is large enough to keep every core busy.
 *
 * <p>The same seed and line count always give the same text, so counts are reproducible; nothing is
 * held in memory but the source sentences.
 */
public final class SampleText {
  /** Lines in the default sample (about 16 MB of text). */
  public static final int DEFAULT_LINES = 200_000;

  private static final long SEED = 2026_11_27L;
  private static final String RESOURCE = "/dev/flowstage/examples/sample.txt";

  private final List<String> sentences;
  private final int[] sentenceBytes;
  private final int lines;
  private final long totalBytes;

  private SampleText(List<String> sentences, int lines) {
    this.sentences = sentences;
    this.lines = lines;
    this.sentenceBytes = new int[sentences.size()];
    for (int i = 0; i < sentenceBytes.length; i++) {
      sentenceBytes[i] = sentences.get(i).getBytes(StandardCharsets.UTF_8).length + 1; // + '\n'
    }
    long total = 0;
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = 0; i < lines; i++) {
      total += sentenceBytes[random.nextInt(sentenceBytes.length)];
    }
    this.totalBytes = total;
  }

  /** {@return the default sample, {@value #DEFAULT_LINES} lines} */
  public static SampleText standard() {
    return ofLines(DEFAULT_LINES);
  }

  /**
   * Returns a sample of {@code lines} lines (tests use small ones).
   *
   * @param lines how many lines, at least 1
   * @return the sample
   */
  public static SampleText ofLines(int lines) {
    if (lines < 1) {
      throw new IllegalArgumentException("lines must be at least 1, got " + lines);
    }
    return new SampleText(loadSentences(), lines);
  }

  /** {@return the number of lines} */
  public int lineCount() {
    return lines;
  }

  /** {@return the size of the text in UTF-8 bytes, line terminators included} */
  public long totalBytes() {
    return totalBytes;
  }

  /**
   * Returns the text as lines, one sentence per line.
   *
   * @param bytesRead told the UTF-8 size of each line as it is produced
   * @return a fresh line source starting at the first line
   */
  public LineSource lines(LongConsumer bytesRead) {
    SplittableRandom random = new SplittableRandom(SEED);
    return new LineSource() {
      private int produced;

      @Override
      public String nextLine() {
        if (produced == lines) {
          return null;
        }
        produced++;
        int i = random.nextInt(sentences.size());
        bytesRead.accept(sentenceBytes[i]);
        return sentences.get(i);
      }

      @Override
      public long malformed() {
        return 0;
      }

      @Override
      public void close() {}
    };
  }

  /** Splits the resource into sentences: text up to and including '.', '!' or '?', reflowed. */
  private static List<String> loadSentences() {
    String text;
    try (InputStream in = SampleText.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE + " (a broken build?)");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> out = new ArrayList<>();
    StringBuilder sentence = new StringBuilder();
    for (String word : text.split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      if (!sentence.isEmpty()) {
        sentence.append(' ');
      }
      sentence.append(word);
      char last = word.charAt(word.length() - 1);
      if (last == '.' || last == '!' || last == '?' || last == ':' || last == ';') {
        out.add(sentence.toString());
        sentence.setLength(0);
      }
    }
    if (!sentence.isEmpty()) {
      out.add(sentence.toString());
    }
    return List.copyOf(out);
  }
}
