package dev.flowstage.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader and writer for the benchmark reports: JMH's {@code -rf json} output, the
 * word count results and {@code flowstage wordcount --json}.
 *
 * <p>Objects read as {@link LinkedHashMap} (key order kept), arrays as {@link ArrayList}, numbers
 * as {@link Long} when integral and {@link Double} otherwise, plus {@link String}, {@link Boolean}
 * and {@code null}. Not a general-purpose library: no streaming, whole documents only; a benchmark
 * module with no JSON dependency keeps the shaded jar small and the baselines' class paths clean.
 */
public final class Json {
  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  /**
   * Parses one JSON document.
   *
   * @param text the document
   * @return the value it holds (map, list, string, number, boolean or null)
   * @throws IllegalArgumentException if the text is not one well-formed JSON value
   */
  public static Object parse(String text) {
    Json p = new Json(text);
    p.skipSpace();
    Object value = p.value();
    p.skipSpace();
    if (p.pos != text.length()) {
      throw p.error("trailing characters after the JSON value");
    }
    return value;
  }

  /**
   * Writes a value as indented JSON.
   *
   * @param value a map with string keys, iterable, string, number, boolean or null (nested freely)
   * @return the JSON text
   */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out, 0);
    return out.append('\n').toString();
  }

  /**
   * Returns {@code map.get(key)} as a map, failing with a message naming the key otherwise.
   *
   * @param map a parsed JSON object
   * @param key the member name
   * @return the member as a map
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(Map<String, Object> map, String key) {
    Object v = map.get(key);
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException("expected an object at \"" + key + "\", found " + v);
    }
    return (Map<String, Object>) v;
  }

  /**
   * Returns {@code map.get(key)} as a list, failing with a message naming the key otherwise.
   *
   * @param map a parsed JSON object
   * @param key the member name
   * @return the member as a list
   */
  @SuppressWarnings("unchecked")
  public static List<Object> array(Map<String, Object> map, String key) {
    Object v = map.get(key);
    if (!(v instanceof List)) {
      throw new IllegalArgumentException("expected an array at \"" + key + "\", found " + v);
    }
    return (List<Object>) v;
  }

  /**
   * Returns {@code map.get(key)} as a number, failing with a message naming the key otherwise.
   *
   * @param map a parsed JSON object
   * @param key the member name
   * @return the member as a number
   */
  public static Number number(Map<String, Object> map, String key) {
    Object v = map.get(key);
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException("expected a number at \"" + key + "\", found " + v);
    }
    return n;
  }

  /**
   * Casts a parsed value to a JSON object.
   *
   * @param value a parsed value
   * @return the value as a map
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> asObject(Object value) {
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException("expected a JSON object, found " + value);
    }
    return (Map<String, Object>) value;
  }

  private Object value() {
    if (pos >= text.length()) {
      throw error("unexpected end of input");
    }
    char c = text.charAt(pos);
    return switch (c) {
      case '{' -> objectValue();
      case '[' -> arrayValue();
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield numberValue();
        }
        throw error("unexpected character '" + c + "'");
      }
    };
  }

  private Map<String, Object> objectValue() {
    Map<String, Object> map = new LinkedHashMap<>();
    pos++;
    skipSpace();
    if (peek() == '}') {
      pos++;
      return map;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("expected a member name in double quotes");
      }
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      map.put(key, value());
      skipSpace();
      char c = next();
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        throw error("expected ',' or '}' in an object");
      }
    }
  }

  private List<Object> arrayValue() {
    List<Object> list = new ArrayList<>();
    pos++;
    skipSpace();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      skipSpace();
      list.add(value());
      skipSpace();
      char c = next();
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        throw error("expected ',' or ']' in an array");
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return sb.toString();
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (pos + 4 > text.length()) {
            throw error("truncated \\u escape");
          }
          sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          pos += 4;
        }
        default -> throw error("bad escape \\" + e);
      }
    }
  }

  private Number numberValue() {
    int start = pos;
    boolean integral = true;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '.' || c == 'e' || c == 'E') {
        integral = false;
      } else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9'))) {
        break;
      }
      pos++;
    }
    String s = text.substring(start, pos);
    try {
      return integral ? (Number) Long.parseLong(s) : (Number) Double.parseDouble(s);
    } catch (NumberFormatException e) {
      // Integers beyond long (none expected) and malformed numbers both end here.
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e2) {
        throw error("bad number " + s);
      }
    }
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, pos)) {
      throw error("expected " + word);
    }
    pos += word.length();
    return value;
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private char peek() {
    if (pos >= text.length()) {
      throw error("unexpected end of input");
    }
    return text.charAt(pos);
  }

  private char next() {
    char c = peek();
    pos++;
    return c;
  }

  private void expect(char c) {
    if (next() != c) {
      pos--;
      throw error("expected '" + c + "'");
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("malformed JSON at offset " + pos + ": " + what);
  }

  private static void write(Object value, StringBuilder out, int indent) {
    switch (value) {
      case null -> out.append("null");
      case String s -> quote(s, out);
      case Boolean b -> out.append(b);
      case Double d when d.isNaN() || d.isInfinite() -> out.append("null");
      case Float f when f.isNaN() || f.isInfinite() -> out.append("null");
      case Number n -> out.append(n);
      case Map<?, ?> map -> {
        if (map.isEmpty()) {
          out.append("{}");
          return;
        }
        out.append("{\n");
        int i = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
          pad(out, indent + 2);
          quote(String.valueOf(e.getKey()), out);
          out.append(": ");
          write(e.getValue(), out, indent + 2);
          out.append(++i < map.size() ? ",\n" : "\n");
        }
        pad(out, indent);
        out.append('}');
      }
      case Iterable<?> list -> {
        List<Object> items = new ArrayList<>();
        list.forEach(items::add);
        if (items.isEmpty()) {
          out.append("[]");
          return;
        }
        out.append("[\n");
        for (int i = 0; i < items.size(); i++) {
          pad(out, indent + 2);
          write(items.get(i), out, indent + 2);
          out.append(i + 1 < items.size() ? ",\n" : "\n");
        }
        pad(out, indent);
        out.append(']');
      }
      default ->
          throw new IllegalArgumentException(
              "cannot write " + value.getClass().getName() + " as JSON; use a map, list or scalar");
    }
  }

  private static void pad(StringBuilder out, int n) {
    out.repeat(' ', n);
  }

  private static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
