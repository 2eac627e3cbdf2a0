package dev.flowstage.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

final class JsonTest {

  static List<Long> seeds() {
    return Arrays.asList(1L, 2L, 3L, 42L, 20261127L);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void writeThenParse_randomDocument_roundTrips(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Object doc = randomValue(random, 0);
    assertEquals(doc, Json.parse(Json.write(doc)), "seed " + seed);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":1,\"b\":[true,false,null,-2.5e3,\"x\\u0041\\n\"]}"})
  void parse_compactDocument_readsEveryKind(String text) {
    Map<String, Object> doc = Json.asObject(Json.parse(text));
    assertEquals(1L, doc.get("a"));
    assertEquals(Arrays.asList(true, false, null, -2500.0, "xA\n"), doc.get("b"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "1 2", "{\"a\":1,}"})
  void parse_malformed_throwsWithOffset(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Json.parse(text));
    assertEquals(true, e.getMessage().startsWith("malformed JSON at offset"), e.getMessage());
  }

  private static Object randomValue(SplittableRandom random, int depth) {
    int kind = random.nextInt(depth > 3 ? 4 : 6);
    return switch (kind) {
      case 0 -> random.nextLong();
      case 1 -> randomString(random);
      case 2 -> random.nextBoolean();
      case 3 -> random.nextInt(1000) / 8.0 + 0.5;
      case 4 -> {
        List<Object> list = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          list.add(randomValue(random, depth + 1));
        }
        yield list;
      }
      default -> {
        Map<String, Object> map = new LinkedHashMap<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          map.put(randomString(random), randomValue(random, depth + 1));
        }
        yield map;
      }
    };
  }

  private static String randomString(SplittableRandom random) {
    String alphabet = "ab \"\\\n\té/{}[],:";
    StringBuilder sb = new StringBuilder();
    int n = random.nextInt(8);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
