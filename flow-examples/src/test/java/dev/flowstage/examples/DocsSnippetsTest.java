package dev.flowstage.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Code in the docs this module owns is copied from compiled sources, never typed freehand: every
 * {@code java} block follows a {@code <!-- snippet: NAME (PATH) -->} marker and equals the region
 * between {@code // snippet-start: NAME} and {@code // snippet-end: NAME} in PATH.
 */
final class DocsSnippetsTest {
  /** Tests run in the module directory; the docs are one level up. */
  private static final Path ROOT = Path.of("..");

  private static final Pattern MARKED_BLOCK =
      Pattern.compile(
          "<!-- snippet: (\\S+) \\((\\S+)\\) -->\\s*```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern ANY_JAVA_BLOCK = Pattern.compile("```java\\n");

  /**
   * The READMEs and every guide in docs/guides (read from the folder, so a new guide is checked
   * too), except using-flowstage.md, whose one Java block is a module declaration that
   * UsingFlowstageDocTest checks against the modules' sources.
   */
  static Stream<Path> ownedDocs() throws IOException {
    List<Path> guides;
    try (Stream<Path> files = Files.list(ROOT.resolve("docs/guides"))) {
      guides =
          files
              .filter(p -> p.toString().endsWith(".md"))
              .filter(p -> !p.getFileName().toString().equals("using-flowstage.md"))
              .sorted()
              .toList();
    }
    return Stream.concat(
        Stream.of("README.md", "flow-examples/README.md").map(ROOT::resolve), guides.stream());
  }

  @Test
  void everyGuideIsChecked() throws IOException {
    assertTrue(ownedDocs().anyMatch(p -> p.endsWith("docs/guides/flow.md")), "the guides are read");
  }

  @ParameterizedTest
  @MethodSource("ownedDocs")
  void javaBlocks_areCopiesOfCompiledRegions(Path doc) throws IOException {
    String text = Files.readString(doc);
    Matcher m = MARKED_BLOCK.matcher(text);
    int marked = 0;
    while (m.find()) {
      marked++;
      Path source = ROOT.resolve(m.group(2));
      assertTrue(Files.exists(source), doc + ": snippet source missing: " + source);
      String region = region(Files.readString(source), m.group(1), source);
      assertEquals(
          region, m.group(3), doc + ": snippet '" + m.group(1) + "' drifted from " + source);
    }
    long blocks = ANY_JAVA_BLOCK.matcher(text).results().count();
    assertEquals(blocks, marked, doc + ": a java block without a snippet marker (freehand code)");
  }

  /** The lines between the region markers, with their common indentation removed. */
  static String region(String source, String name, Path path) {
    List<String> lines = new ArrayList<>();
    boolean inside = false;
    boolean found = false;
    for (String line : source.lines().toList()) {
      String t = line.strip();
      if (t.equals("// snippet-start: " + name)) {
        inside = true;
        found = true;
      } else if (t.equals("// snippet-end: " + name)) {
        inside = false;
      } else if (inside && !t.startsWith("// snippet-") && !t.startsWith("// @")) {
        // "// @start region=..." and "// @end" mark the same code for javadoc's {@snippet}
        lines.add(line);
      }
    }
    assertTrue(found, "no region '" + name + "' in " + path);
    assertFalse(inside, "region '" + name + "' not closed in " + path);
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
      lines.remove(lines.size() - 1);
    }
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    StringBuilder out = new StringBuilder();
    for (String l : lines) {
      out.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
    }
    return out.toString();
  }
}
