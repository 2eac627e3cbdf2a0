package dev.flowstage.test;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The testing guide shows the kit through examples copied from compiled, run tests. That every
 * {@code java} block follows a {@code <!-- snippet: NAME (PATH) -->} marker and equals that region
 * of PATH is checked for every guide by flow-examples' DocsSnippetsTest ({@code
 * scripts/update-snippets} refreshes the blocks); this test only keeps the guide showing them.
 */
final class GuideSnippetsTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern MARKED_BLOCK =
      Pattern.compile(
          "<!-- snippet: (\\S+) \\((\\S+)\\) -->\\s*```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void testingGuide_showsAtLeastFourCheckedExamples() throws IOException {
    String text = Files.readString(ROOT.resolve("docs/guides/testing.md"));
    long marked = MARKED_BLOCK.matcher(text).results().count();
    assertTrue(marked >= 4, "the guide shows at least four checked examples");
  }
}
