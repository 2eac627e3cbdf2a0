package dev.flowstage.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * How a line of text is cut into words, as a function to pass to {@link Flow#flatMap}: {@code
 * flatMap(Tokenizer.SPACE)} turns each line into its words.
 *
 * {@snippet class=dev.flowstage.flow.snippets.FlowSnippets region=frequencies}
 *
 * <p>{@link #SPACE} is the word of Elixir Flow's README ({@code String.split(line, " ")}, empty
 * strings dropped) and of the benchmarks; {@link #WORDS} is the default of {@code flowstage
 * wordcount}. A flow that reads files, splits them with a {@code Tokenizer} and counts the words
 * ({@code fromFiles(...).flatMap(tokenizer).frequencies()}) runs, on the local engine, on a byte
 * path that never makes a {@code String} per word (docs/adr/0009-fused-file-word-count.md), with
 * exactly the result of the plan as written. Enum constants are serializable, so a flow using one
 * also runs on flow-flink.
 */
public enum Tokenizer implements SerializableFunction<String, List<String>> {
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
   * Returns the words of one line, in order, as {@link #tokens}: what {@link Flow#flatMap} calls.
   *
   * @param line a line without its line terminator
   * @return a new mutable list of the line's words, empty if it has none
   */
  @Override
  public List<String> apply(String line) {
    return tokens(line);
  }

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
   * Passes the words of one line, in order, to {@code sink}, without building a list (for loops
   * that count words themselves).
   *
   * @param line a line without its line terminator
   * @param sink receives each word
   */
  public abstract void forEachToken(String line, Consumer<? super String> sink);

  private static boolean isApostrophe(int cp) {
    return cp == '\'' || cp == '\u2019';
  }
}
