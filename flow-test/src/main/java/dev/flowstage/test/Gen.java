package dev.flowstage.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A seeded generator of events, with optional shrinking: {@link FlowCheck} draws input lists from
 * it and, after a failure, tries the {@link #shrink} candidates of each event to report the
 * smallest failing input. Deliberately tiny: a property-testing library's generators plug in as a
 * lambda ({@code r -> ...}) or through {@link FlowCheck#given(List)}.
 *
 * @param <T> the event type
 */
@FunctionalInterface
public interface Gen<T> {
  /**
   * Draws one event.
   *
   * @param random the source of randomness; all randomness must come from it (seeds reproduce)
   * @return the event
   */
  T next(SplittableRandom random);

  /**
   * Simpler variants of {@code value}, simplest first; none by default.
   *
   * @param value a generated event
   * @return candidates for shrinking
   */
  default Stream<T> shrink(T value) {
    return Stream.empty();
  }

  /**
   * Maps the generated events (shrinking is lost: the map cannot be inverted).
   *
   * @param f the mapping
   * @param <U> the new event type
   * @return a generator of mapped events
   */
  default <U> Gen<U> map(Function<? super T, ? extends U> f) {
    Objects.requireNonNull(f, "f");
    return r -> f.apply(next(r));
  }

  /**
   * Integers in {@code [from, to)}, shrinking toward the bound closest to zero.
   *
   * @param from the lowest value
   * @param to one past the highest value
   * @return the generator
   */
  static Gen<Integer> ints(int from, int to) {
    if (from >= to) {
      throw new IllegalArgumentException("ints needs from < to, got [" + from + ", " + to + ")");
    }
    int target = from > 0 ? from : (to <= 0 ? to - 1 : 0);
    return new Gen<>() {
      @Override
      public Integer next(SplittableRandom random) {
        return random.nextInt(from, to);
      }

      @Override
      public Stream<Integer> shrink(Integer value) {
        if (value == target) {
          return Stream.empty();
        }
        int half = target + (value - target) / 2;
        return half == value ? Stream.of(target) : Stream.of(target, half).distinct();
      }
    };
  }

  /**
   * One of the given values, shrinking toward the first ones.
   *
   * @param values the values, at least one
   * @param <T> the event type
   * @return the generator
   */
  @SafeVarargs
  static <T> Gen<T> oneOf(T... values) {
    List<T> vs = new ArrayList<>();
    for (T v : values) {
      vs.add(Objects.requireNonNull(v, "oneOf values must not be null"));
    }
    if (vs.isEmpty()) {
      throw new IllegalArgumentException("oneOf needs at least one value");
    }
    return new Gen<>() {
      @Override
      public T next(SplittableRandom random) {
        return vs.get(random.nextInt(vs.size()));
      }

      @Override
      public Stream<T> shrink(T value) {
        int i = vs.indexOf(value);
        return i <= 0 ? Stream.empty() : vs.subList(0, i).stream();
      }
    };
  }

  /**
   * Strings of {@code 1..maxLength} characters of {@code alphabet}, shrinking to shorter prefixes.
   *
   * @param alphabet the characters to draw from
   * @param maxLength the longest string, at least 1
   * @return the generator
   */
  static Gen<String> strings(String alphabet, int maxLength) {
    if (alphabet.isEmpty() || maxLength < 1) {
      throw new IllegalArgumentException("strings needs a non-empty alphabet and maxLength >= 1");
    }
    return new Gen<>() {
      @Override
      public String next(SplittableRandom random) {
        int n = random.nextInt(1, maxLength + 1);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
          b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
      }

      @Override
      public Stream<String> shrink(String value) {
        return value.length() <= 1 ? Stream.empty() : Stream.of(value.substring(0, 1));
      }
    };
  }

  /**
   * Lines of {@code 0..maxWords} words of {@code words} joined by single spaces, shrinking by
   * dropping words and shrinking each word.
   *
   * @param words the word generator (its words must not contain spaces or line breaks)
   * @param maxWords the most words on a line
   * @return the generator
   */
  static Gen<String> lines(Gen<String> words, int maxWords) {
    Objects.requireNonNull(words, "words");
    if (maxWords < 0) {
      throw new IllegalArgumentException("maxWords must be >= 0, got: " + maxWords);
    }
    return new Gen<>() {
      @Override
      public String next(SplittableRandom random) {
        int n = random.nextInt(0, maxWords + 1);
        List<String> ws = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          ws.add(words.next(random));
        }
        return String.join(" ", ws);
      }

      @Override
      public Stream<String> shrink(String value) {
        if (value.isEmpty()) {
          return Stream.empty();
        }
        List<String> ws = List.of(value.split(" "));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ws.size(); i++) {
          List<String> dropped = new ArrayList<>(ws);
          dropped.remove(i);
          out.add(String.join(" ", dropped));
        }
        for (int i = 0; i < ws.size(); i++) {
          int at = i;
          words
              .shrink(ws.get(i))
              .forEach(
                  w -> {
                    List<String> c = new ArrayList<>(ws);
                    c.set(at, w);
                    out.add(String.join(" ", c));
                  });
        }
        return out.stream();
      }
    };
  }
}
