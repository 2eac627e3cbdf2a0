package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Javadoc examples are compiled code: every Java {@code {@snippet}} in flow-core's main sources
 * names a class and a region of the test sources (javadoc's {@code --snippet-path}), and the region
 * exists. Inline Java snippets and {@code <pre>{@code ...}} examples, which nothing compiles, are
 * not allowed.
 */
final class JavadocSnippetsTest {
  private static final Path MAIN = Path.of("src", "main", "java");
  private static final Path SNIPPETS = Path.of("src", "test", "java");
  private static final Pattern EXTERNAL =
      Pattern.compile("\\{@snippet class=(\\S+) region=(\\S+)\\}");
  private static final Pattern INLINE = Pattern.compile("\\{@snippet\\s*:");
  private static final Pattern PRE_CODE = Pattern.compile("<pre>\\s*\\{@code");

  @Test
  void everyJavaSnippet_isARegionOfACompiledTestSource() throws IOException {
    List<String> problems = new ArrayList<>();
    int found = 0;
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String text = Files.readString(f);
        if (INLINE.matcher(text).find()) {
          problems.add(f + ": inline Java snippet; move it to a region of a test source");
        }
        if (PRE_CODE.matcher(text).find()) {
          problems.add(
              f + ": <pre>{@code example, which nothing compiles; make it a snippet region");
        }
        Matcher m = EXTERNAL.matcher(text);
        while (m.find()) {
          found++;
          Path source = SNIPPETS.resolve(m.group(1).replace('.', '/') + ".java");
          if (!Files.exists(source)) {
            problems.add(f + ": snippet class " + m.group(1) + " not found at " + source);
          } else if (!Files.readString(source).contains("// @start region=" + m.group(2))) {
            problems.add(f + ": no region " + m.group(2) + " in " + source);
          }
        }
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(found >= 2, "Flow's examples are external snippets");
  }
}
