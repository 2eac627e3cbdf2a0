package dev.flowstage.flow;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Invariants of the tokenizers over arbitrary text. */
final class TokenizerProperties {

  @Test
  void wordsAreLowercaseRunsOfLettersDigitsAndInnerApostrophes() {
    qt().withFixedSeed(20_261_127L)
        .withExamples(2_000)
        .forAll(strings().allPossible().ofLengthBetween(0, 60))
        .checkAssert(
            line -> {
              for (String w : Tokenizer.WORDS.tokens(line)) {
                if (w.isEmpty()
                    || !w.equals(w.toLowerCase(Locale.ROOT))
                    || w.startsWith("'")
                    || w.endsWith("'")
                    || w.contains("''")
                    || !w.codePoints().allMatch(TokenizerProperties::mayAppearInWord)) {
                  throw new AssertionError("bad word " + w + " from " + line);
                }
              }
            });
  }

  @Test
  void spaceTokensRejoinedEqualTheLineWithoutExtraSpaces() {
    qt().withFixedSeed(20_261_127L)
        .withExamples(2_000)
        .forAll(strings().betweenCodePoints(' ', '~').ofLengthBetween(0, 60))
        .checkAssert(
            line -> {
              String rejoined = String.join(" ", Tokenizer.SPACE.tokens(line));
              String expected = line.strip().replaceAll(" +", " ");
              if (!rejoined.equals(expected)) {
                throw new AssertionError(rejoined + " != " + expected);
              }
            });
  }

  /**
   * Letters, digits, the apostrophe, and the combining marks lowercasing itself produces: {@code
   * "\u0130".toLowerCase(Locale.ROOT)} (capital I with dot above) is {@code i} + U+0307.
   */
  private static boolean mayAppearInWord(int c) {
    return c == '\''
        || Character.isLetterOrDigit(c)
        || Character.getType(c) == Character.NON_SPACING_MARK;
  }
}
