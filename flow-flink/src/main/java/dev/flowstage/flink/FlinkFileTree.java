package dev.flowstage.flink;

import dev.flowstage.flow.logic.FileSelection;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * A Flink {@link FileSystem} (S3, HDFS, ...) as flow-core's walk sees a file system, so that the
 * files of a folder there are selected by the one walk every engine runs ({@link
 * FileSelection#walk(FileSelection.Tree, Object, FileSelection.Skipped)}). Every path is a folder
 * or a file: Flink's file systems have no links or pipes to tell (its local one would follow links
 * and list pipes as files, so local paths are walked through {@link FileSelection#LOCAL}).
 */
final class FlinkFileTree implements FileSelection.Tree<Path> {
  private final FileSystem fs;

  /** A view of {@code fs}. */
  FlinkFileTree(FileSystem fs) {
    this.fs = fs;
  }

  @Override
  public FileSelection.Entry<Path> look(Path path) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      return null;
    }
    return entry(path, status);
  }

  @Override
  public List<FileSelection.Entry<Path>> list(Path folder, boolean followLinks) throws IOException {
    FileStatus[] children = fs.listStatus(folder);
    if (children == null) {
      return null; // Flink's local file system when the folder may not be read
    }
    List<FileSelection.Entry<Path>> entries = new ArrayList<>(children.length);
    for (FileStatus c : children) {
      entries.add(entry(c.getPath(), c));
    }
    return entries;
  }

  private static FileSelection.Entry<Path> entry(Path path, FileStatus status) {
    FileSelection.Kind kind = status.isDir() ? FileSelection.Kind.FOLDER : FileSelection.Kind.FILE;
    return new FileSelection.Entry<>(path, path.getName(), kind, status.getLen(), null);
  }

  @Override
  public String named(Path path) {
    return FlinkInput.named(path);
  }
}
