import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Verifies a Maven repository directory (what {@code mvn deploy} wrote to a file repository)
 * against what Maven Central requires of each published artifact, plus Flowstage's own rules.
 * Prints every problem, each naming the artifact and the missing item, and exits 1 if there is
 * any; exits 0 and prints a one-line summary otherwise. Run by {@code scripts/release-check}.
 *
 * <p>Usage: {@code java ReleaseCheck.java [--signed] REPO_DIR BOM_ARTIFACT_ID
 * [UNPUBLISHED_ARTIFACT_ID...]}; with {@code --signed}, every file also needs its {@code .asc}.
 */
public final class ReleaseCheck {
  private final Path repo;
  private final boolean signed;
  private final Set<String> problems = new LinkedHashSet<>(); // one line per distinct problem
  private final Map<String, Pom> pomsByCoordinates = new TreeMap<>();

  private ReleaseCheck(Path repo, boolean signed) {
    this.repo = repo;
    this.signed = signed;
  }

  public static void main(String[] args) throws Exception {
    boolean signed = args.length > 0 && args[0].equals("--signed");
    if (signed) {
      args = List.of(args).subList(1, args.length).toArray(String[]::new);
    }
    if (args.length < 2) {
      System.err.println(
          "usage: java ReleaseCheck.java [--signed] REPO_DIR BOM_ARTIFACT_ID"
              + " [UNPUBLISHED_ARTIFACT_ID...]");
      System.exit(2);
    }
    Path repo = Path.of(args[0]);
    if (!Files.isDirectory(repo)) {
      System.err.println("release-check: " + repo + " is not a directory (nothing was deployed?)");
      System.exit(1);
    }
    ReleaseCheck check = new ReleaseCheck(repo, signed);
    List<String> published = check.run(args[1], List.of(args).subList(2, args.length));
    if (!check.problems.isEmpty()) {
      check.problems.forEach(p -> System.err.println("release-check: " + p));
      System.err.println(
          "release-check: FAILED, "
              + check.problems.size()
              + " problem(s); see docs/guides/using-flowstage.md (publishing a module)");
      System.exit(1);
    }
    System.out.println(
        "release-check: OK, " + published.size() + " artifacts ready for Maven Central: " + published);
  }

  /** One deployed pom: where it is and what it says. */
  private record Pom(Path file, Element project) {
    String own(String path) {
      Element e = project;
      for (String name : path.split("/")) {
        e = child(e, name);
        if (e == null) {
          return null;
        }
      }
      String text = e.getTextContent().strip();
      return text.isEmpty() ? null : text;
    }

    String base() {
      String name = file.getFileName().toString();
      return name.substring(0, name.length() - ".pom".length());
    }
  }

  private List<String> run(String bomArtifactId, List<String> unpublished) throws Exception {
    List<Path> versionDirs;
    try (Stream<Path> files = Files.walk(repo)) {
      versionDirs =
          files
              .filter(f -> f.getFileName().toString().endsWith(".pom"))
              .map(Path::getParent)
              .distinct()
              .sorted()
              .toList();
    }
    if (versionDirs.isEmpty()) {
      problems.add("no pom in " + repo + ": nothing was deployed");
      return List.of();
    }
    List<Pom> poms = new ArrayList<>();
    for (Path dir : versionDirs) {
      Pom pom = read(newestPom(dir));
      poms.add(pom);
      String artifactId = pom.own("artifactId");
      String groupId = firstNonNull(pom.own("groupId"), pom.own("parent/groupId"));
      String version = firstNonNull(pom.own("version"), pom.own("parent/version"));
      pomsByCoordinates.put(groupId + ":" + artifactId + ":" + version, pom);
    }
    List<String> published = new ArrayList<>();
    Set<String> jarArtifacts = new TreeSet<>();
    for (Pom pom : poms) {
      String artifactId = pom.own("artifactId");
      published.add(artifactId);
      String packaging = firstNonNull(pom.own("packaging"), "jar");
      checkPom(artifactId, pom);
      checkFile(artifactId, "pom", pom.file());
      if (!packaging.equals("pom")) {
        jarArtifacts.add(artifactId);
        Path dir = pom.file().getParent();
        Path jar = dir.resolve(pom.base() + ".jar");
        Path sources = dir.resolve(pom.base() + "-sources.jar");
        Path javadoc = dir.resolve(pom.base() + "-javadoc.jar");
        if (checkFile(artifactId, "jar", jar)) {
          checkModuleName(artifactId, jar);
        }
        if (checkFile(artifactId, "sources jar", sources)) {
          checkHolds(artifactId, "sources jar", sources, ".java");
        }
        if (checkFile(artifactId, "javadoc jar", javadoc)) {
          checkHolds(artifactId, "javadoc jar", javadoc, "index.html");
        }
      }
      if (unpublished.contains(artifactId)) {
        problems.add(
            artifactId
                + ": deployed, but it is not a library (it sets flowstage.publish.skip): check"
                + " that its pom still sets <flowstage.publish.skip>true</flowstage.publish.skip>");
      }
    }
    checkBom(bomArtifactId, poms, jarArtifacts, unpublished);
    return published;
  }

  /** The pom and what Central requires of it, inherited values resolved through deployed parents. */
  private void checkPom(String artifactId, Pom pom) {
    String what = artifactId + ": pom has no ";
    if (inherited(pom, "groupId") == null && pom.own("parent/groupId") == null) {
      problems.add(what + "<groupId>");
    }
    if (inherited(pom, "version") == null && pom.own("parent/version") == null) {
      problems.add(what + "<version>");
    }
    // Maven does not inherit <name>, and each module says what it is in its own description.
    if (pom.own("name") == null) {
      problems.add(what + "<name> of its own");
    }
    if (pom.own("description") == null) {
      problems.add(what + "<description> of its own");
    }
    for (String required :
        List.of(
            "url",
            "licenses/license/name",
            "licenses/license/url",
            "developers/developer/name",
            "scm/url",
            "scm/connection")) {
      if (inherited(pom, required) == null) {
        problems.add(what + "<" + required.replace("/", "><") + "> (own or inherited)");
      }
    }
  }

  /** The value of path in pom or, if absent there, in its nearest deployed ancestor. */
  private String inherited(Pom pom, String path) {
    for (Pom p = pom; p != null; p = parentOf(p)) {
      String value = p.own(path);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private Pom parentOf(Pom pom) {
    if (pom.own("parent/artifactId") == null) {
      return null;
    }
    String key =
        pom.own("parent/groupId") + ":" + pom.own("parent/artifactId") + ":"
            + pom.own("parent/version");
    Pom parent = pomsByCoordinates.get(key);
    if (parent == null) {
      problems.add(pom.own("artifactId") + ": its parent " + key + " is not deployed");
    }
    return parent;
  }

  /**
   * Whether file exists (else reports it); it needs the .sha1 and .md5 checksums Central wants, and
   * its .asc signature when the release was signed.
   */
  private boolean checkFile(String artifactId, String what, Path file) {
    if (!Files.isRegularFile(file)) {
      problems.add(artifactId + ": missing " + what + " (" + file.getFileName() + ")");
      return false;
    }
    for (String sum : List.of(".sha1", ".md5")) {
      if (!Files.isRegularFile(file.resolveSibling(file.getFileName() + sum))) {
        problems.add(artifactId + ": missing " + sum.substring(1) + " checksum of its " + what);
      }
    }
    if (signed && !Files.isRegularFile(file.resolveSibling(file.getFileName() + ".asc"))) {
      problems.add(artifactId + ": missing signature (.asc) of its " + what);
    }
    return true;
  }

  private void checkModuleName(String artifactId, Path jar) throws IOException {
    try (JarFile jf = new JarFile(jar.toFile())) {
      boolean descriptor = jf.getEntry("module-info.class") != null;
      String automatic =
          jf.getManifest() == null
              ? null
              : jf.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
      if (!descriptor && automatic == null) {
        problems.add(
            artifactId
                + ": jar has no stable module name (no module-info.class and no"
                + " Automatic-Module-Name in its manifest)");
      }
    }
  }

  private void checkHolds(String artifactId, String what, Path jar, String suffix)
      throws IOException {
    try (JarFile jf = new JarFile(jar.toFile())) {
      if (jf.stream().noneMatch(e -> e.getName().endsWith(suffix))) {
        problems.add(artifactId + ": " + what + " holds no " + suffix + " file");
      }
    }
  }

  /** The BOM lists every published jar and nothing else, and has no parent to leak versions. */
  private void checkBom(
      String bomArtifactId, List<Pom> poms, Set<String> jarArtifacts, List<String> unpublished) {
    Optional<Pom> found =
        poms.stream().filter(p -> bomArtifactId.equals(p.own("artifactId"))).findFirst();
    if (found.isEmpty()) {
      problems.add(bomArtifactId + ": missing (the BOM was not deployed)");
      return;
    }
    Pom bom = found.get();
    if (child(bom.project(), "parent") != null) {
      problems.add(
          bomArtifactId
              + ": has a <parent>, so importing it would also import the parent's dependency"
              + " management; flatten it (flatten-maven-plugin, flattenMode bom)");
    }
    Set<String> listed = new TreeSet<>();
    Element management = child(bom.project(), "dependencyManagement");
    Element dependencies = management == null ? null : child(management, "dependencies");
    if (dependencies != null) {
      for (Node n = dependencies.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element dependency && dependency.getTagName().equals("dependency")) {
          listed.add(child(dependency, "artifactId").getTextContent().strip());
        }
      }
    }
    for (String artifactId : jarArtifacts) {
      if (!listed.contains(artifactId)) {
        problems.add(
            artifactId + ": published but not in " + bomArtifactId + " (add it to its pom.xml)");
      }
    }
    for (String artifactId : listed) {
      if (!jarArtifacts.contains(artifactId)) {
        problems.add(
            bomArtifactId
                + ": lists "
                + artifactId
                + ", which is not published"
                + (unpublished.contains(artifactId) ? " (it sets flowstage.publish.skip)" : ""));
      }
    }
  }

  /** The newest pom in a version directory: snapshot deploys add timestamped ones. */
  private static Path newestPom(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".pom"))
          .max(Comparator.comparing(ReleaseCheck::modified).thenComparing(Path::toString))
          .orElseThrow();
    }
  }

  private static long modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private Pom read(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (InputStream in = Files.newInputStream(file)) {
      Document doc = factory.newDocumentBuilder().parse(in);
      return new Pom(file, doc.getDocumentElement());
    }
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }
}
