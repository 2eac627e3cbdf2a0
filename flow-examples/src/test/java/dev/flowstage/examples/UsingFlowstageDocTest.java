package dev.flowstage.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The "using Flowstage in your build" guide names every published module (the BOM's list) with the
 * JPMS name its jar really has, so the guide cannot fall behind when a module is added.
 */
final class UsingFlowstageDocTest {
  /** Tests run in the module directory; the repository root is one level up. */
  private static final Path ROOT = Path.of("..");

  private static final Path GUIDE = ROOT.resolve("docs/guides/using-flowstage.md");
  private static final Pattern BOM_ARTIFACT =
      Pattern.compile(
          "<groupId>dev\\.flowstage</groupId>\\s*<artifactId>([^<]+)</artifactId>", Pattern.DOTALL);
  private static final Pattern MODULE_DECLARATION =
      Pattern.compile("^(?:open\\s+)?module\\s+([\\w.]+)\\s*\\{", Pattern.MULTILINE);
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  /** A {@code requires} line of the example, also one commented out as an alternative. */
  private static final Pattern REQUIRES =
      Pattern.compile(
          "^\\s*(?://\\s*)?requires\\s+(?:transitive\\s+)?([\\w.]+)\\s*;", Pattern.MULTILINE);

  private static final Pattern AUTOMATIC_NAME =
      Pattern.compile("<Automatic-Module-Name>([^<]+)</Automatic-Module-Name>");

  static List<String> publishedModules() throws IOException {
    String pom = Files.readString(ROOT.resolve("flowstage-bom/pom.xml"));
    String bom = pom.substring(pom.indexOf("<dependencyManagement>")); // not the <parent>
    return BOM_ARTIFACT.matcher(bom).results().map(m -> m.group(1)).toList();
  }

  @Test
  void theBomListsTheLibraries() throws IOException {
    assertTrue(
        publishedModules().containsAll(List.of("flow-stages", "flow-core", "flow-flink")),
        "flowstage-bom/pom.xml lost a library: " + publishedModules());
  }

  @ParameterizedTest
  @MethodSource("publishedModules")
  void guideHasARowWithTheModuleName(String artifactId) throws IOException {
    String name =
        moduleName(artifactId)
            .orElseThrow(
                () ->
                    new AssertionError(
                        artifactId
                            + " has no stable module name: add a module-info.java or an"
                            + " Automatic-Module-Name manifest entry in its pom"));
    Optional<String> row =
        Files.readAllLines(GUIDE).stream()
            .filter(l -> l.startsWith("| `" + artifactId + "` |"))
            .findFirst();
    assertTrue(
        row.isPresent(),
        GUIDE + " has no row for the published module " + artifactId + " in its module table");
    assertTrue(
        row.get().contains("`" + name + "`"),
        GUIDE + ": the row of " + artifactId + " must give its module name `" + name + "`");
  }

  @Test
  void theModuleDeclarationExample_requiresPublishedModules() throws IOException {
    Matcher block = JAVA_BLOCK.matcher(Files.readString(GUIDE));
    assertTrue(block.find(), GUIDE + " shows a module declaration");
    String code = block.group(1);
    assertFalse(block.find(), GUIDE + ": one Java block only (others belong in a checked guide)");
    List<String> names = new ArrayList<>();
    for (String artifactId : publishedModules()) {
      moduleName(artifactId).ifPresent(names::add);
    }
    Matcher requires = REQUIRES.matcher(code);
    int checked = 0;
    while (requires.find()) {
      checked++;
      assertTrue(
          names.contains(requires.group(1)),
          GUIDE + ": requires " + requires.group(1) + ", which no published module is named");
    }
    assertTrue(checked >= 1, "the example requires a module");
  }

  @Test
  void moduleNamesAreReadFromTheSources() throws IOException {
    assertEquals(Optional.of("dev.flowstage.flow"), moduleName("flow-core"));
    assertEquals(Optional.of("dev.flowstage.flink"), moduleName("flow-flink"));
    assertFalse(moduleName("flow-examples").isPresent(), "flow-examples is not a named module");
  }

  /** The name in module-info.java, else the pom's Automatic-Module-Name, else none. */
  private static Optional<String> moduleName(String artifactId) throws IOException {
    Path descriptor = ROOT.resolve(artifactId).resolve("src/main/java/module-info.java");
    if (Files.exists(descriptor)) {
      Matcher m = MODULE_DECLARATION.matcher(Files.readString(descriptor));
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
    Matcher m = AUTOMATIC_NAME.matcher(Files.readString(ROOT.resolve(artifactId + "/pom.xml")));
    return m.find() ? Optional.of(m.group(1).strip()) : Optional.empty();
  }
}
