package dev.flowstage.bench.wordcount;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates the word count corpus: lines of Zipf-distributed words separated by single spaces,
 * deterministic for a given size (fixed seed), so every machine counts the same text.
 *
 * <p>The vocabulary has {@value #VOCABULARY} distinct words; the word of rank {@code r} (from 1) is
 * drawn with probability proportional to {@code 1 / r} (Zipf, exponent 1), as in natural text.
 * Frequent words are short and rare ones long. Some words are capitalized, some carry trailing
 * punctuation and some a non-ASCII letter: the space tokenizer keeps case and punctuation, so these
 * are distinct tokens, and the UTF-8 decoder has real work. Lines hold 4 to 16 words. The file
 * stops at the first line end at or after the requested size; a smaller corpus is a prefix of a
 * larger one.
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.wordcount.CorpusGenerator 256m target/corpus/words-256m.txt
 * }
 */
public final class CorpusGenerator {
  /** Number of distinct words the corpus draws from. */
  public static final int VOCABULARY = 500_000;

  /** The seed; changing it changes every published number. */
  public static final long SEED = 20261127L;

  private static final String ACCENTED = "éèüöñçåø";

  private CorpusGenerator() {}

  /**
   * Writes a corpus of at least {@code size} bytes to {@code file}, atomically (a partial file is
   * never left under the final name).
   *
   * <p>Arguments: {@code SIZE FILE}, where SIZE is bytes with an optional {@code k}, {@code m} or
   * {@code g} suffix (powers of 1024); or {@code --files COUNT SIZE DIR} for the same text cut into
   * many small files ({@link #generateFiles}).
   *
   * @param args the size and the output file
   * @throws IOException if the file cannot be written
   */
  public static void main(String[] args) throws IOException {
    if (args.length == 4 && args[0].equals("--files")) {
      int count = Integer.parseInt(args[1]);
      long size = parseSize(args[2]);
      Path dir = Path.of(args[3]);
      long start = System.nanoTime();
      long written = generateFiles(count, size, dir);
      System.err.printf(
          Locale.ROOT,
          "generated %s: %d files, %d bytes in %.1f s%n",
          dir,
          count,
          written,
          (System.nanoTime() - start) / 1e9);
      return;
    }
    if (args.length != 2) {
      System.err.println(
          "usage: CorpusGenerator SIZE FILE | --files COUNT SIZE DIR   (SIZE like 16m, 256m, 1g)");
      System.exit(2);
    }
    long size = parseSize(args[0]);
    Path file = Path.of(args[1]);
    long start = System.nanoTime();
    long written = generate(size, file);
    System.err.printf(
        Locale.ROOT,
        "generated %s: %d bytes in %.1f s%n",
        file,
        written,
        (System.nanoTime() - start) / 1e9);
  }

  /**
   * Parses a size such as {@code 16m} or {@code 1g} (powers of 1024) or a plain byte count.
   *
   * @param text the size
   * @return the number of bytes
   */
  public static long parseSize(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    long unit = 1;
    char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
    switch (last) {
      case 'k' -> unit = 1L << 10;
      case 'm' -> unit = 1L << 20;
      case 'g' -> unit = 1L << 30;
      default -> {}
    }
    String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
    try {
      long n = Long.parseLong(digits);
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(n, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "bad size \"" + text + "\": use a positive number of bytes, optionally with k, m or g");
    }
  }

  /**
   * Writes the corpus.
   *
   * @param size the minimum number of bytes
   * @param file the destination
   * @return the number of bytes written
   * @throws IOException if the file cannot be written
   */
  public static long generate(long size, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".partial");
    long written;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      written = write(size, out);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return written;
  }

  /** How many folders {@link #generateFiles} spreads its files over. */
  static final int FOLDERS = 200;

  /**
   * Writes the corpus of {@code size} bytes cut at line ends into {@code count} files of about
   * equal size, spread over {@link #FOLDERS} folders ({@code d000/f000000.txt} ..., in order): a
   * folder of many small files, as logs come. Their concatenation in path order is {@link #write}'s
   * text. Atomic: the folder appears under its name only when complete.
   *
   * @param count how many files, at least 1
   * @param size the minimum number of bytes in all
   * @param dir the folder to create (replaced if it exists)
   * @return the number of bytes written
   * @throws IOException if a file cannot be written
   */
  public static long generateFiles(int count, long size, Path dir) throws IOException {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
    long written = write(size, text);
    byte[] all = text.toByteArray();
    Path tmp = dir.resolveSibling(dir.getFileName() + ".partial");
    deleteTree(tmp);
    int from = 0;
    for (int f = 0; f < count; f++) {
      // The file ends at the first line end at or after its share of the text.
      long share = (long) all.length * (f + 1) / count;
      int to = f == count - 1 ? all.length : (int) Math.min(all.length, Math.max(from, share));
      while (to < all.length && to > 0 && all[to - 1] != '\n') {
        to++;
      }
      Path file =
          tmp.resolve(
              String.format(Locale.ROOT, "d%03d/f%06d.txt", (int) ((long) f * FOLDERS / count), f));
      Files.createDirectories(file.getParent());
      Files.write(file, java.util.Arrays.copyOfRange(all, from, to));
      from = to;
    }
    deleteTree(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    return written;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * Writes at least {@code size} bytes of corpus to {@code out}.
   *
   * @param size the minimum number of bytes
   * @param out where to write
   * @return the number of bytes written
   * @throws IOException if writing fails
   */
  public static long write(long size, OutputStream out) throws IOException {
    byte[][] words = Vocabulary.WORDS;
    Alias zipf = Vocabulary.ZIPF;
    SplittableRandom random = new SplittableRandom(SEED + 1);
    long written = 0;
    while (written < size) {
      int n = 4 + random.nextInt(13);
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          out.write(' ');
          written++;
        }
        byte[] w = words[zipf.sample(random)];
        out.write(w);
        written += w.length;
      }
      out.write('\n');
      written++;
    }
    return written;
  }

  /** The vocabulary and its distribution, built once per JVM (tests write several corpora). */
  private static final class Vocabulary {
    static final byte[][] WORDS = vocabulary(new SplittableRandom(SEED));
    static final Alias ZIPF = Alias.zipf(VOCABULARY);
  }

  /** The vocabulary, most frequent first, each word unique, as UTF-8 bytes. */
  private static byte[][] vocabulary(SplittableRandom random) {
    Set<String> seen = new HashSet<>(VOCABULARY * 2);
    byte[][] words = new byte[VOCABULARY][];
    StringBuilder sb = new StringBuilder();
    for (int rank = 0; rank < VOCABULARY; ) {
      sb.setLength(0);
      // Length grows with the log of the rank: "the", "of" ... up to long rare words.
      int length = 1 + (int) (Math.log(rank + 2) / Math.log(4)) + random.nextInt(4);
      for (int i = 0; i < length; i++) {
        sb.append((char) ('a' + random.nextInt(26)));
      }
      int variant = random.nextInt(100);
      if (variant < 6) {
        sb.setCharAt(0, Character.toUpperCase(sb.charAt(0)));
      } else if (variant < 9) {
        sb.append(variant < 8 ? ',' : '.');
      } else if (variant < 11) {
        sb.setCharAt(
            random.nextInt(sb.length()), ACCENTED.charAt(random.nextInt(ACCENTED.length())));
      }
      String word = sb.toString();
      if (seen.add(word)) {
        words[rank++] = word.getBytes(StandardCharsets.UTF_8);
      }
    }
    return words;
  }

  /**
   * Walker's alias method (Vose's variant): O(1) sampling from a fixed discrete distribution, so
   * that a 1 GiB corpus is generated in seconds.
   */
  static final class Alias {
    private final double[] probability;
    private final int[] alias;

    private Alias(double[] probability, int[] alias) {
      this.probability = probability;
      this.alias = alias;
    }

    static Alias zipf(int n) {
      double[] weights = new double[n];
      for (int r = 0; r < n; r++) {
        weights[r] = 1.0 / (r + 1);
      }
      return of(weights);
    }

    static Alias of(double[] weights) {
      int n = weights.length;
      double total = 0;
      for (double w : weights) {
        total += w;
      }
      double[] scaled = new double[n];
      int[] small = new int[n];
      int[] large = new int[n];
      int ns = 0;
      int nl = 0;
      for (int i = 0; i < n; i++) {
        scaled[i] = weights[i] * n / total;
        if (scaled[i] < 1) {
          small[ns++] = i;
        } else {
          large[nl++] = i;
        }
      }
      double[] probability = new double[n];
      int[] alias = new int[n];
      while (ns > 0 && nl > 0) {
        int s = small[--ns];
        int l = large[--nl];
        probability[s] = scaled[s];
        alias[s] = l;
        scaled[l] = scaled[l] + scaled[s] - 1;
        if (scaled[l] < 1) {
          small[ns++] = l;
        } else {
          large[nl++] = l;
        }
      }
      while (nl > 0) {
        probability[large[--nl]] = 1;
      }
      while (ns > 0) {
        probability[small[--ns]] = 1; // only rounding error leaves these
      }
      return new Alias(probability, alias);
    }

    int sample(SplittableRandom random) {
      int i = random.nextInt(probability.length);
      return random.nextDouble() < probability[i] ? i : alias[i];
    }
  }
}
