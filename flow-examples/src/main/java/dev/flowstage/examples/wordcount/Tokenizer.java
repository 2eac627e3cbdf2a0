package dev.flowstage.examples.wordcount;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * How a line of text is cut into words.
 *
 * <p>{@link #WORDS} is the default of {@code flowstage wordcount}; {@link #SPACE} is the definition
 * used by the benchmarks and by the word count in Elixir Flow's README ({@code String.split(line, "
 * ")}).
 */
public enum Tokenizer {
  /**
   * Maximal runs of Unicode letters and digits, with inner apostrophes kept ({@code don't} is one
   * word, {@code 'quoted'} is {@code quoted}), lowercased with {@link Locale#ROOT}. The typographic
   * apostrophe U+2019 is accepted and written as U+0027, so {@code don’t} and {@code don't} are the
   * same word.
   */
  WORDS {
    @Override
    public void forEachToken(String line, Consumer<? super String> sink) {
      int n = line.length();
      int i = 0;
      while (i < n) {
        // Skip to the start of a word (one code point read per step).
        int skip;
        while (i < n && !Character.isLetterOrDigit(skip = line.codePointAt(i))) {
          i += Character.charCount(skip);
        }
        if (i >= n) {
          break;
        }
        int start = i;
        boolean typographic = false;
        while (i < n) {
          int cp = line.codePointAt(i);
          if (Character.isLetterOrDigit(cp)) {
            i += Character.charCount(cp);
          } else if (isApostrophe(cp)
              && i + 1 < n
              && Character.isLetterOrDigit(line.codePointAt(i + 1))) {
            // An apostrophe is kept only between two letters or digits.
            typographic |= cp != '\'';
            i++;
          } else {
            break;
          }
        }
        String word = line.substring(start, i).toLowerCase(Locale.ROOT);
        sink.accept(typographic ? word.replace('\u2019', '\'') : word);
      }
    }
  },

  /**
   * The line split on the single space character U+0020, with case and punctuation kept and empty
   * tokens (from repeated spaces) skipped. Tabs and other whitespace stay inside tokens.
   */
  SPACE {
    @Override
    public void forEachToken(String line, Consumer<? super String> sink) {
      int n = line.length();
      int from = 0;
      while (from < n) {
        // String.indexOf is vectorized by the JIT; no per-char loop in Java.
        int space = line.indexOf(' ', from);
        int to = space < 0 ? n : space;
        if (to > from) {
          sink.accept(line.substring(from, to));
        }
        from = to + 1;
      }
    }
  };

  /**
   * Returns the words of one line, in order.
   *
   * @param line a line without its line terminator
   * @return a new mutable list of the line's words, empty if it has none
   */
  public List<String> tokens(String line) {
    // About one word per six characters in prose; sized so most lines never grow the list.
    List<String> out = new ArrayList<>(line.length() / 5 + 2);
    forEachToken(line, out::add);
    return out;
  }

  /**
   * Passes the words of one line, in order, to {@code sink}, without building a list: the counting
   * loop of the word count calls this once per line.
   *
   * @param line a line without its line terminator
   * @param sink receives each word
   */
  public abstract void forEachToken(String line, Consumer<? super String> sink);

  /** {@return the name used on the command line ({@code words}, {@code space})} */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  private static boolean isApostrophe(int cp) {
    return cp == '\'' || cp == '\u2019';
  }
}
