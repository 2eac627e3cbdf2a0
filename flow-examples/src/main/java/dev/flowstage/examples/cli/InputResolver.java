package dev.flowstage.examples.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.flowstage.examples.wordcount.FileSniff;
import dev.flowstage.examples.wordcount.Input;
import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.logic.FileSelection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the paths given to {@code wordcount} into inputs: {@code -} is standard input, a directory
 * is every regular file under it (recursively, in path order; hidden ones, files that look binary
 * and names not matching the globs left out as the {@link Selection} says, links left out unless
 * followed, pipes, sockets and devices left out), a file is itself (unless it looks binary), a
 * named pipe is read once as a stream. Every file is opened once here, so a missing or unreadable
 * one is reported before any counting starts.
 */
final class InputResolver {
  private InputResolver() {}

  /** A path that cannot be counted; the message names it and says why, in one line. */
  static final class BadInputException extends Exception {
    private static final long serialVersionUID = 1L;

    BadInputException(String message) {
      super(message);
    }
  }

  /**
   * Which files of a directory are counted.
   *
   * @param includeHidden whether files and folders named {@code .name} are walked
   * @param includeBinary whether files that look binary are counted (named ones too)
   * @param globs patterns the names of walked files must match (any); empty: every file
   * @param charset the charset given with {@code --charset}, or null: a UTF-16/32 one never makes a
   *     file look binary
   * @param followLinks whether links met in directories are followed ({@code --follow-links})
   */
  record Selection(
      boolean includeHidden,
      boolean includeBinary,
      List<String> globs,
      Charset charset,
      boolean followLinks) {
    /** Every file, as before there were filters; links in directories not followed. */
    static final Selection ALL = new Selection(true, true, List.of(), null, false);

    /**
     * Validates the globs.
     *
     * @throws IllegalArgumentException naming a bad glob
     */
    Selection {
      globs = List.copyOf(globs);
      for (String glob : globs) {
        try {
          FileOptions.defaults().globs(glob);
        } catch (IllegalArgumentException e) {
          // The file source's check, in the CLI's words: the option's name and an example. Its
          // cause is the glob parser's own complaint.
          Throwable why = e.getCause() == null ? e : e.getCause();
          throw new IllegalArgumentException(
              "bad --glob '" + glob + "': " + why.getMessage() + " (try '*.log')", e);
        }
      }
    }

    /**
     * The file source's selection for these options: its rules choose the walked files and decide
     * which files look binary.
     */
    FileSelection files() {
      return new FileSelection(
          FileOptions.defaults()
              .includeHidden(includeHidden)
              .includeBinary(includeBinary)
              .globs(globs.toArray(String[]::new))
              .charsetFromBom(charset == null)
              .followLinks(followLinks));
    }
  }

  /**
   * The inputs to count, and how many entries were left out.
   *
   * @param inputs what is counted
   * @param hidden hidden files and folders skipped in walked directories
   * @param binary files skipped because they look binary
   * @param links links skipped in walked directories: not followed, or (with {@code
   *     --follow-links}) broken or looping back to a folder that holds them
   * @param special pipes, sockets and devices skipped in walked directories
   */
  record Resolved(List<Input> inputs, long hidden, long binary, long links, long special) {
    /** Inputs that no walk or filter left anything out of. */
    Resolved(List<Input> inputs) {
      this(inputs, 0, 0, 0, 0);
    }
  }

  static List<Input> resolve(List<String> args, InputStream stdin) throws BadInputException {
    return resolve(args, stdin, Selection.ALL).inputs();
  }

  static Resolved resolve(List<String> args, InputStream stdin, Selection selection)
      throws BadInputException {
    // The file source's rules for walked files, for the charset a file is read in and for looking
    // binary (one definition for both): the mark's charset unless --charset is given, as the
    // count reads it.
    FileSelection files = selection.files();
    boolean globbed = !selection.globs().isEmpty();
    Charset charset = selection.charset() != null ? selection.charset() : UTF_8;
    long[] skips = new long[FileSelection.Skip.values().length];
    List<Input> inputs = new ArrayList<>();
    boolean stdinUsed = false;
    for (String arg : args) {
      if (arg.equals("-")) {
        if (stdinUsed) {
          throw new BadInputException("'-' (standard input) can be given only once");
        }
        stdinUsed = true;
        inputs.add(new Input.StdinInput(stdin));
        continue;
      }
      Path path = Path.of(arg);
      if (Files.isDirectory(path)) {
        long before = Arrays.stream(skips).sum();
        List<Path> found = walk(path, files, skips);
        if (found.isEmpty() && Arrays.stream(skips).sum() == before && !globbed) {
          throw new BadInputException("no regular files under directory " + path);
        }
        for (Path file : found) {
          Input.FileInput input = opened(file); // the walk keeps regular files only
          if (selection.includeBinary() || !looksBinary(input, files, charset)) {
            inputs.add(readable(input));
          } else {
            skips[FileSelection.Skip.BINARY.ordinal()]++;
          }
        }
      } else {
        BasicFileAttributes attributes = attributes(path);
        if (attributes.isOther()) {
          // A pipe (bash's <(command)), a FIFO, a device: read once, as standard input is.
          inputs.add(new Input.StreamInput(path));
          continue;
        }
        Input.FileInput input = file(path, attributes);
        if (selection.includeBinary() || !looksBinary(input, files, charset)) {
          inputs.add(readable(input));
        } else {
          skips[FileSelection.Skip.BINARY.ordinal()]++;
        }
      }
    }
    long hidden = skips[FileSelection.Skip.HIDDEN.ordinal()];
    long links =
        skips[FileSelection.Skip.LINK.ordinal()]
            + skips[FileSelection.Skip.BROKEN_LINK.ordinal()]
            + skips[FileSelection.Skip.LOOP.ordinal()];
    long special = skips[FileSelection.Skip.SPECIAL.ordinal()];
    long binary = skips[FileSelection.Skip.BINARY.ordinal()];
    if (inputs.isEmpty()) {
      List<String> why = new ArrayList<>();
      if (hidden > 0) {
        why.add("skipped " + hidden + " hidden (--include-hidden counts them)");
      }
      if (links > 0) {
        why.add("skipped " + linksNote(links, selection.followLinks()));
      }
      if (special > 0) {
        why.add("skipped " + specialNote(special));
      }
      if (binary > 0) {
        why.add(
            "skipped "
                + binary
                + " binary file"
                + (binary == 1 ? "" : "s")
                + " (--include-binary counts them)");
      }
      if (globbed) {
        why.add("no other file matches --glob " + String.join(",", selection.globs()));
      }
      throw new BadInputException("nothing to count: " + String.join("; ", why));
    }
    return new Resolved(inputs, hidden, binary, links, special);
  }

  /**
   * What the skipped links were, after "skipped ": not followed, or with {@code --follow-links}
   * broken or looping.
   */
  static String linksNote(long n, boolean followed) {
    return followed
        ? n
            + (n == 1
                ? " link that is broken or loops back to a folder holding it"
                : " links that are broken or loop back to a folder holding them")
        : n + (n == 1 ? " link" : " links") + " found in directories (--follow-links follows them)";
  }

  /** What the skipped special files were, after "skipped ". */
  static String specialNote(long n) {
    return n
        + (n == 1 ? " pipe, socket or device" : " pipes, sockets or devices")
        + " found in directories (name one to read it)";
  }

  /**
   * The regular files under {@code dir} that {@code files} reads, in path order, counting in {@code
   * skips} what the walk left out, by {@link FileSelection.Skip} (a folder once, not what is in
   * it). The folder given is walked even when hidden, like a named file, and followed when it is a
   * link; links inside only with {@code --follow-links} ({@link FileSelection#walk}).
   */
  private static List<Path> walk(Path dir, FileSelection files, long[] skips)
      throws BadInputException {
    try {
      return files.walk(dir, (skipped, why) -> skips[why.ordinal()]++);
    } catch (IOException | UncheckedIOException e) {
      IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
      throw new BadInputException("cannot read directory " + describe(dir, cause));
    }
  }

  /**
   * Whether a file looks binary: a NUL byte in its first 8 KiB (decompressed for {@code .gz}),
   * unless it is read in UTF-16/32 (its byte order mark, or {@code --charset}, says so).
   */
  private static boolean looksBinary(Input.FileInput file, FileSelection sniff, Charset charset)
      throws BadInputException {
    byte[] head = file.head();
    if (head == null) { // a .gz file: its decompressed start
      try {
        head = FileSniff.head(file.path());
      } catch (IOException e) {
        throw new BadInputException("cannot read " + describe(file.path(), e) + gzipHint(file, e));
      }
    }
    return sniff.skipsAsBinary(head, sniff.charset(head, charset).charset());
  }

  /**
   * What to do about a {@code .gz} file whose start cannot be decompressed: a file cut short
   * (copied or downloaded in part) is not a naming problem, a file that is not gzip is.
   */
  private static String gzipHint(Input.FileInput file, IOException e) {
    if (!FileSniff.isGzip(file.path())) {
      return "";
    }
    return e instanceof java.io.EOFException
        ? " (the file is cut short: copy or download it again)"
        : " (a .gz file must be gzip: rename it if it is plain text)";
  }

  /**
   * A regular file as the count reads it: one listed at size 0 whose first bytes are not empty (a
   * file of {@code /proc} or {@code /sys}, {@link FileSelection#readsToEnd}) is read once to its
   * end as a stream, its bytes counted as they are read; any other by its size.
   */
  private static Input readable(Input.FileInput file) {
    byte[] head = file.head();
    return FileSelection.readsToEnd(file.size()) && head != null && head.length > 0
        ? new Input.StreamInput(file.path())
        : file;
  }

  /** A file's attributes (of what a link points to), or the error that names it. */
  private static BasicFileAttributes attributes(Path path) throws BadInputException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new BadInputException("no such file or directory: " + path);
    } catch (IOException e) {
      throw new BadInputException("cannot read " + describe(path, e));
    }
  }

  /** A named file, which must be a regular file once pipes are set apart. */
  private static Input.FileInput file(Path path, BasicFileAttributes attributes)
      throws BadInputException {
    if (!attributes.isRegularFile()) {
      throw new BadInputException(
          "not a regular file: "
              + path
              + " (give regular files, directories, pipes, or - for stdin)");
    }
    return opened(path);
  }

  /**
   * A regular file, named or walked: one open for its size and first bytes (a {@code .gz} file's
   * are its decompressed ones, read by {@link #looksBinary}), so a folder of many small files costs
   * little before counting.
   */
  private static Input.FileInput opened(Path path) throws BadInputException {
    try (SeekableByteChannel channel = Files.newByteChannel(path)) {
      long size = channel.size();
      // Not closed: closing the stream would close the channel, which the try closes anyway.
      byte[] head =
          FileSniff.isGzip(path)
              ? null
              : Channels.newInputStream(channel).readNBytes(FileSniff.HEAD_BYTES);
      return new Input.FileInput(path, size, head);
    } catch (NoSuchFileException e) {
      throw new BadInputException("no such file or directory: " + path); // gone since the walk
    } catch (IOException e) {
      throw new BadInputException("cannot read " + describe(path, e));
    }
  }

  private static String describe(Path path, IOException e) {
    String why =
        switch (e) {
          case AccessDeniedException a -> "permission denied";
          case NoSuchFileException n -> "no such file or directory";
          default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    return path + ": " + why;
  }
}
