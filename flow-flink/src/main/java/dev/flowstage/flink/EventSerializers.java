package dev.flowstage.flink;

import com.esotericsoftware.kryo.Serializer;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.java.typeutils.runtime.kryo.JavaSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Chooses how Flink serializes a flow's events, which a flow types as {@code Object} (so Flink uses
 * Kryo): Kryo rebuilds a collection by calling {@code add}, which the JDK's immutable ({@code
 * List.of}, {@code Map.of}, {@code Stream.toList()}) and unmodifiable ({@code
 * Collections.unmodifiableList(...)}, {@code Arrays.asList}) collections refuse. Those classes are
 * registered with Flink's Kryo {@link JavaSerializer} (Java serialization through the job's class
 * loader), which rebuilds them as the JDK does. Records, enums and {@code java.time} types keep
 * Kryo's own serializers (Kryo 5 has record and {@code java.time} support); other types keep Kryo's
 * field serializer, as in any Flink job.
 */
final class EventSerializers {
  private EventSerializers() {}

  /** The JDK collection classes Kryo's collection and map serializers cannot rebuild. */
  static final List<Class<?>> JAVA_SERIALIZED = javaSerialized();

  private static List<Class<?>> javaSerialized() {
    Set<Class<?>> c = new LinkedHashSet<>();
    List<Integer> three = List.of(1, 2, 3);
    for (Object o :
        List.<Object>of(
            List.of(),
            List.of(1),
            three,
            three.subList(0, 2),
            Set.of(),
            Set.of(1),
            Set.of(1, 2, 3),
            Map.of(),
            Map.of(1, 1),
            Map.of(1, 1, 2, 2),
            Arrays.asList(1, 2),
            Collections.unmodifiableCollection(new ArrayList<>()),
            Collections.unmodifiableList(new ArrayList<>()),
            Collections.unmodifiableList(new LinkedList<>()),
            Collections.unmodifiableSet(new HashSet<>()),
            Collections.unmodifiableSortedSet(new TreeSet<>()),
            Collections.unmodifiableNavigableSet(new TreeSet<>()),
            Collections.unmodifiableSequencedCollection(new ArrayList<>()),
            Collections.unmodifiableSequencedSet(new LinkedHashSet<>()),
            Collections.unmodifiableMap(new HashMap<>()),
            Collections.unmodifiableSortedMap(new TreeMap<>()),
            Collections.unmodifiableNavigableMap(new TreeMap<>()),
            Collections.unmodifiableSequencedMap(new LinkedHashMap<>()),
            Collections.unmodifiableMap(new HashMap<>()).entrySet(),
            Collections.emptyList(),
            Collections.emptySet(),
            Collections.emptyMap(),
            Collections.singletonList(1),
            Collections.singleton(1),
            Collections.singletonMap(1, 1),
            Collections.nCopies(2, 1),
            new AbstractMap.SimpleImmutableEntry<>(1, 1))) {
      if (o instanceof java.io.Serializable) {
        c.add(o.getClass());
      }
    }
    return List.copyOf(c);
  }

  /**
   * Registers the serializers on {@code env}'s configuration; call before any stream is created.
   *
   * @param env the environment the flow is translated in
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static void register(StreamExecutionEnvironment env) {
    Class<? extends Serializer<?>> java = (Class) JavaSerializer.class;
    SerializerConfig config = env.getConfig().getSerializerConfig();
    if (!(config instanceof SerializerConfigImpl impl)) {
      throw new IllegalStateException(
          "unexpected Flink serializer config "
              + config.getClass().getName()
              + "; flow-flink needs Flink 2.3's SerializerConfigImpl");
    }
    for (Class<?> c : JAVA_SERIALIZED) {
      if (!impl.getDefaultKryoSerializerClasses().containsKey(c)) {
        impl.addDefaultKryoSerializer(c, java);
      }
    }
  }
}
