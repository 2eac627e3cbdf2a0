package dev.flowstage.examples.cli;

import dev.flowstage.examples.wordcount.Input;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns the paths given to {@code wordcount} into inputs: {@code -} is standard input, a directory
 * is every regular file under it (recursively, in path order), a file is itself. Every file is
 * opened once here, so a missing or unreadable one is reported before any counting starts.
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

  static List<Input> resolve(List<String> args, InputStream stdin) throws BadInputException {
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
        List<Path> files = walk(path);
        if (files.isEmpty()) {
          throw new BadInputException("no regular files under directory " + path);
        }
        for (Path file : files) {
          inputs.add(file(file));
        }
      } else {
        inputs.add(file(path));
      }
    }
    return inputs;
  }

  private static List<Path> walk(Path dir) throws BadInputException {
    try (Stream<Path> files = Files.walk(dir)) {
      // Named files must be regular; inside a directory, sockets and pipes are skipped.
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException | UncheckedIOException e) {
      IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
      throw new BadInputException("cannot read directory " + describe(dir, cause));
    }
  }

  private static Input file(Path path) throws BadInputException {
    if (!Files.exists(path)) {
      throw new BadInputException("no such file or directory: " + path);
    }
    if (!Files.isRegularFile(path)) {
      throw new BadInputException(
          "not a regular file: " + path + " (give regular files, directories, or - for stdin)");
    }
    try (SeekableByteChannel channel = Files.newByteChannel(path)) {
      return new Input.FileInput(path, channel.size());
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
