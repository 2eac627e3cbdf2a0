package dev.flowstage.flink;

import java.io.IOException;
import java.net.URI;
import org.apache.flink.core.fs.BlockLocation;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * A non-local Flink file system for tests: {@code fakefs:///some/path} is the local {@code
 * /some/path}, seen only through Flink's {@link FileSystem} API (statuses and listings, no links or
 * pipes), as S3 or HDFS would be. Registered through {@code META-INF/services} as {@link Factory}.
 */
public final class FakeFileSystem extends FileSystem {
  /** The scheme it is registered under. */
  static final String SCHEME = "fakefs";

  private final LocalFileSystem local = LocalFileSystem.getSharedInstance();

  /** Makes Flink find the file system for {@value #SCHEME} URIs. */
  public static final class Factory implements FileSystemFactory {
    @Override
    public String getScheme() {
      return SCHEME;
    }

    @Override
    public FileSystem create(URI uri) {
      return new FakeFileSystem();
    }
  }

  /** A local path's {@value #SCHEME} URI. */
  static String uri(java.nio.file.Path local) {
    return SCHEME + "://" + local.toAbsolutePath();
  }

  private static Path toLocal(Path p) {
    return new Path("file", null, p.toUri().getPath());
  }

  private static Path toFake(Path p) {
    return new Path(SCHEME, null, p.toUri().getPath());
  }

  /** A local status named by its {@value #SCHEME} path. */
  private static FileStatus fake(FileStatus s) {
    return new FileStatus() {
      @Override
      public long getLen() {
        return s.getLen();
      }

      @Override
      public long getBlockSize() {
        return s.getBlockSize();
      }

      @Override
      public short getReplication() {
        return s.getReplication();
      }

      @Override
      public long getModificationTime() {
        return s.getModificationTime();
      }

      @Override
      public long getAccessTime() {
        return s.getAccessTime();
      }

      @Override
      public boolean isDir() {
        return s.isDir();
      }

      @Override
      public Path getPath() {
        return toFake(s.getPath());
      }
    };
  }

  @Override
  public Path getWorkingDirectory() {
    return toFake(local.getWorkingDirectory());
  }

  @Override
  public Path getHomeDirectory() {
    return toFake(local.getHomeDirectory());
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    return fake(local.getFileStatus(toLocal(f)));
  }

  @Override
  public BlockLocation[] getFileBlockLocations(FileStatus file, long start, long len) {
    return new BlockLocation[0];
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    return local.open(toLocal(f), bufferSize);
  }

  @Override
  public FSDataInputStream open(Path f) throws IOException {
    return local.open(toLocal(f));
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus[] statuses = local.listStatus(toLocal(f));
    if (statuses == null) {
      return null;
    }
    FileStatus[] out = new FileStatus[statuses.length];
    for (int i = 0; i < statuses.length; i++) {
      out[i] = fake(statuses[i]);
    }
    return out;
  }

  @Override
  public boolean delete(Path f, boolean recursive) {
    throw new UnsupportedOperationException("read only");
  }

  @Override
  public boolean mkdirs(Path f) {
    throw new UnsupportedOperationException("read only");
  }

  @Override
  public FSDataOutputStream create(Path f, WriteMode overwriteMode) {
    throw new UnsupportedOperationException("read only");
  }

  @Override
  public boolean rename(Path src, Path dst) {
    throw new UnsupportedOperationException("read only");
  }

  @Override
  public boolean isDistributedFS() {
    return true;
  }
}
