package dev.flowstage.flow.logic;

import dev.flowstage.flow.FileOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which files a file source reads under its {@link FileOptions}, for every engine (the local file
 * source and flow-flink's, which walks Flink's file systems): walked files and folders whose name
 * starts with {@code .} are skipped unless {@code includeHidden}, walked files must match one of
 * the globs when there are any, a file named explicitly is always read, and a file that looks
 * binary is skipped unless {@code includeBinary}. Names are file names, not paths.
 */
public final class FileSelection {
  /** How much of a file's start is looked at for a byte order mark and NUL bytes. */
  public static final int SNIFF_BYTES = 8192;

  private final FileOptions options;
  private final List<PathMatcher> globs = new ArrayList<>();

  /**
   * The selection the options describe.
   *
   * @param options the file options (their globs are valid: {@code FileOptions} checks them)
   */
  public FileSelection(FileOptions options) {
    this.options = options;
    for (String glob : options.globs()) {
      globs.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
    }
  }

  /**
   * Whether a file or folder met while walking is skipped as hidden: its name starts with {@code .}
   * and {@code includeHidden} is unset. {@link #walksInto} and {@link #reads} skip exactly these,
   * so a walker that counts what it left out (the CLI's notes) tells them from glob misses with it.
   *
   * @param name the file's or folder's name
   * @return whether it is skipped for being hidden
   */
  public boolean skipsAsHidden(String name) {
    return !options.includeHidden() && name.startsWith(".");
  }

  /**
   * Whether a folder met while walking is walked into (not the folder the walk starts at).
   *
   * @param name the folder's name
   * @return false for a hidden folder unless {@code includeHidden}
   */
  public boolean walksInto(String name) {
    return !skipsAsHidden(name);
  }

  /**
   * Whether a file met while walking a folder is read (a named file always is).
   *
   * @param name the file's name
   * @return whether it passes the hidden-file rule and the globs
   */
  public boolean reads(String name) {
    if (skipsAsHidden(name)) {
      return false;
    }
    if (globs.isEmpty()) {
      return true;
    }
    Path p = Path.of(name);
    for (PathMatcher m : globs) {
      if (m.matches(p)) {
        return true;
      }
    }
    return false;
  }

  /** Why a walk left an entry of a folder out. */
  public enum Skip {
    /** A hidden file or folder ({@code .name}) and {@code includeHidden} unset. */
    HIDDEN,
    /** A symbolic link, and {@code followLinks} unset. */
    LINK,
    /** A symbolic link whose target is missing or cannot be read ({@code followLinks} set). */
    BROKEN_LINK,
    /** A link to a folder that holds it: following it would walk forever. */
    LOOP,
    /** Neither a regular file, a folder nor a link: a pipe, a socket or a device. */
    SPECIAL
  }

  /**
   * Told each entry a walk leaves out (a folder once, not what is in it), with the reason; entries
   * the globs do not match are not told: they are not what was asked for.
   */
  @FunctionalInterface
  public interface Skipped {
    /**
     * Hears about one entry left out.
     *
     * @param path the entry, named under the folder given
     * @param why why it was left out
     */
    void skipped(Path path, Skip why);
  }

  /**
   * The regular files under a local folder that this selection reads, in path order: the one walk
   * of the Flow file source, the CLI and flow-flink's local listing. Folders it does not {@link
   * #walksInto walk into} are skipped whole; links inside are skipped unless {@code followLinks},
   * and then followed except into a folder that holds them (a walk never loops); pipes, sockets and
   * devices inside are skipped. The folder itself is walked even when hidden, and followed when it
   * is a link, since the user named it. Files are named under {@code folder} as given, also when it
   * or a link on the way is a link.
   *
   * @param folder the folder, or a link to one
   * @param skipped told each entry left out and why
   * @return the files, sorted
   * @throws IOException if a folder cannot be read
   */
  public List<Path> walk(Path folder, Skipped skipped) throws IOException {
    return walkSized(folder, skipped).stream().map(Listed::path).toList();
  }

  /**
   * A walked file and its size as the walk saw it, so that a reader needs no second look.
   *
   * @param path the file, named under the folder given
   * @param size its size in bytes
   */
  public record Listed(Path path, long size) {}

  /**
   * As {@link #walk}, with each file's size from the walk's own look at it.
   *
   * @param folder the folder, or a link to one
   * @param skipped told each entry left out and why
   * @return the files with their sizes, in path order
   * @throws IOException if a folder cannot be read
   */
  public List<Listed> walkSized(Path folder, Skipped skipped) throws IOException {
    Path start = Files.isSymbolicLink(folder) ? folder.toRealPath() : folder;
    List<Listed> found = new ArrayList<>();
    Set<FileVisitOption> follow =
        options.followLinks() ? EnumSet.of(FileVisitOption.FOLLOW_LINKS) : Set.of();
    Files.walkFileTree(
        start,
        follow,
        Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          /** A path met under {@code start}, named under {@code folder}. */
          private Path named(Path p) {
            return start == folder ? p : folder.resolve(start.relativize(p));
          }

          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (!dir.equals(start) && !walksInto(name(dir))) {
              skipped.skipped(named(dir), Skip.HIDDEN);
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            String name = name(file);
            if (skipsAsHidden(name)) {
              skipped.skipped(named(file), Skip.HIDDEN);
            } else if (attrs.isRegularFile()) {
              if (reads(name)) {
                found.add(new Listed(named(file), attrs.size()));
              }
            } else if (attrs.isSymbolicLink()) {
              // Not followed; or followed, and the walk could only read the link itself.
              skipped.skipped(named(file), options.followLinks() ? Skip.BROKEN_LINK : Skip.LINK);
            } else if (attrs.isOther()) {
              skipped.skipped(named(file), Skip.SPECIAL); // read once, it could block forever
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof FileSystemLoopException) {
              skipped.skipped(named(file), Skip.LOOP);
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    found.sort(Comparator.comparing(Listed::path));
    return found;
  }

  /** A walked path's name ("" for a root, which is never hidden). */
  private static String name(Path path) {
    Path name = path.getFileName();
    return name == null ? "" : name.toString();
  }

  /**
   * Whether a file is gunzipped while read: named {@code *.gz} and {@code decompress} set.
   *
   * @param name the file's name or path
   * @return whether to decompress it
   */
  public boolean decompresses(String name) {
    return options.decompress() && name.endsWith(".gz");
  }

  /**
   * Opens a local file's bytes, gunzipped if {@code gunzip}: the one way every reader (the Flow
   * file source, the CLI) opens a file.
   *
   * @param path the file
   * @param gunzip whether to read it through a gunzipping stream
   * @return its (decompressed) bytes
   * @throws IOException if it cannot be opened, or does not start with a gzip header when asked
   */
  public static InputStream open(Path path, boolean gunzip) throws IOException {
    return gunzipped(Files.newInputStream(path), gunzip);
  }

  /**
   * Returns {@code in}, through a gunzipping stream if {@code gunzip}; closes {@code in} when its
   * gzip header cannot be read, so a failed open leaks nothing. The gunzipping stream reads every
   * member of the file, checks each one's CRC and length, and fails a read when something other
   * than zero bytes follows the last member, naming its offset.
   *
   * @param in the raw bytes
   * @param gunzip whether to decompress them
   * @return the bytes to read
   * @throws IOException if {@code gunzip} and {@code in} does not start with a gzip header
   */
  public static InputStream gunzipped(InputStream in, boolean gunzip) throws IOException {
    if (!gunzip) {
      return in;
    }
    try {
      return new GzipInput(in, 1 << 16);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /**
   * The charset a file is read in, from its first bytes: the one its byte order mark names when
   * {@code charsetFromBom} (or when the mark is {@code charset}'s own), else {@code charset}.
   *
   * @param head the file's first bytes (decompressed), at least four unless the file is shorter
   * @param charset the flow's charset
   * @return the charset and the length of the mark to skip (0 when none is skipped)
   */
  public Marked charset(byte[] head, Charset charset) {
    Charset mark = Lines.bomCharset(head);
    if (mark != null && (options.charsetFromBom() || mark.equals(charset))) {
      return new Marked(mark, Lines.bomLength(mark));
    }
    return new Marked(charset, 0);
  }

  /**
   * Whether a file is skipped as binary: {@code includeBinary} unset and a NUL byte in its first
   * {@link #SNIFF_BYTES} bytes, unless it is read in a UTF-16/32 charset (whose text has NULs).
   *
   * @param head the file's first bytes (decompressed)
   * @param charset the charset it is read in
   * @return whether to skip it
   */
  public boolean skipsAsBinary(byte[] head, Charset charset) {
    if (options.includeBinary()
        || charset.name().startsWith("UTF-16")
        || charset.name().startsWith("UTF-32")) {
      return false;
    }
    for (byte b : head) {
      if (b == 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * A file's charset and the byte order mark skipped at its start.
   *
   * @param charset the charset the file is read in
   * @param bom the length in bytes of the mark skipped, 0 for none
   */
  public record Marked(Charset charset, int bom) {}
}
