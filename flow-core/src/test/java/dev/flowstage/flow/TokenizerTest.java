package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

final class TokenizerTest {

  @Test
  void words_mixedText_lowercasesLettersAndDigitsRuns() {
    assertEquals(
        List.of("the", "river", "42", "times", "b2b"),
        Tokenizer.WORDS.tokens("The RIVER, 42 times -- B2B!"));
  }

  @Test
  void words_innerApostrophes_areKept() {
    assertEquals(
        List.of("don't", "rock'n'roll", "quoted", "dogs"),
        Tokenizer.WORDS.tokens("don't rock'n'roll 'quoted' dogs'"));
  }

  @Test
  void words_typographicApostrophe_isWrittenAsAscii() {
    assertEquals(List.of("don't", "it's"), Tokenizer.WORDS.tokens("Don\u2019t it's"));
  }

  @Test
  void words_unicodeLetters_areWordCharacters() {
    assertEquals(
        List.of("café", "straße", "日本語", "ünïcode"),
        Tokenizer.WORDS.tokens("Café STRAßE; 日本語 — Ünïcode"));
  }

  @Test
  void words_dottedCapitalI_usesRootLocaleNotTurkish() {
    // Locale.ROOT maps I to i; a Turkish default locale would give a dotless ı.
    assertEquals(List.of("istanbul"), Tokenizer.WORDS.tokens("ISTANBUL"));
  }

  @Test
  void words_supplementaryCharacters_areWalkedByCodePoint() {
    assertEquals(List.of("a\uD835\uDC00b"), Tokenizer.WORDS.tokens("a\uD835\uDC00b \uD83D\uDE00"));
  }

  @Test
  void words_noWordCharacters_givesNothing() {
    assertEquals(List.of(), Tokenizer.WORDS.tokens(" -- ' ... "));
  }

  @Test
  void space_keepsCaseAndPunctuation_skipsEmptyTokens() {
    assertEquals(
        List.of("The", "river,", "don't", "STOP!", "a\tb"),
        Tokenizer.SPACE.tokens("  The river,  don't STOP! a\tb "));
  }

  @Test
  void space_emptyLine_givesNothing() {
    assertEquals(List.of(), Tokenizer.SPACE.tokens(""));
    assertEquals(List.of(), Tokenizer.SPACE.tokens("   "));
  }

  @Test
  void apply_isTokens_soATokenizerIsAFlatMapFunction() {
    SerializableFunction<String, ? extends Iterable<String>> f = Tokenizer.SPACE;
    assertEquals(List.of("a", "b"), f.apply(" a  b "));
  }
}
