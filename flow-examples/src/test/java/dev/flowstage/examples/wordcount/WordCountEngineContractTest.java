package dev.flowstage.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import dev.flowstage.flow.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link WordCountEngine} against a sequential count as the oracle, over seeded random texts,
 * stage counts and batch sizes.
 */
final class WordCountEngineContractTest {
  private static final String[] VOCABULARY = {
    "the", "The", "river", "don't", "Don\u2019t", "42", "café", "a", "b", "stage", "STAGE", "'q'"
  };
  private static final String[] SEPARATORS = {" ", "  ", ", ", "\t", "! ", " -- "};

  @TempDir Path dir;

  static List<Supplier<WordCountEngine>> engines() {
    // The standard engine, one whose combiners flush every few words (many shards per stage), and
    // one whose byte path (files, space tokenizer) reads chunks of a few bytes and flushes often.
    return List.of(
        FlowWordCountEngine::new,
        () -> new FlowWordCountEngine(3),
        () -> new FlowWordCountEngine(2, 13, true));
  }

  static Stream<Arguments> enginesAndSeeds() {
    int tries = Integer.getInteger("properties.tries", 40);
    return engines().stream()
        .flatMap(e -> IntStream.range(0, tries).mapToObj(seed -> Arguments.of(e, seed)));
  }

  static Stream<Arguments> engineList() {
    return engines().stream().map(Arguments::of);
  }

  @ParameterizedTest
  @MethodSource("enginesAndSeeds")
  void run_randomTexts_matchesSequentialCount(Supplier<WordCountEngine> engine, int seed)
      throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    int files = 1 + random.nextInt(3);
    List<Input> inputs = new ArrayList<>();
    List<String> allLines = new ArrayList<>();
    long bytes = 0;
    for (int f = 0; f < files; f++) {
      StringBuilder text = new StringBuilder();
      int lines = random.nextInt(300);
      for (int l = 0; l < lines; l++) {
        StringBuilder line = new StringBuilder();
        int words = random.nextInt(12);
        for (int w = 0; w < words; w++) {
          line.append(VOCABULARY[random.nextInt(VOCABULARY.length)]);
          line.append(SEPARATORS[random.nextInt(SEPARATORS.length)]);
        }
        allLines.add(line.toString());
        text.append(line).append('\n');
      }
      Path file = dir.resolve("f" + f + ".txt");
      Files.writeString(file, text, StandardCharsets.UTF_8);
      bytes += Files.size(file);
      inputs.add(new Input.FileInput(file, Files.size(file)));
    }
    Tokenizer tokenizer = random.nextBoolean() ? Tokenizer.WORDS : Tokenizer.SPACE;
    int top = 1 + random.nextInt(15);
    WordCountJob job =
        new WordCountJob(
            inputs,
            tokenizer,
            top,
            1 + random.nextInt(4),
            1 + random.nextInt(50),
            StandardCharsets.UTF_8);

    WordCountResult result = engine.get().run(job, new LongAdder());

    Map<String, Long> oracle = new HashMap<>();
    long words = 0;
    for (String line : allLines) {
      for (String word : tokenizer.tokens(line)) {
        oracle.merge(word, 1L, Long::sum);
        words++;
      }
    }
    List<WordFrequency> expectedTop =
        oracle.entrySet().stream()
            .map(e -> new WordFrequency(e.getKey(), e.getValue()))
            .sorted(WordFrequency.BY_COUNT_THEN_WORD)
            .limit(top)
            .toList();
    String context = "seed " + seed + ", job " + job;
    assertEquals(expectedTop, result.top(), context);
    assertEquals(words, result.words(), context);
    assertEquals(oracle.size(), result.distinct(), context);
    assertEquals(allLines.size(), result.lines(), context);
    assertEquals(bytes, result.bytes(), context);
    assertEquals(files, result.files(), context);
    assertEquals(0, result.malformed(), context);
  }

  @ParameterizedTest
  @MethodSource("engineList")
  void run_tiedCounts_breaksTiesByWordAscending(Supplier<WordCountEngine> engine)
      throws IOException {
    Path file = dir.resolve("ties.txt");
    Files.writeString(file, "pear apple fig\nfig apple pear\nzebra\n");
    WordCountJob job =
        new WordCountJob(
            List.of(new Input.FileInput(file, Files.size(file))),
            Tokenizer.WORDS,
            3,
            3,
            1,
            StandardCharsets.UTF_8);
    assertEquals(
        List.of(
            new WordFrequency("apple", 2),
            new WordFrequency("fig", 2),
            new WordFrequency("pear", 2)),
        engine.get().run(job, new LongAdder()).top());
  }

  @ParameterizedTest
  @MethodSource("engineList")
  void run_malformedBytes_areCountedNotFatal(Supplier<WordCountEngine> engine) throws IOException {
    Path file = dir.resolve("bad.txt");
    Files.write(file, new byte[] {'o', 'k', ' ', (byte) 0xFF, (byte) 0xFE, '\n', 'o', 'k'});
    WordCountResult result =
        engine.get().run(WordCountJob.of(List.of(new Input.FileInput(file, 8))), new LongAdder());
    assertEquals(List.of(new WordFrequency("ok", 2)), result.top());
    assertEquals(2, result.malformed());
    assertEquals(2, result.lines());
  }

  @ParameterizedTest
  @MethodSource("engineList")
  void run_fileVanishedBeforeTheRun_throwsNamingIt(Supplier<WordCountEngine> engine)
      throws IOException {
    Path good = dir.resolve("good.txt");
    Files.writeString(good, "word\n".repeat(10_000));
    Path gone = dir.resolve("gone.txt");
    WordCountJob job =
        new WordCountJob(
            List.of(new Input.FileInput(good, Files.size(good)), new Input.FileInput(gone, 1)),
            Tokenizer.WORDS,
            10,
            2,
            10,
            StandardCharsets.UTF_8);
    IOException e = assertThrows(IOException.class, () -> engine.get().run(job, new LongAdder()));
    assertTrue(e.getMessage().contains("gone.txt"), e.getMessage());
  }

  @ParameterizedTest
  @MethodSource("engineList")
  void run_filesAndSampleTogether_countsBoth(Supplier<WordCountEngine> engine) throws IOException {
    Path file = dir.resolve("extra.txt");
    Files.writeString(file, "zyzzyva zyzzyva\n");
    SampleText text = SampleText.ofLines(100);
    WordCountJob job =
        new WordCountJob(
            List.of(new Input.FileInput(file, Files.size(file)), new Input.SampleInput(text)),
            Tokenizer.WORDS,
            1000,
            2,
            7,
            StandardCharsets.UTF_8);
    WordCountResult result = engine.get().run(job, new LongAdder());
    assertEquals(101, result.lines());
    assertEquals(text.totalBytes() + Files.size(file), result.bytes());
    assertTrue(result.top().contains(new WordFrequency("zyzzyva", 2)), result.top().toString());
  }

  @ParameterizedTest
  @MethodSource("engineList")
  void run_sameWordsThroughBytePathAndLinePath_areCountedAsOneWordEach(
      Supplier<WordCountEngine> engine) throws IOException {
    // The plain file and the .gz copy take the byte path and the UTF-16 copy (its byte order mark
    // says so) the line path: a word reaches its counting stage as bytes (ASCII) or as a String
    // (other), from either path, and must be one word with one count (and one stage) either way.
    StringBuilder text = new StringBuilder();
    SplittableRandom random = new SplittableRandom(15);
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < 3_000; i++) {
      String word = VOCABULARY[random.nextInt(VOCABULARY.length)] + random.nextInt(40);
      text.append(word).append(i % 9 == 8 ? "\n" : " ");
      expected.merge(word, 3L, Long::sum);
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    Path plain = dir.resolve("words.txt");
    Files.write(plain, bytes);
    Path gz = dir.resolve("words.txt.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(bytes);
    }
    Path utf16 = dir.resolve("words-16.txt");
    Files.write(utf16, ("\ufeff" + text).getBytes(StandardCharsets.UTF_16LE));
    WordCountJob job =
        new WordCountJob(
            List.of(
                new Input.FileInput(plain, Files.size(plain)),
                new Input.FileInput(gz, Files.size(gz)),
                new Input.FileInput(utf16, Files.size(utf16))),
            Tokenizer.SPACE,
            Integer.MAX_VALUE,
            3,
            7,
            StandardCharsets.UTF_8,
            true);
    WordCountResult result = engine.get().run(job, new LongAdder());
    assertEquals(expected.size(), result.distinct());
    assertEquals(9_000, result.words());
    Map<String, Long> top = new HashMap<>();
    result.top().forEach(f -> top.put(f.word(), f.count()));
    assertEquals(expected, top);
  }

  @ParameterizedTest
  @MethodSource("engineList")
  void run_sample_countsEveryLineOfIt(Supplier<WordCountEngine> engine) throws IOException {
    SampleText text = SampleText.ofLines(2_000);
    WordCountResult result =
        engine.get().run(WordCountJob.of(List.of(new Input.SampleInput(text))), new LongAdder());
    assertEquals(2_000, result.lines());
    assertEquals(text.totalBytes(), result.bytes());
    assertEquals("the", result.top().get(0).word());
  }
}
