package dev.flowstage.flow.logic;

import dev.flowstage.flow.FileOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

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

  /**
   * Whether a regular file listed at {@code size} bytes is read to its end, as a stream, rather
   * than split by its size: a size of 0 says nothing, since the files of {@code /proc} and {@code
   * /sys} (and of other virtual file systems) report 0 and still have content. Every engine reads
   * such a file whole; an empty file costs the one open that finds it empty.
   *
   * @param size the size the file was listed at
   * @return whether the size cannot be trusted
   */
  public static boolean readsToEnd(long size) {
    return size == 0;
  }

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

  /** Why a walk left an entry of a folder out, or a reader a file ({@link #BINARY}). */
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
    SPECIAL,
    /**
     * A file whose first block looks binary ({@link #skipsAsBinary}) and {@code includeBinary}
     * unset: told by the reader that looks at it, not by the walk.
     */
    BINARY;

    /**
     * The reason as a flow's statistics name it ({@code FlowStatistics.skippedFiles}): {@code
     * hidden}, {@code link}, {@code broken link}, {@code loop}, {@code special}, {@code binary}.
     *
     * @return the lower-case name, words apart
     */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
  }

  /**
   * Told each entry a walk leaves out (a folder once, not what is in it), with the reason; entries
   * the globs do not match are not told: they are not what was asked for.
   *
   * @param <P> how the walked file system names a path
   */
  @FunctionalInterface
  public interface Skipped<P> {
    /**
     * Hears about one entry left out.
     *
     * @param path the entry, named under the folder given
     * @param why why it was left out
     */
    void skipped(P path, Skip why);
  }

  /** What an entry met by a walk is, as {@link Tree} tells it. */
  public enum Kind {
    /** A folder (or, when links are followed, a link to one). */
    FOLDER,
    /** A regular file (or, when links are followed, a link to one). */
    FILE,
    /** A symbolic link, not followed. */
    LINK,
    /** A symbolic link that was to be followed, whose target is missing or cannot be read. */
    BROKEN_LINK,
    /** Neither a regular file, a folder nor a link: a pipe, a socket or a device. */
    SPECIAL
  }

  /**
   * One path as a {@link Tree} sees it.
   *
   * @param <P> how the file system names a path
   * @param path the path, named under the folder listed as given
   * @param name its last name (what the hidden rule and the globs look at)
   * @param kind what it is
   * @param size its size in bytes, for a {@link Kind#FILE file}
   * @param key what tells a folder apart from the same folder reached through a link (a file key),
   *     so that a walk following links does not loop; {@code null} on file systems without links
   */
  public record Entry<P>(P path, String name, Kind kind, long size, Object key) {}

  /**
   * What {@link #walk(Tree, Object, Skipped)} needs of a file system: a look at one path and a
   * folder's entries. {@link #LOCAL} is {@code java.nio}'s default file system; flow-flink views
   * Flink's {@code FileSystem} (S3, HDFS, ...) through one, so every engine selects files with the
   * one walk. A file system without links or pipes never answers {@link Kind#LINK}, {@link
   * Kind#BROKEN_LINK} or {@link Kind#SPECIAL}.
   *
   * @param <P> how the file system names a path
   */
  public interface Tree<P> {
    /**
     * What a path is, a link followed (a path the user named is always followed).
     *
     * @param path the path
     * @return what it is, or {@code null} if nothing is there
     * @throws IOException if it cannot be looked at
     */
    Entry<P> look(P path) throws IOException;

    /**
     * A folder's entries, in any order (the walk sorts what it finds).
     *
     * @param folder the folder, named as the walk reached it
     * @param followLinks whether a link is seen as what it points to ({@link Kind#BROKEN_LINK} when
     *     that cannot be read) or as a {@link Kind#LINK}
     * @return the entries, each named under {@code folder}; {@code null} when the folder may not be
     *     read
     * @throws IOException if the folder or an entry cannot be looked at
     */
    List<Entry<P>> list(P folder, boolean followLinks) throws IOException;

    /**
     * How a path is named in an error: a local path as a local path, whatever view reads it.
     *
     * @param path the path
     * @return its name for messages
     */
    String named(P path);
  }

  /** The local file system, {@code java.nio}'s default one, as a {@link Tree}. */
  public static final Tree<Path> LOCAL = new LocalTree();

  /** {@link #LOCAL}: one look per entry, as {@code Files.walkFileTree} takes. */
  private static final class LocalTree implements Tree<Path> {
    @Override
    public Entry<Path> look(Path path) throws IOException {
      BasicFileAttributes attributes;
      try {
        attributes = Files.readAttributes(path, BasicFileAttributes.class);
      } catch (NoSuchFileException e) {
        return null;
      }
      return entry(path, attributes, true);
    }

    @Override
    public List<Entry<Path>> list(Path folder, boolean followLinks) throws IOException {
      DirectoryStream<Path> stream;
      try {
        stream = Files.newDirectoryStream(folder);
      } catch (AccessDeniedException e) {
        return null; // the walk says so, as every file system's walk does
      }
      List<Entry<Path>> entries = new ArrayList<>();
      try (stream) {
        for (Path p : stream) {
          entries.add(entry(p, attributes(p, followLinks), followLinks));
        }
      } catch (DirectoryIteratorException e) {
        throw e.getCause();
      }
      return entries;
    }

    /** An entry's attributes: a link's target's when followed and readable, else the link's. */
    private static BasicFileAttributes attributes(Path p, boolean followLinks) throws IOException {
      if (!followLinks) {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      }
      try {
        return Files.readAttributes(p, BasicFileAttributes.class);
      } catch (IOException e) {
        try { // a broken link: its own attributes say so (Files.walkFileTree looks the same way)
          return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException again) {
          e.addSuppressed(again);
          throw e;
        }
      }
    }

    private static Entry<Path> entry(Path p, BasicFileAttributes a, boolean followed)
        throws IOException {
      Kind kind;
      if (a.isDirectory()) {
        kind = Kind.FOLDER;
      } else if (a.isRegularFile()) {
        kind = Kind.FILE;
      } else if (a.isSymbolicLink()) {
        kind = followed ? Kind.BROKEN_LINK : Kind.LINK;
      } else {
        kind = Kind.SPECIAL;
      }
      Object key = null;
      if (followed && kind == Kind.FOLDER) {
        // Only a walk following links can meet a folder twice.
        key = a.fileKey() != null ? a.fileKey() : p.toRealPath();
      }
      return new Entry<>(p, name(p), kind, a.size(), key);
    }

    @Override
    public String named(Path path) {
      return path.toString();
    }
  }

  /**
   * What a path the user named is, a link followed: the one look every engine takes at a named path
   * before walking or reading it.
   *
   * @param <P> how the file system names a path
   * @param tree the file system
   * @param path the path named
   * @return what it is
   * @throws NoSuchFileException naming it ({@link Tree#named}) if nothing is there
   * @throws IOException if it cannot be looked at
   */
  public static <P> Entry<P> named(Tree<P> tree, P path) throws IOException {
    Entry<P> entry = tree.look(path);
    if (entry == null) {
      throw new NoSuchFileException(tree.named(path));
    }
    return entry;
  }

  /**
   * The regular files under a local folder that this selection reads, in path order: the one walk
   * of the Flow file source, the CLI and flow-flink ({@link #walk(Tree, Object, Skipped)} over
   * {@link #LOCAL}).
   *
   * @param folder the folder, or a link to one
   * @param skipped told each entry left out and why
   * @return the files, sorted
   * @throws IOException if a folder cannot be read
   */
  public List<Path> walk(Path folder, Skipped<Path> skipped) throws IOException {
    return walkSized(folder, skipped).stream().map(Listed::path).toList();
  }

  /**
   * A walked file and its size as the walk saw it, so that a reader needs no second look.
   *
   * @param <P> how the walked file system names a path
   * @param path the file, named under the folder given
   * @param size its size in bytes
   */
  public record Listed<P>(P path, long size) {}

  /**
   * As {@link #walk(Path, Skipped)}, with each file's size from the walk's own look at it.
   *
   * @param folder the folder, or a link to one
   * @param skipped told each entry left out and why
   * @return the files with their sizes, in path order
   * @throws IOException if a folder cannot be read
   */
  public List<Listed<Path>> walkSized(Path folder, Skipped<Path> skipped) throws IOException {
    return walk(LOCAL, folder, skipped);
  }

  /**
   * The regular files under a folder of any file system that this selection reads, each with its
   * size, in path order over the whole walk ({@code a-b/m.log} before {@code a/n.log}: names
   * compared by code point, as UTF-8 bytes sort): the one walk of every engine. A hidden entry is
   * skipped as hidden, whatever it is (a folder whole); links inside are skipped unless {@code
   * followLinks}, and then followed except into a folder that holds them (a walk never loops);
   * pipes, sockets and devices inside are skipped. The folder itself is walked even when hidden,
   * and followed when it is a link, since the user named it. Files are named under {@code folder}
   * as given, also when it or a link on the way is a link.
   *
   * @param <P> how the file system names a path
   * @param tree the file system
   * @param folder the folder, or a link to one
   * @param skipped told each entry left out and why
   * @return the files with their sizes, sorted
   * @throws NoSuchFileException naming {@code folder} if it does not exist
   * @throws NotDirectoryException naming {@code folder} if it is not a folder
   * @throws AccessDeniedException naming a folder that may not be read
   * @throws IOException if a folder or an entry cannot be looked at
   */
  public <P> List<Listed<P>> walk(Tree<P> tree, P folder, Skipped<P> skipped) throws IOException {
    Entry<P> start = named(tree, folder);
    if (start.kind() != Kind.FOLDER) {
      throw new NotDirectoryException(tree.named(folder));
    }
    List<Found<P>> found = new ArrayList<>();
    walkInto(tree, start, "", new ArrayList<>(), skipped, found);
    found.sort((a, b) -> byCodePoint(a.relative(), b.relative()));
    List<Listed<P>> files = new ArrayList<>(found.size());
    for (Found<P> f : found) {
      files.add(f.file());
    }
    return files;
  }

  /** A file found, and its path under the walked folder, by which the walk sorts. */
  private record Found<P>(String relative, Listed<P> file) {}

  private <P> void walkInto(
      Tree<P> tree,
      Entry<P> folder,
      String relative,
      List<Object> holding,
      Skipped<P> skipped,
      List<Found<P>> found)
      throws IOException {
    List<Entry<P>> entries = tree.list(folder.path(), options.followLinks());
    if (entries == null) {
      throw new AccessDeniedException(tree.named(folder.path()));
    }
    if (folder.key() != null) {
      holding.add(folder.key());
    }
    for (Entry<P> e : entries) {
      if (skipsAsHidden(e.name())) {
        skipped.skipped(e.path(), Skip.HIDDEN);
        continue;
      }
      switch (e.kind()) {
        case FOLDER -> {
          if (e.key() != null && holding.contains(e.key())) {
            skipped.skipped(e.path(), Skip.LOOP);
          } else {
            walkInto(tree, e, relative + e.name() + "/", holding, skipped, found);
          }
        }
        case FILE -> {
          if (reads(e.name())) {
            found.add(new Found<>(relative + e.name(), new Listed<>(e.path(), e.size())));
          }
        }
        case LINK -> skipped.skipped(e.path(), Skip.LINK);
        case BROKEN_LINK -> skipped.skipped(e.path(), Skip.BROKEN_LINK);
        case SPECIAL -> skipped.skipped(e.path(), Skip.SPECIAL); // read once, it could block
      }
    }
    if (folder.key() != null) {
      holding.remove(holding.size() - 1);
    }
  }

  /**
   * Compares by code point (as the UTF-8 bytes of the names compare, and so local paths on Unix):
   * {@link String#compareTo} would sort a name above U+FFFF before one in U+E000..U+FFFF.
   */
  static int byCodePoint(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        boolean sx = Character.isSurrogate(x);
        if (sx != Character.isSurrogate(y)) {
          return sx ? 1 : -1;
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }

  /** A path's name ("" for a root, which is never hidden). */
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
    return gunzipped(PipeInput.open(path), gunzip); // a pipe is read on a thread of its own
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
