package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Events of any type users send locally cross partitions on Flink (the serializer per type of
 * {@link EventSerializers}), and a non-serializable function fails the job build naming its Flow
 * operation.
 */
final class FlinkEventTypesTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  record Point(int x, String label) implements Serializable {}

  enum Color {
    RED,
    GREEN
  }

  /** One of each common JDK type, immutable and unmodifiable collections above all. */
  static List<Object> samples() {
    List<Object> s = new ArrayList<>();
    s.add(List.of());
    s.add(List.of(1));
    s.add(List.of("a", "b", "c"));
    s.add(List.of(1, 2, 3, 4).subList(1, 3));
    s.add(Stream.of(1, 2).toList());
    s.add(Set.of("x", "y", "z"));
    s.add(Map.of("k", 1));
    s.add(Map.of("k", 1, "l", 2, "m", 3));
    s.add(Arrays.asList(5, 6));
    s.add(Collections.unmodifiableList(new ArrayList<>(List.of(1, 2))));
    s.add(Collections.unmodifiableList(new LinkedList<>(List.of(3))));
    s.add(Collections.unmodifiableSet(new TreeSet<>(Set.of(1, 2))));
    s.add(Collections.unmodifiableMap(new HashMap<>(Map.of("a", 1))));
    s.add(Collections.unmodifiableSortedMap(new TreeMap<>(Map.of("b", 2))));
    s.add(Collections.unmodifiableSequencedMap(new LinkedHashMap<>(Map.of("c", 3))));
    s.add(Collections.singletonList("one"));
    s.add(Collections.emptyMap());
    s.add(new Point(1, "p"));
    s.add(List.of(new Point(2, "q"), new Point(3, "r")));
    s.add(Map.of(Color.RED, List.of(Color.GREEN)));
    s.add(Color.GREEN);
    s.add(LocalDate.of(2026, 12, 2));
    s.add(LocalDateTime.of(2026, 12, 2, 7, 45));
    s.add(Instant.ofEpochSecond(1_700_000_000L, 5));
    s.add(Duration.ofMillis(1500));
    s.add(ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneId.of("Europe/Paris")));
    s.add(new ArrayList<>(List.of(Collections.unmodifiableList(new ArrayList<>(List.of(9))))));
    return s;
  }

  @SuppressWarnings("unchecked")
  private static TypeSerializer<Object> serializer(StreamExecutionEnvironment env) {
    return Translator.ANY.createSerializer(env.getConfig().getSerializerConfig());
  }

  private static Object roundTrip(TypeSerializer<Object> serializer, Object event)
      throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(event, out);
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }

  @Test
  void registeredSerializers_everySample_roundTripsAndCopiesEqual() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    EventSerializers.register(env);
    TypeSerializer<Object> serializer = serializer(env);
    for (Object event : samples()) {
      assertEquals(event, roundTrip(serializer, event), event.getClass().getName());
      assertEquals(event, serializer.copy(event), event.getClass().getName());
    }
  }

  @Test
  void plainKryo_unmodifiableList_failsAsTheIssueReports() {
    // Why EventSerializers exists: without it Kryo rebuilds the wrapper by calling add().
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    assertTrue(env.getConfig().getSerializerConfig() instanceof SerializerConfigImpl);
    TypeSerializer<Object> serializer = serializer(env);
    Object event = Collections.unmodifiableList(new ArrayList<>(List.of(1, 2)));
    assertThrows(Exception.class, () -> roundTrip(serializer, event));
  }

  @Test
  void samples_crossAPartitionOnFlink_sameMultisetAsLocal() throws Exception {
    Flow<String> flow =
        Flow.fromEnumerable(samples(), o -> o.stages(2))
            .map(e -> e)
            .partition(o -> o.stages(2).key(e -> e.getClass().getName()))
            // The value, not the class: Java serialization rebuilds List.of(..).subList(..) as a
            // List.of(..) of the same elements, as it does locally across a JVM boundary.
            .map(String::valueOf);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    List<String> flink = new ArrayList<>(FlinkFlows.collect(env, flow));
    List<String> local = new ArrayList<>(flow.toList());
    Collections.sort(flink);
    Collections.sort(local);
    assertEquals(local, flink);
  }

  /** Not serializable on purpose. */
  static final class Lookup {
    String upper(String s) {
      return s.toUpperCase(java.util.Locale.ROOT);
    }
  }

  @Test
  void nonSerializableCapture_failsTheJobBuildNamingTheOperation() {
    Lookup lookup = new Lookup();
    Flow<String> flow =
        Flow.fromEnumerable(List.of("a", "b")).filter(s -> !s.isEmpty()).map(lookup::upper);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> FlinkFlows.toDataStream(env, flow));
    assertTrue(e.getMessage().contains("map (operation 2 of its layer)"), e.getMessage());
    assertTrue(e.getMessage().contains(Lookup.class.getName()), e.getMessage());
  }
}
