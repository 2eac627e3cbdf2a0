package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Javadoc examples are compiled code, in every published module (the ones flowstage-bom lists):
 * every Java {@code {@snippet}} in a module's main sources names a class and a region of that
 * module's test sources, the region exists, and the module's pom gives javadoc that folder as
 * {@code --snippet-path}. Inline Java snippets and {@code <pre>{@code ...}} examples, which nothing
 * compiles, are not allowed. The classes that hold the regions are named so that surefire runs them
 * ({@code *Snippets}, see the parent pom), so every example also runs.
 */
final class JavadocSnippetsTest {
  private static final Path ROOT = Path.of("..");
  private static final Path MAIN = Path.of("src", "main", "java");
  private static final Path SNIPPETS = Path.of("src", "test", "java");
  private static final Pattern MODULE = Pattern.compile("<artifactId>(flow-[a-z-]+)</artifactId>");
  private static final Pattern EXTERNAL =
      Pattern.compile("\\{@snippet class=(\\S+) region=(\\S+)\\}");
  private static final Pattern INLINE = Pattern.compile("\\{@snippet\\s*:");
  // the parent pom's surefire includes: a region of any other class would compile but never run
  private static final Pattern RUN_BY_SUREFIRE = Pattern.compile(".*(Snippets|Test|Tests)");
  private static final Pattern PRE_CODE = Pattern.compile("<pre>\\s*\\{@code");

  /** The published modules: the artifacts flowstage-bom manages. */
  private static List<String> publishedModules() throws IOException {
    Matcher m = MODULE.matcher(Files.readString(ROOT.resolve("flowstage-bom").resolve("pom.xml")));
    List<String> modules = new ArrayList<>();
    while (m.find()) {
      modules.add(m.group(1));
    }
    return modules;
  }

  @Test
  void everyJavaSnippet_isARegionOfACompiledTestSource_inEveryPublishedModule() throws IOException {
    List<String> modules = publishedModules();
    assertTrue(
        modules.containsAll(List.of("flow-stages", "flow-core", "flow-micrometer", "flow-test")),
        "flowstage-bom lists the published modules: " + modules);
    List<String> problems = new ArrayList<>();
    Map<String, Integer> found = new TreeMap<>();
    for (String module : modules) {
      Path dir = ROOT.resolve(module);
      int snippets = 0;
      try (Stream<Path> files = Files.walk(dir.resolve(MAIN))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
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
            snippets++;
            Path source = dir.resolve(SNIPPETS).resolve(m.group(1).replace('.', '/') + ".java");
            if (!RUN_BY_SUREFIRE.matcher(m.group(1)).matches()) {
              problems.add(
                  f + ": snippet class " + m.group(1) + " is not run as a test; name it *Snippets");
            }
            if (!Files.exists(source)) {
              problems.add(f + ": snippet class " + m.group(1) + " not found at " + source);
            } else if (!Files.readString(source).contains("// @start region=" + m.group(2))) {
              problems.add(f + ": no region " + m.group(2) + " in " + source);
            }
          }
        }
      }
      if (snippets > 0 && !Files.readString(dir.resolve("pom.xml")).contains("--snippet-path")) {
        problems.add(module + "/pom.xml: javadoc needs --snippet-path src/test/java");
      }
      found.put(module, snippets);
    }
    assertEquals(List.of(), problems);
    // The modules whose public API has examples keep them as compiled regions.
    for (String module : List.of("flow-core", "flow-stages", "flow-micrometer", "flow-test")) {
      assertTrue(found.get(module) > 0, module + " has no snippet region: " + found);
    }
  }
}
