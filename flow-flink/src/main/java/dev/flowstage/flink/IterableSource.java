package dev.flowstage.flink;

import dev.flowstage.flow.logic.NullEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serial;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceEnumerator;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceReaderBase;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded Flink source reading a serializable {@code Iterable} (not a {@code Collection}) of
 * {@code Flow.fromEnumerable} when the job runs, as the local runtime reads it: lazily, in one
 * split, one subtask calling {@code iterator()} once. Copying it when the job is built instead
 * would hang the build on an endless {@code Iterable}.
 *
 * <p>The {@code Iterable} travels inside the source (Java serialization, with the job's other
 * functions); the split only says how many events were read, so a restored split skips them (the
 * {@code Iterable} must then give the same events again, as a re-run flow needs too). Null events
 * leave as {@link NullEvent#VALUE} (the translator turns them back).
 */
final class IterableSource
    implements Source<Object, IterableSource.Split, Collection<IterableSource.Split>> {
  @Serial private static final long serialVersionUID = 1L;

  // Serializable: the translator checks it (shippable) before making this source.
  @SuppressWarnings("serial")
  private final Iterable<?> iterable;

  IterableSource(Iterable<?> iterable) {
    this.iterable = Objects.requireNonNull(iterable, "iterable");
  }

  /**
   * Whether {@code iterable} can be shipped inside the job (Java serialization succeeds), so that
   * this source can read it when the job runs.
   */
  static boolean shippable(Iterable<?> iterable) {
    try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
      out.writeObject(iterable);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public Boundedness getBoundedness() {
    // As the local source: the Iterable ends the input when its iterator ends.
    return Boundedness.BOUNDED;
  }

  @Override
  public SourceReader<Object, Split> createReader(SourceReaderContext context) {
    return new Reader(context, iterable);
  }

  @Override
  public SplitEnumerator<Split, Collection<Split>> createEnumerator(
      SplitEnumeratorContext<Split> context) {
    return new IteratorSourceEnumerator<>(context, List.of(new Split(0)));
  }

  @Override
  public SplitEnumerator<Split, Collection<Split>> restoreEnumerator(
      SplitEnumeratorContext<Split> context, Collection<Split> checkpoint) {
    return new IteratorSourceEnumerator<>(context, checkpoint);
  }

  @Override
  public SimpleVersionedSerializer<Split> getSplitSerializer() {
    return new SplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<Collection<Split>> getEnumeratorCheckpointSerializer() {
    return new CheckpointSerializer();
  }

  /** The one split: how many events of the {@code Iterable} were already read. */
  static final class Split implements IteratorSourceSplit<Object, Counting> {
    final long read;
    // Set by the reader, which holds the Iterable; a split travels without it.
    transient Iterable<?> iterable;

    Split(long read) {
      this.read = read;
    }

    @Override
    public String splitId() {
      return "iterable";
    }

    @Override
    public Counting getIterator() {
      Iterator<?> it = iterable.iterator();
      if (it == null) {
        throw new NullPointerException("Flow.fromEnumerable's Iterable returned a null iterator");
      }
      Counting counting = new Counting(it);
      while (counting.read < read && counting.hasNext()) {
        counting.next(); // read before a restore
      }
      return counting;
    }

    @Override
    public IteratorSourceSplit<Object, Counting> getUpdatedSplitForIterator(Counting iterator) {
      return new Split(iterator.read);
    }
  }

  /** The Iterable's iterator, counting what it hands out (for a split's snapshot). */
  static final class Counting implements Iterator<Object> {
    private final Iterator<?> it;
    long read;

    Counting(Iterator<?> it) {
      this.it = it;
    }

    @Override
    public boolean hasNext() {
      return it.hasNext();
    }

    @Override
    public Object next() {
      Object e = it.next(); // throws NoSuchElementException past the end, counting nothing
      read++;
      return e;
    }
  }

  /** Reads the split's events, null ones as {@link NullEvent#VALUE}. */
  @SuppressWarnings("try") // Flink's SourceReader.close() throws Exception
  private static final class Reader
      extends IteratorSourceReaderBase<Object, Object, Counting, Split> {
    private final Iterable<?> iterable;

    Reader(SourceReaderContext context, Iterable<?> iterable) {
      super(context);
      this.iterable = iterable;
    }

    @Override
    public void addSplits(List<Split> splits) {
      for (Split s : splits) {
        s.iterable = iterable;
      }
      super.addSplits(splits);
    }

    @Override
    protected Object convert(Object event) {
      return NullEvent.wrap(event);
    }

    /**
     * Flink's base reads the first event of a split it moves to without asking {@code hasNext()}
     * (its own splits are never empty): a split with nothing left to read (an empty {@code
     * Iterable}, or one restored after its last event) ends here instead, as the local source ends
     * an empty input.
     */
    @Override
    protected InputStatus tryMoveToNextSplit() {
      InputStatus status = super.tryMoveToNextSplit();
      while (status == InputStatus.MORE_AVAILABLE && !iterator.hasNext()) {
        finishSplit();
        status = super.tryMoveToNextSplit();
      }
      return status;
    }
  }

  /** A split as the count of events read. */
  private static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(Split split) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(8);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeLong(split.read);
      } catch (IOException e) {
        throw new IllegalStateException(e); // a byte array does not fail
      }
      return bytes.toByteArray();
    }

    @Override
    public Split deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1) {
        throw new IOException("unknown iterable split version " + version);
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        return new Split(in.readLong());
      }
    }
  }

  /** The enumerator's splits not yet handed out: a count, then each split's events read. */
  private static final class CheckpointSerializer
      implements SimpleVersionedSerializer<Collection<Split>> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(Collection<Split> splits) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeInt(splits.size());
        for (Split s : splits) {
          out.writeLong(s.read);
        }
      } catch (IOException e) {
        throw new IllegalStateException(e); // a byte array does not fail
      }
      return bytes.toByteArray();
    }

    @Override
    public Collection<Split> deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1) {
        throw new IOException("unknown iterable checkpoint version " + version);
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        int n = in.readInt();
        List<Split> splits = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          splits.add(new Split(in.readLong()));
        }
        return splits;
      }
    }
  }
}
