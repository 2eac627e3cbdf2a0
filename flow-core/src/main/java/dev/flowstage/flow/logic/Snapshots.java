package dev.flowstage.flow.logic;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Snapshots of an accumulator that is emitted while its window goes on (a trigger that keeps the
 * accumulator): the emitted value must never change afterwards, and the live accumulator will.
 *
 * <p>What is copied, and how (documented in docs/guides/windows.md):
 *
 * <ul>
 *   <li>Values are emitted as they are: {@code null}, strings, boxed primitives, {@code
 *       BigInteger}/{@code BigDecimal}, enums, records (shallowly immutable: their components are
 *       the user's to keep immutable), {@code java.time} values, and the JDK's unmodifiable
 *       collections ({@code List.of}, {@code Map.copyOf}, ...).
 *   <li>The JDK's mutable collections and maps ({@code ArrayList}, {@code LinkedList}, {@code
 *       ArrayDeque}, {@code HashMap}, {@code LinkedHashMap}, {@code TreeMap}, {@code EnumMap},
 *       {@code IdentityHashMap}, {@code HashSet}, {@code LinkedHashSet}, {@code TreeSet}) and
 *       arrays are copied as the same class, and so are the lists, maps and arrays nested in them
 *       as values or elements (so {@code groupBy}'s {@code Map<K, List<V>>} is copied whole); other
 *       elements are shared, since they are events, not state.
 *   <li>Any other {@code Cloneable} class with a public {@code clone()} of a public class
 *       (fastutil's maps, your own, subclasses of JDK collections) is copied by that {@code
 *       clone()}: as deep as that method makes it.
 *   <li>Anything else cannot be copied by Flow: the stage fails, saying to emit a copy from {@code
 *       onTrigger}.
 * </ul>
 */
final class Snapshots {
  private Snapshots() {}

  /**
   * Returns a value equal to {@code acc} that later changes to {@code acc} do not affect.
   *
   * @param acc the live accumulator
   * @param trigger the trigger being fired, for the message
   * @return {@code acc} itself if it is a value, else a copy
   * @throws IllegalStateException if {@code acc} is of a type Flow cannot copy
   */
  static Object of(Object acc, String trigger) {
    if (isValue(acc)) {
      return acc;
    }
    Object copy = copy(acc);
    if (copy == null) {
      throw new IllegalStateException(
          "trigger '"
              + trigger
              + "' emits the accumulator and the window goes on, so the emitted value must be a"
              + " snapshot that later events do not change, and Flow cannot copy a "
              + acc.getClass().getName()
              + ": add onTrigger((acc, t) -> TriggerResult.of(List.of(copyOf(acc)), acc)) after the"
              + " reduce, or reduce into an immutable value, a record or a JDK collection");
    }
    return copy;
  }

  private static boolean isValue(Object o) {
    return o == null
        || o instanceof String
        || o instanceof Boolean
        || o instanceof Character
        || o instanceof Byte
        || o instanceof Short
        || o instanceof Integer
        || o instanceof Long
        || o instanceof Float
        || o instanceof Double
        || o instanceof BigInteger && o.getClass() == BigInteger.class
        || o instanceof BigDecimal && o.getClass() == BigDecimal.class
        || o instanceof Enum<?>
        || o instanceof Record
        || o.getClass().getPackageName().equals("java.time")
        // List.of, Set.of, Map.of, copyOf: truly immutable (not a view of something mutable)
        || o.getClass().getName().startsWith("java.util.ImmutableCollections$");
  }

  /** A copy of the same class, nested collections copied too; null if not a known type. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object copy(Object o) {
    if (o.getClass().isArray()) {
      int n = Array.getLength(o);
      Object a = Array.newInstance(o.getClass().getComponentType(), n);
      System.arraycopy(o, 0, a, 0, n);
      if (a instanceof Object[] objects) {
        for (int i = 0; i < n; i++) {
          objects[i] = nested(objects[i]);
        }
      }
      return a;
    }
    Class<?> c = o.getClass();
    if (c == HashMap.class
        || c == LinkedHashMap.class
        || c == TreeMap.class
        || c == IdentityHashMap.class
        || c == EnumMap.class) {
      Map m =
          switch (o) {
            case LinkedHashMap<?, ?> lhm -> (Map) lhm.clone();
            case HashMap<?, ?> hm -> (Map) hm.clone();
            case TreeMap<?, ?> tm -> (Map) tm.clone();
            case IdentityHashMap<?, ?> im -> (Map) im.clone();
            case EnumMap em -> em.clone();
            default -> throw new AssertionError(c);
          };
      m.replaceAll((k, v) -> nested(v));
      return m;
    }
    if (c == ArrayList.class || c == LinkedList.class) {
      List l = c == ArrayList.class ? new ArrayList<>((List) o) : new LinkedList<>((List) o);
      l.replaceAll(Snapshots::nested);
      return l;
    }
    if (c == ArrayDeque.class) {
      ArrayDeque<Object> d = new ArrayDeque<>();
      for (Object e : (ArrayDeque<?>) o) {
        d.add(nested(e));
      }
      return d;
    }
    // sets: elements are keys, and a mutable key in a set is already broken; share them
    if (c == HashSet.class) {
      return new HashSet<>((Collection<?>) o);
    }
    if (c == LinkedHashSet.class) {
      return new LinkedHashSet<>((Collection<?>) o);
    }
    if (c == TreeSet.class) {
      return ((TreeSet<?>) o).clone(); // keeps the comparator
    }
    return cloned(o);
  }

  /**
   * The public {@code clone()} of a {@code Cloneable} class (e.g. fastutil's maps), if it has one.
   */
  private static final ClassValue<Method> CLONE =
      new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
          if (!Cloneable.class.isAssignableFrom(type)) {
            return null;
          }
          try {
            Method m = type.getMethod("clone");
            // the method's class must be public: a subclass may inherit a public clone()
            return Modifier.isPublic(m.getDeclaringClass().getModifiers()) ? m : null;
          } catch (NoSuchMethodException e) {
            return null; // only Object's protected clone()
          }
        }
      };

  private static Object cloned(Object o) {
    Method m = CLONE.get(o.getClass());
    if (m == null) {
      return null;
    }
    try {
      return m.invoke(o);
    } catch (IllegalAccessException e) {
      return null; // a package the flow cannot reach: as if it had no clone()
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(
          "copying the accumulator with " + o.getClass().getName() + ".clone() failed",
          e.getCause());
    }
  }

  /** An element or value inside a copied collection: collections are copied, the rest shared. */
  private static Object nested(Object e) {
    if (e == null || isValue(e)) {
      return e;
    }
    Object copy = copy(e);
    return copy == null ? e : copy;
  }
}
