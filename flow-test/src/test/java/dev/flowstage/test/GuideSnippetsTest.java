package dev.flowstage.test;

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
import org.junit.jupiter.api.Test;

/**
 * The testing guide's code is copied from compiled, run tests: every {@code java} block follows a
 * {@code <!-- snippet: NAME (PATH) -->} marker and equals that region of PATH (the same rule as
 * flow-examples' DocsSnippetsTest; {@code scripts/update-snippets} refreshes the blocks).
 */
final class GuideSnippetsTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern MARKED_BLOCK =
      Pattern.compile(
          "<!-- snippet: (\\S+) \\((\\S+)\\) -->\\s*```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void testingGuide_javaBlocksAreCopiesOfCompiledRegions() throws IOException {
    Path doc = ROOT.resolve("docs/guides/testing.md");
    String text = Files.readString(doc);
    Matcher m = MARKED_BLOCK.matcher(text);
    int marked = 0;
    while (m.find()) {
      marked++;
      Path source = ROOT.resolve(m.group(2));
      assertTrue(Files.exists(source), "snippet source missing: " + source);
      assertEquals(
          region(Files.readString(source), m.group(1), source),
          m.group(3),
          "snippet '" + m.group(1) + "' drifted from " + source);
    }
    long blocks = Pattern.compile("```java\\n").matcher(text).results().count();
    assertEquals(blocks, marked, "a java block without a snippet marker (freehand code)");
    assertTrue(marked >= 4, "the guide shows at least four checked examples");
  }

  private static String region(String source, String name, Path path) {
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
      } else if (inside && !t.startsWith("// snippet-")) {
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
